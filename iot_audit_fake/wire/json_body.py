"""Reading a JSON request body the way AWS's front end does: strict JSON, bounded nesting.

Python's ``json`` accepts ``NaN`` and ``Infinity`` and recurses once per nesting level
(a deeply nested body is a RecursionError); neither is a valid request to AWS.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import AuditError

#: The deepest nesting of arrays and objects a body may have [INF]: AWS documents no limit; the
#: deepest IoT input shape is far shallower, and no reader recurses past it.
MAX_NESTING = 64


def read_json(body: bytes | str, error: type[AuditError], max_nesting: int = MAX_NESTING) -> Any:
    """The document in ``body``, or ``error`` (an AuditError class) saying what is wrong with it."""
    try:
        document = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        raise error(f"The request body is nested deeper than {max_nesting} levels.") from None
    except (ValueError, UnicodeDecodeError) as problem:
        raise error(f"The request body is not valid JSON: {problem}") from None
    if _may_nest_deeper(body, max_nesting) and nesting(document) > max_nesting:
        raise error(f"The request body is nested deeper than {max_nesting} levels.")
    return document


def nesting(document: Any) -> int:
    """How deep arrays and objects nest in ``document`` (0 for a scalar), without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(document, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        pending.extend((child, depth) for child in children)
    return deepest


def _may_nest_deeper(body: bytes | str, max_nesting: int) -> bool:
    """Whether ``body`` has enough opening brackets to nest deeper than ``max_nesting`` (each level
    opens one; brackets in strings only raise the count), so small bodies need no walk."""
    if isinstance(body, str):
        return body.count("[") + body.count("{") > max_nesting
    return body.count(b"[") + body.count(b"{") > max_nesting


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
