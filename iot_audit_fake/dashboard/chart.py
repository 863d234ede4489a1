"""The severity summary chart: an inline SVG of one task's findings per severity, suppressed apart."""

from __future__ import annotations

from html import escape

#: Fill colours per severity; suppressed findings are drawn grey whatever their severity.
COLOURS = {"CRITICAL": "#b42318", "HIGH": "#dc6803", "MEDIUM": "#c99a06", "LOW": "#3b6fd4"}
SUPPRESSED = "#98a2b3"
_WIDTH, _LABEL, _COUNT, _ROW, _BAR = 440, 80, 150, 30, 18


def severity_chart(counts: dict[str, list[int]]) -> str:
    """``counts``: severity -> [not suppressed, suppressed]. One stacked bar per severity, scaled to the largest."""
    largest = max((sum(pair) for pair in counts.values()), default=0) or 1
    track = _WIDTH - _LABEL - _COUNT
    rows = []
    for i, (severity, (active, suppressed)) in enumerate(counts.items()):
        y = 8 + i * _ROW
        active_width = track * active / largest
        suppressed_width = track * suppressed / largest
        colour = COLOURS.get(severity, "#667085")
        label = f"{active} active" + (f", {suppressed} suppressed" if suppressed else "")
        rows.append(
            f'<g class="sev-row" data-severity="{escape(severity)}">'
            f'<text x="0" y="{y + 13}" class="sev-label">{escape(severity)}</text>'
            f'<rect x="{_LABEL}" y="{y}" width="{track}" height="{_BAR}" rx="3" fill="#f2f4f7"/>'
            f'<rect x="{_LABEL}" y="{y}" width="{active_width:.1f}" height="{_BAR}" rx="3" fill="{colour}">'
            f"<title>{escape(severity)}: {active} active</title></rect>"
            f'<rect x="{_LABEL + active_width:.1f}" y="{y}" width="{suppressed_width:.1f}" height="{_BAR}" rx="3"'
            f' fill="{SUPPRESSED}"><title>{escape(severity)}: {suppressed} suppressed</title></rect>'
            f'<text x="{_WIDTH - _COUNT + 8}" y="{y + 13}" class="sev-count">{escape(label)}</text></g>'
        )
    height = 8 + len(counts) * _ROW
    total = sum(sum(pair) for pair in counts.values())
    return (
        f'<svg class="severity-chart" role="img" viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}"'
        f' height="{height}" xmlns="http://www.w3.org/2000/svg"'
        f' aria-label="Findings by severity: {total} in total">'
        + "".join(rows) + "</svg>"
    )
