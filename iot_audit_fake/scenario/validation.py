"""Validating a read scenario: the schema, the references, the API-shaped values, one message each.

Every message names the file, line and column and the key path, e.g.
``fleet.yaml:12:16: things[1].groups[0]: no thing group named 'sensor' (in thing_groups or the account)``.
The schema (schema.yaml) checks each value's kind and the format's own rules; references.py
checks names against each other and the running mock; api_values.py reads API-shaped values
with the API's own reader.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from typing import Any

import jsonschema

from . import api_values
from .existing import Existing
from .references import check
from .source import Path_, Source, did_you_mean, schema
from .times import resolve

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


def validate(source: Source, existing: Existing | None = None) -> list[str]:
    """Every problem the schema finds, every broken reference or name used twice (see
    :mod:`.references`; ``existing``: what a running mock already holds), and duplicate keys,
    one message each, in document order."""
    if not isinstance(source.data, dict):
        return [source.error((), "a scenario must be a mapping of keys to values, "
                                 f"not {_kind(source.data)}")]
    found: list[tuple[tuple[int, int], str]] = []
    try:
        schema_found = [problem for error in _validator().iter_errors(source.data) for problem in _messages(error)]
    except RecursionError:
        return [source.error((), "the scenario is nested too deeply")]
    for path, message, at_key in schema_found:
        found.append((source.position(path, at_key) or (0, 0), source.error(path, message, at_key)))
    # Where the schema already refused a value (in the scenario's words, e.g. an enum the schema lists
    # for the format's page: the model's own, tests/test_scenario_values.py), the API's reader is not
    # asked to say it again.
    by_schema = {path for path, _, at_key in schema_found if not at_key}
    api = [problem for problem in api_values.check(source) if problem[2] or problem[0] not in by_schema]
    for path, message, at_key in [*check(source, existing), *api]:
        found.append((source.position(path, at_key) or (0, 0), source.error(path, message, at_key)))
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
        choices = [str(value) for value in error.validator_value]
        near = did_you_mean(error.instance, choices) if isinstance(error.instance, str) else ""
        return [(path, f"{error.instance!r} is not one of {', '.join(choices)}{near}", False)]
    if error.validator == "pattern" and isinstance(error.instance, str):
        if error.schema == schema()["$defs"]["check"]:
            from ..checks.catalogue import CHECK_NAMES

            near = did_you_mean(error.instance, CHECK_NAMES) or f"; check names look like {CHECK_NAMES[0]!r}"
            return [(path, f"unknown audit check {error.instance!r}{near}", False)]
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
