"""IAM wildcard matching of action and resource patterns, as the policy grammar defines it.

* action names are case-insensitive; ``*`` matches any run of characters and ``?``
  one character (``[`` has no special meaning, unlike :mod:`fnmatch`);
* resources are case-sensitive with the same two wildcards; policy variables such
  as ``${iot:Connection.Thing.ThingName}`` are kept as literal text (they stand for
  one specific value at request time), and ``${*}``, ``${?}``, ``${$}`` stand for
  the literal character;
* MQTT wildcards ``+`` and ``#`` are literal characters in policies (which is what
  IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK is about).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_SPECIAL_VARIABLES = {"${*}": "*", "${?}": "?", "${$}": "$"}


def _tokens(pattern: str) -> Iterable[tuple[str, bool]]:
    """(text, is_variable) pieces; a policy variable is one literal piece."""
    i = 0
    while i < len(pattern):
        if pattern.startswith("${", i):
            end = pattern.find("}", i)
            if end != -1:
                variable = pattern[i:end + 1]
                yield _SPECIAL_VARIABLES.get(variable, variable), True
                i = end + 1
                continue
        yield pattern[i], False
        i += 1


@functools.lru_cache(maxsize=4096)
def _regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = [
        re.escape(text) if variable or text not in "*?" else (".*" if text == "*" else ".")
        for text, variable in _tokens(pattern)
    ]
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcard match of ``value`` (taken literally) against ``pattern``."""
    return _regex(pattern, ignore_case).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    return matches(pattern, action, ignore_case=True)


def has_wildcard(pattern: str, wildcards: str = "*?") -> bool:
    return literal_prefix(pattern, wildcards) is not None


def literal_prefix(pattern: str, wildcards: str = "*?") -> str | None:
    """The text before the first wildcard (policy variables kept as written), or None without one."""
    prefix: list[str] = []
    for text, variable in _tokens(pattern):
        if not variable and text in wildcards:
            return "".join(prefix)
        prefix.append(text)
    return None
