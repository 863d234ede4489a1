"""A reply that never changes, and the bytes the wire wrote it as.

Some operations answer with a value that is final: a task that has ended describes
the same way until it expires. The domain builds such a value once and hands it out
as a :class:`FinalReply`; the wire writes and encodes it on the first call and keeps
the bytes on the reply itself (not in a process-wide cache: they go with the task).
Polling DescribeAuditTask until COMPLETED, then reading it again, is what tests do
most, and this is what keeps that call near botocore's own cost (issue 12).

Callers only read a FinalReply; nothing in the fake changes one after it is made.
"""

from __future__ import annotations

from typing import Any


class FinalReply(dict[str, Any]):
    """An operation's result that will not change; ``encoded`` is set by the wire once written."""

    __slots__ = ("encoded",)

    def __init__(self, value: dict[str, Any] | None = None) -> None:
        super().__init__(value or {})
        self.encoded: bytes | None = None
