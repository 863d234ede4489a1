"""Reading a scenario: safe YAML with positions, schema validation, and errors that say where.

Every error names the file, line and column and the key path, e.g.
``fleet.yaml:12:16: scheduled_audits[1].frequency: 'HOURLY' is not one of DAILY, WEEKLY, BIWEEKLY, MONTHLY``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml


class ScenarioError(Exception):
    """A scenario that cannot be loaded; ``messages`` holds one line per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@functools.cache
def schema() -> dict[str, Any]:
    text = resources.files("iot_audit_fake.scenario").joinpath("schema.yaml").read_text()
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


Path_ = tuple[str | int, ...]


def key_path(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class Source:
    """A scenario's data and where each part of it came from."""

    def __init__(self, data: Any, name: str, marks: dict[Path_, tuple[int, int]] | None = None) -> None:
        self.data = data
        self.name = name
        self.marks = marks or {}

    def where(self, path: Iterable[str | int]) -> str:
        path = tuple(path)
        while path and path not in self.marks:
            path = path[:-1]
        line, column = self.marks.get(path, (0, 0)) if path else (1, 1)
        return f"{self.name}:{line}:{column}" if line else self.name

    def error(self, path: Iterable[str | int], message: str) -> str:
        path = tuple(path)
        return f"{self.where(path)}: {key_path(path)}: {message}"


def read(scenario: str | Path | Mapping[str, Any]) -> Source:
    """A path to a YAML/JSON file, YAML text, or an already-parsed mapping."""
    if isinstance(scenario, Mapping):
        return Source(dict(scenario), "<scenario>")
    if isinstance(scenario, Path) or ("\n" not in scenario and scenario.endswith((".yaml", ".yml", ".json"))):
        path = Path(scenario)
        try:
            text = path.read_text()
        except OSError as error:
            raise ScenarioError([f"{path}: cannot read: {error.strerror}"]) from None
        return parse(text, str(path))
    return parse(scenario, "<scenario>")


def parse(text: str, name: str) -> Source:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError([f"{where}: not valid YAML: {problem}"]) from None
    marks: dict[Path_, tuple[int, int]] = {}
    if node is not None:
        _collect(node, (), marks)
    return Source({} if data is None else data, name, marks)


def _collect(node: yaml.Node, path: Path_, marks: dict[Path_, tuple[int, int]]) -> None:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            _collect(value, child, marks)
            marks[child] = (value.start_mark.line + 1, value.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _collect(item, (*path, i), marks)


def validate(source: Source) -> list[str]:
    """Every schema violation, one message each, in document order."""
    if not isinstance(source.data, dict):
        return [source.error((), "a scenario must be a mapping of keys to values")]
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(source.data), key=lambda e: [str(p) for p in e.absolute_path])
    return [source.error(error.absolute_path, _message(error)) for error in errors]


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        return str(error.message).replace("Additional properties are not allowed", "unknown key(s)")
    if error.validator == "pattern" and isinstance(error.instance, str):
        return f"{error.instance!r} is not in the expected format"
    return str(error.message)
