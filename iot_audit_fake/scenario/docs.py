"""The scenario format's reference page, rendered from the schema (so the two cannot drift).

    python -m iot_audit_fake.scenario.docs > docs/scenarios.md

``render()`` turns ``schema.yaml`` (descriptions, types, enums, required keys, patterns,
bounds) into Markdown: the top-level keys, every section, then the shared definitions.
The test suite checks that ``docs/scenarios.md`` is exactly ``render()``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

from . import DEMO_SCENARIO_PATH
from .source import schema

REGENERATE = "python -m iot_audit_fake.scenario.docs > docs/scenarios.md"

_INTRO = """\
A scenario holds, for one or more accounts and regions, the audit configuration, the IoT
resources moto holds (things, groups, policies, certificates, role aliases), what AWS would
have observed (device connections, service usage, CRL entries; see observations.md), and the
audit history (suppressions, scheduled audits, mitigation actions, past audit and mitigation
tasks).

```python
from iot_audit_fake import mock_iot_audit, load_scenario, dump_scenario, validate_scenario

with mock_iot_audit():
    load_scenario("fleet.yaml")       # a path, YAML text, or an already-parsed mapping
    ...                               # boto3 clients now see the world the file describes
    state = dump_scenario()           # the current state, as a scenario mapping
```

```console
$ iot-audit-fake validate fleet.yaml          # exit 0: "fleet.yaml: ok"; exit 1: every problem
$ iot-audit-fake server --scenario fleet.yaml
```

- **Safe YAML only.** Python tags (`!!python/...`) are refused. Dates and times stay
  strings, quoted or not.
- **Atomic.** A scenario with any error changes nothing: the state is as it was before the
  call.
- **Errors say where**: file, line, column and key path, one line per problem, e.g.
  `fleet.yaml:12:16: scheduled_audits[1].frequency: 'HOURLY' is not one of DAILY, WEEKLY,
  BIWEEKLY, MONTHLY`. `validate_scenario` and `iot-audit-fake validate` report every
  problem the schema finds; what only applying can find (a reference to a certificate label,
  thing, group, policy or CA that does not exist, a name listed twice, a refusal by the API's
  own rules such as an unknown check name) is reported by `load_scenario`, and by
  `iot-audit-fake validate`, which applies the file to a throwaway state.
- **Round trip.** `dump_scenario()` writes certificates as their exact PEM (labelled by
  certificate id) and times as ISO-8601 instants; loading a dump and dumping again gives the
  same dump. In-progress tasks are not dumped.
- **Times** are ISO-8601 instants (`2026-03-01T00:00:00Z`; UTC when no offset is given) or
  offsets from the scenario's `clock` (`-400d`, `+10d`, `-3h`, `+30m`, `-90s`). Without a
  `clock`, offsets count from the moment the scenario is loaded.
- **Order.** Sections are applied in the order of this page, whatever their order in the
  file: groups before the things in them, policies and things before the certificates
  attached to them, CA certificates before the certificates they sign, the configuration
  before scheduled audits, audit tasks before the mitigation tasks that target them.
- **Accounts.** The top level describes one account and region (default: moto's default
  account in `us-east-1`); `accounts` lists more, each with the same sections. Labels
  (certificates, IAM roles) are local to their account and region.

This page is generated from the schema (`iot_audit_fake/scenario/schema.yaml`); to change
it, change the schema and run `{regenerate}`.
"""


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return f"`{text}`"


def _cell(text: str) -> str:
    """Text fit for a Markdown table cell."""
    return " ".join(text.replace("|", "\\|").split())


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation but ``-`` and ``_`` dropped."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _resolve(ref: str) -> Any:
    node: Any = schema()
    for piece in ref.removeprefix("#/").split("/"):
        node = node[piece]
    return node


def _ref_link(ref: str) -> str:
    parts = ref.removeprefix("#/").split("/")
    if parts == ["$defs", "region_state"]:
        return "mapping (see [`accounts[]`](#accounts))"
    if parts[:1] == ["$defs"] and len(parts) == 2:
        return f"[{parts[1]}](#{_anchor(parts[1])})"
    return f"see [`{parts[-1]}`](#{_anchor(parts[-1])})"


def describe_type(node: dict[str, Any]) -> str:
    """A schema node's type and constraints, in words."""
    if "$ref" in node:
        return _ref_link(node["$ref"])
    if "enum" in node:
        return "one of " + ", ".join(_code(v) for v in node["enum"])
    kinds = node.get("type")
    out: list[str] = []
    for kind in kinds if isinstance(kinds, list) else [kinds] if kinds else []:
        if kind == "array":
            items = node.get("items", {})
            text = "list" + (f" of {describe_type(items)}" if items else "")
            if "minItems" in node:
                text += f" (at least {node['minItems']})"
            out.append(text)
        elif kind == "object":
            out.append(_describe_mapping(node))
        else:
            out.append({"integer": "whole number", "boolean": "`true` or `false`"}.get(str(kind), str(kind)))
    text = " or ".join(out) or "any value"
    bounds = []
    shortest, longest = node.get("minLength", 0), node.get("maxLength", 0)
    if shortest and longest:
        bounds.append(f"{shortest} to {longest} characters")
    elif shortest or longest:
        bounds.append(f"at least {_count(shortest, 'character')}" if shortest
                      else f"at most {_count(longest, 'character')}")
    low, high = node.get("minimum"), node.get("maximum")
    if low is not None and high is not None:
        bounds.append(f"{low} to {high}")
    elif low is not None or high is not None:
        bounds.append(f"at least {low}" if low is not None else f"at most {high}")
    if "pattern" in node:
        bounds.append(f"matching {_code(node['pattern'])}")
    return text + (f" ({', '.join(bounds)})" if bounds else "")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _describe_mapping(node: dict[str, Any]) -> str:
    if "properties" in node:
        return "mapping (keys below)"
    extra = node.get("additionalProperties")
    text = "mapping"
    if isinstance(extra, dict) and extra:
        names = node.get("propertyNames")
        key = describe_type(names) if isinstance(names, dict) else "any key"
        text = f"mapping: {key} → {describe_type(extra)}"
    if "minProperties" in node:
        text += f" (at least {_count(node['minProperties'], 'key')})"
    if "maxProperties" in node:
        text += f" (at most {_count(node['maxProperties'], 'key')})"
    return text


def _table(node: dict[str, Any]) -> list[str]:
    required = set(node.get("required", []))
    lines = ["| key | type | required | description |", "|---|---|---|---|"]
    for name, prop in node["properties"].items():
        description = prop.get("description", "")
        if "$ref" in prop and not description:
            target = _resolve(prop["$ref"])
            if prop["$ref"].startswith("#/$defs/region_state/"):
                description = target.get("description", "")
        lines.append(f"| `{name}` | {_cell(describe_type(prop))} | {'yes' if name in required else ''} "
                     f"| {_cell(description)} |")
    return lines


def _objects(title: str, node: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(title, node) for ``node`` and every object with keys nested in it (not through $ref)."""
    if node.get("type") == "array" and isinstance(node.get("items"), dict) and "$ref" not in node["items"]:
        yield from _objects(f"{title}[]", node["items"])
        return
    if "properties" in node:
        yield title, node
        for name, prop in node["properties"].items():
            if "$ref" not in prop:
                yield from _objects(f"{title}.{name}", prop)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and "properties" in extra:
        yield from _objects(f"{title}.<name>", extra)


def _section(title: str, node: dict[str, Any], level: str) -> list[str]:
    lines: list[str] = []
    for i, (name, part) in enumerate(_objects(title, node)):
        heading = level if i == 0 else level + "#"
        lines += [f"{heading} `{name}`", ""]
        description = part.get("description") or (node.get("description") if i == 0 else None)
        if description:
            lines += [" ".join(description.split()), ""]
        if i == 0 and node.get("type") == "array":
            lines += [f"A list; each entry is a mapping with these keys{_extra_note(part)}:", ""]
        elif part.get("additionalProperties") is False or part.get("unevaluatedProperties") is False:
            lines += ["A mapping with these keys (no others):", ""]
        else:
            lines += ["A mapping with these keys:", ""]
        lines += [*_table(part), ""]
    if not lines:  # a list or mapping of plain values, or of a shared definition
        lines += [f"{level} `{title}`", ""]
        if node.get("description"):
            lines += [" ".join(node["description"].split()), ""]
        lines += [f"Type: {describe_type(node)}.", ""]
    return lines


def _extra_note(node: dict[str, Any]) -> str:
    return " (no others)" if node.get("additionalProperties") is False else ""


def render() -> str:
    """The reference page for the scenario format, as Markdown."""
    root = schema()
    defs = root["$defs"]
    region = defs["region_state"]["properties"]
    lines = ["# Scenario files", "",
             " ".join(root["description"].split()), "", _INTRO.format(regenerate=REGENERATE), "",
             "## Top level", "",
             "A mapping with these keys (no others). Every key of a section can also appear in each "
             "entry of `accounts`.", "", *_table(root), ""]
    accounts = root["properties"]["accounts"]
    lines += ["### `accounts[]`", "", " ".join(accounts["description"].split()), "",
              "Each entry takes the keys of the top level except `clock` and `accounts`, plus:", "",
              *_table(accounts["items"]), ""]
    lines += ["## Sections", "", "In the order they are applied.", ""]
    for name, node in region.items():
        lines += _section(name, node, "###")
    lines += ["## Shared definitions", ""]
    for name, node in defs.items():
        if name == "region_state":
            continue
        lines += _section(name, node, "###")
    lines += ["## Example", "", "The built-in demo scenario (`iot_audit_fake/scenario/demo.yaml`), which "
              "`iot-audit-fake server` starts on:", "", "```yaml", DEMO_SCENARIO_PATH.read_text().rstrip(), "```",
              ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
