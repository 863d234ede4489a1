"""Reading a scenario: safe YAML with the position of every value and key, for errors that say where.

:class:`Source` keeps where each value came from, so every message (here, in validation.py
and while applying) names the file, line and column and the key path.

Only YAML's safe subset is read (no Python tags). Timestamps are *not* turned into
dates: ``not_after: 2027-01-01T00:00:00Z`` stays the string the schema describes,
quoted or not.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..clock import aware, iso


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


#: Collections nested deeper than this are refused (a real scenario needs a dozen levels at most).
MAX_DEPTH = 100


def _too_deep(name: str, mark: Any) -> str:
    return f"{name}:{mark.line + 1}:{mark.column + 1}: not valid YAML: nested more than {MAX_DEPTH} levels deep"


def _nesting_error(text: str, name: str) -> str | None:
    """The first collection nested deeper than MAX_DEPTH, found from the event stream (no recursion)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):  # libyaml stops at its own limit first
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH + 1:  # the document's own top level is depth 1
                    return _too_deep(name, event.start_mark)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


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


def did_you_mean(name: str, candidates: Iterable[object]) -> str:
    """``; did you mean 'x'?`` for the nearest candidate (case aside), or nothing."""
    by_fold = {str(c).casefold(): str(c) for c in candidates}
    close = difflib.get_close_matches(name.casefold(), list(by_fold), n=1, cutoff=0.6)
    return f"; did you mean {by_fold[close[0]]!r}?" if close else ""



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
    except (RecursionError, yaml.YAMLError) as error:
        # Parsers differ on deep nesting (PyYAML 6.0.4 refuses it with its own words, older ones
        # recurse until RecursionError); the project's own limit gives one answer on every version.
        too_deep = _nesting_error(text, name)
        if too_deep or isinstance(error, RecursionError):
            raise ScenarioError([too_deep or f"{name}: not valid YAML: nested too deeply"]) from None
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
        if len(path) > MAX_DEPTH:
            raise ScenarioError([_too_deep(source.name, node.start_mark)])
        source.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, yaml.Node] = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue  # a complex key: the schema refuses it at the mapping
                child = (*path, key.value)
                if key.value in seen:
                    source.problems.append(f"{name_at(source, key)}: {key_path(child)}: duplicate key {key.value!r}; "
                                           f"first at {name_at(source, seen[key.value])}")
                seen.setdefault(key.value, key)  # the data holds the last value: positions follow it
                source.key_marks[child] = (key.start_mark.line + 1, key.start_mark.column + 1)
                stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((item, (*path, i)) for i, item in enumerate(node.value)))


def name_at(source: Source, node: yaml.Node) -> str:
    return f"{source.name}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
