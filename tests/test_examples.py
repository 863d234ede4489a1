"""The examples run as users would run them, and show what they promise."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_run_audit_example_prints_the_task_and_real_findings(capsys):
    result = runpy.run_path(str(EXAMPLES / "run_audit.py"))["main"]()
    out = capsys.readouterr().out
    assert result["task"]["taskStatus"] == "COMPLETED"
    checks = {finding["checkName"] for finding in result["findings"]}
    assert "LOGGING_DISABLED_CHECK" in checks
    assert "COMPLETED" in out and "LOGGING_DISABLED" in out
