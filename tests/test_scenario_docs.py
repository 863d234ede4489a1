"""docs/scenarios.md is generated from the scenario schema and must not drift from it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from iot_audit_fake.scenario import docs
from iot_audit_fake.scenario.source import schema

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "scenarios.md"


def test_the_committed_page_is_what_the_schema_renders():
    assert PAGE.is_file(), f"docs/scenarios.md is missing; create it with: {docs.REGENERATE}"
    assert PAGE.read_text() == docs.render(), (
        f"docs/scenarios.md is out of date with iot_audit_fake/scenario/schema.yaml; regenerate it with: "
        f"{docs.REGENERATE}")


def test_the_module_writes_the_page_to_stdout():
    result = subprocess.run([sys.executable, "-m", "iot_audit_fake.scenario.docs"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert result.stdout == docs.render()


def test_the_page_documents_every_key_enum_and_required_key():
    page = docs.render()
    defs = schema()["$defs"]
    sections = defs["region_state"]["properties"]
    for name in [*schema()["properties"], *sections]:
        assert f"| `{name}` |" in page, name
    for name in sections:
        assert re.search(rf"^### `{name}(\[\])?`$", page, re.MULTILINE), name
    # Keys of nested objects, enums, patterns, required flags, descriptions.
    for key in ("not_after", "issuer", "day_of_week", "reason_code", "target_arn", "disable_all_logs"):
        assert f"| `{key}` |" in page, key
    assert "one of `DAILY`, `WEEKLY`, `BIWEEKLY`, `MONTHLY`" in page
    assert "| `frequency` | one of `DAILY`, `WEEKLY`, `BIWEEKLY`, `MONTHLY` | yes |" in page
    assert "`^[a-zA-Z0-9:_.-]+$`" in page
    assert "\\|[12][0-9]\\|" in page  # a pattern's | is escaped inside a table
    assert defs["time"]["description"] in page
    assert "whole number (1024 to 8192)" in page
