"""What every operation group works on, declared and not implemented.

Each ``*Operations`` mixin in this package is typed against :class:`OperationsBase`, which only
declares the attribute the operations use (as fakeredis's ``commands_mixins`` are built over a
base that declares attributes): the explicit :class:`iot_audit_fake.state.AuditState` of one
account and region. The mixins hold no state and inherit no behaviour; an operation reads and
changes the state through it (its lifecycle methods for tasks), and catches it up with
:mod:`iot_audit_fake.upkeep`. :class:`iot_audit_fake.backend.AuditBackend` provides the attribute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..state import AuditState


class OperationsBase:
    """Declares what the operation mixins read: annotations only, no behaviour."""

    #: The audit state of the backend's account and region.
    state: AuditState
