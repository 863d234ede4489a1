"""Reading a scenario: safe YAML with positions, schema validation, and errors that say where.

Every error names the file, line and column and the key path, e.g.
``fleet.yaml:12:16: scheduled_audits[1].frequency: 'HOURLY' is not one of DAILY, WEEKLY, BIWEEKLY, MONTHLY``.

Only YAML's safe subset is read (no Python tags). Timestamps are *not* turned into
dates: ``not_after: 2027-01-01T00:00:00Z`` stays the string the schema describes,
quoted or not.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..clock import aware
from .times import iso, resolve


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

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, without the implicit timestamp type (times stay strings)."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def key_path(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class Source:
    """A scenario's data and where each part of it came from.

    ``marks`` maps a key path to the (line, column) of its value, ``key_marks`` to the
    position of the key itself; ``problems`` holds what reading found (duplicate keys).
    """

    def __init__(self, data: Any, name: str, marks: dict[Path_, tuple[int, int]] | None = None,
                 key_marks: dict[Path_, tuple[int, int]] | None = None, problems: list[str] | None = None) -> None:
        self.data = data
        self.name = name
        self.marks = marks or {}
        self.key_marks = key_marks or {}
        self.problems = problems or []

    def position(self, path: Iterable[str | int], at_key: bool = False) -> tuple[int, int] | None:
        """The (line, column) of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        if at_key and path in self.key_marks:
            return self.key_marks[path]
        while path and path not in self.marks:
            path = path[:-1]
        return self.marks.get(path)

    def where(self, path: Iterable[str | int], at_key: bool = False) -> str:
        found = self.position(path, at_key)
        return f"{self.name}:{found[0]}:{found[1]}" if found else self.name

    def error(self, path: Iterable[str | int], message: str, at_key: bool = False) -> str:
        path = tuple(path)
        return f"{self.where(path, at_key)}: {key_path(path)}: {message}"


def read(scenario: str | Path | Mapping[str, Any]) -> Source:
    """A path to a YAML/JSON file, YAML text, or an already-parsed mapping."""
    if isinstance(scenario, Mapping):
        return Source(_plain(scenario), "<scenario>")
    if isinstance(scenario, Path) or ("\n" not in scenario and scenario.endswith((".yaml", ".yml", ".json"))):
        path = Path(scenario)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ScenarioError([f"{path}: cannot read: {error.strerror or error}"]) from None
        except UnicodeDecodeError as error:
            raise ScenarioError([f"{path}: not UTF-8 text: {error.reason}"]) from None
        return parse(text, str(path))
    return parse(scenario, "<scenario>")


def _plain(value: Any) -> Any:
    """A copy of parsed data with dates and times as the strings the format uses (as from
    ``yaml.safe_load``, which turns unquoted timestamps into datetimes)."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dt.datetime):
        return iso(aware(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def parse(text: str, name: str) -> Source:
    """Safe YAML to data, with the position of every value and key."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:
        raise ScenarioError([f"{name}: not valid YAML: nested too deeply"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError([f"{where}: not valid YAML: {problem}"]) from None
    finally:
        loader.dispose()
    source = Source({} if data is None else data, name)
    if node is not None:
        _collect(node, source)
    return source


#: The most values a scenario may hold once YAML aliases are expanded (a billion-laughs guard).
MAX_NODES = 2_000_000


def _collect(root: yaml.Node, source: Source) -> None:
    """Record where every value and key is; walks iteratively, so depth is no limit."""
    stack: list[tuple[yaml.Node, Path_]] = [(root, ())]
    visited = 0
    while stack:
        node, path = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            raise ScenarioError([f"{source.name}: the scenario is too large: over {MAX_NODES:,} values once "
                                 "YAML aliases are expanded"])
        source.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue  # a complex key: the schema refuses it at the mapping
                child = (*path, key.value)
                if key.value in seen:
                    source.problems.append(f"{name_at(source, key)}: {key_path(child)}: duplicate key {key.value!r}")
                seen.add(key.value)
                source.key_marks[child] = (key.start_mark.line + 1, key.start_mark.column + 1)
                stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((item, (*path, i)) for i, item in enumerate(node.value)))


def name_at(source: Source, node: yaml.Node) -> str:
    return f"{source.name}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


# -- validation ---------------------------------------------------------------------------------

_TIME_FORMAT = "scenario-time"
_format_checker = jsonschema.FormatChecker(formats=())


def _is_time(value: object) -> bool:
    # Only values the pattern accepts are checked here, so a bad value gets one message, not two.
    if isinstance(value, str) and re.match(schema()["$defs"]["time"]["pattern"], value):
        resolve(value, dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    return True


_format_checker.checks(_TIME_FORMAT, raises=ValueError)(_is_time)


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(), format_checker=_format_checker)


def validate(source: Source) -> list[str]:
    """Every problem the schema finds (and duplicate keys), one message each, in document order."""
    if not isinstance(source.data, dict):
        return [source.error((), "a scenario must be a mapping of keys to values, "
                                 f"not {_kind(source.data)}")]
    found: list[tuple[tuple[int, int], str]] = []
    try:
        for error in _validator().iter_errors(source.data):
            for path, message, at_key in _messages(error):
                found.append((source.position(path, at_key) or (0, 0), source.error(path, message, at_key)))
    except RecursionError:
        return [source.error((), "the scenario is nested too deeply")]
    messages = [message for _, message in sorted(found)]
    return list(dict.fromkeys([*source.problems, *messages]))


_KINDS = {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number",
          bool: "a boolean", type(None): "empty (null)"}
_EXPECTED = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number",
             "number": "a number", "boolean": "true or false", "null": "nothing"}


def _kind(value: object) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def _messages(error: jsonschema.ValidationError) -> list[tuple[Path_, str, bool]]:
    """(key path, message, point at the key) for one schema error."""
    path: Path_ = tuple(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        allowed = _allowed_keys(error.schema)
        extras = [key for key in error.instance if key not in allowed] or list(error.instance)
        out = []
        for key in extras:
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else (
                f"; expected one of: {', '.join(allowed)}" if allowed else "")
            out.append(((*path, key), f"unknown key {key!r}{suggestion}", True))
        return out
    if error.validator == "enum":
        return [(path, f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}", False)]
    if error.validator == "pattern" and isinstance(error.instance, str):
        description = error.schema.get("description") if isinstance(error.schema, dict) else None
        wanted = f"expected {description[0].lower()}{description[1:].rstrip('.')}" if description else (
            f"expected a match for {error.validator_value}")
        return [(path, f"{error.instance!r} is not in the expected format: {wanted}", False)]
    if error.validator == "format" and error.validator_value == _TIME_FORMAT:
        cause = f" ({error.cause})" if error.cause else ""
        return [(path, f"{error.instance!r} is not a valid time{cause}", False)]
    if error.validator == "type":
        types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        wanted = " or ".join(_EXPECTED.get(str(name), str(name)) for name in types)
        return [(path, f"{_short(error.instance)} is {_kind(error.instance)}, expected {wanted}", False)]
    if error.validator == "required":
        return [(path, str(error.message).replace("is a required property", "is required"), False)]
    return [(path, str(error.message), False)]


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_keys(node: Any) -> list[str]:
    """The keys a schema node (with its local $refs) names in ``properties``."""
    keys: list[str] = []
    seen: set[int] = set()

    def walk(part: Any) -> None:
        if not isinstance(part, dict) or id(part) in seen:
            return
        seen.add(id(part))
        keys.extend(k for k in part.get("properties", {}) if k not in keys)
        ref = part.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = schema()
            for piece in ref[2:].split("/"):
                target = target.get(piece, {}) if isinstance(target, dict) else {}
            walk(target)
        for combined in part.get("allOf", []):
            walk(combined)

    walk(node)
    return keys
