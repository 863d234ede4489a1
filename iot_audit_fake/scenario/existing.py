"""What a running mock already holds, for checking a scenario's names against it before loading.

Loading into a running mock, a thing, group, policy, role, audit task or mitigation action that is
already there counts as known to the scenario's references, and a name already taken as a
duplicate (references.py). Reads moto's IoT and IAM backends and the audit backends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Existing(Protocol):
    """What a running mock already holds, per account and region."""

    def has(self, kind: str, account: str | None, region: str, name: str) -> bool:
        """``kind``: thing, thing_group, policy, iam_role, role_alias, audit_task, mitigation_action,
        scheduled_audit, mitigation_task; ``account`` None for the default one."""
        ...


def state_lookup() -> Existing:
    """What the active mock holds (moto's IoT and IAM backends, the audit backends)."""
    return _StateLookup()


class _StateLookup:
    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], Any] = {}

    def has(self, kind: str, account: str | None, region: str, name: str) -> bool:
        from ..accounts import default_account

        key = (kind, account or default_account(), region)
        if key not in self._cache:
            self._cache[key] = _names_of(*key)
        return name in self._cache[key]


def _names_of(kind: str, account: str, region: str) -> Any:
    """A container of the names of ``kind`` there (``in`` is all that is asked of it)."""
    from .. import moto_backends
    from ..backend import audit_backends

    iot: Any = moto_backends.iot(account, region)
    audit: Any = audit_backends[account][region]
    readers: dict[str, Callable[[], Any]] = {
        "thing": lambda: {t.thing_name for t in iot.things.values()},
        "thing_group": lambda: {g.thing_group_name for g in iot.thing_groups.values()},
        "policy": lambda: iot.policies,
        "role_alias": lambda: iot.role_aliases,
        "iam_role": lambda: {r.name for r in moto_backends.iam(account, region).roles.values()},
        "audit_task": lambda: audit.state.tasks,
        "mitigation_action": lambda: audit.state.mitigation_actions,
        "scheduled_audit": lambda: audit.state.scheduled_audits,
        "mitigation_task": lambda: audit.state.mitigation_tasks,
    }
    return readers[kind]()
