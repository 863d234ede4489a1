"""A reply that never changes, and what the wire wrote it as.

Some values the API returns are final: a task that has ended describes the same way
until it expires, and a finding never changes. The domain builds such a value once and
hands it out as a :class:`FinalReply`; the writer keeps its JSON form and the wire the
bytes of a whole response on the reply itself (not in a process-wide cache: they go
with the task or finding, and expire with it).
Polling DescribeAuditTask until COMPLETED, then reading it again, is what tests do
most, and this is what keeps that call near botocore's own cost (issue 12).

Callers only read a FinalReply; nothing in the fake changes one after it is made.
"""

from __future__ import annotations

from typing import Any


class FinalReply(dict[str, Any]):
    """A value that will not change: ``written`` is its JSON form by its shape (set by the writer
    of :mod:`iot_audit_fake.service_model` once it wrote it), ``encoded`` the bytes of a whole
    response (set by the wire once it sent it). A FinalReply is written by one shape only."""

    __slots__ = ("encoded", "written")

    def __init__(self, value: dict[str, Any] | None = None) -> None:
        super().__init__(value or {})
        self.written: dict[str, Any] | None = None
        self.encoded: bytes | None = None
