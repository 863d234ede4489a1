"""Backend calls for what AWS observes and moto cannot: device connections and seeded findings.

These are the documented ways for a test (or a scenario) to feed the checks::

    backend = audit_backends["123456789012"]["us-east-1"]
    backend.record_connection("sensor-1", certificate_id=cert_id, thing_name="sensor-1")
    backend.seed_observation("LOGGING_DISABLED_CHECK", {"account": "123456789012"})

Both only change what the next audit task sees; findings already produced stay as they were.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import clock, ids
from ..checks.catalogue import resource_spec
from ..checks.engine import Observation
from ..connections import Connection
from ..errors import InvalidRequestException
from ..findings import Finding
from ..state import AccountState
from ..tasks import ON_DEMAND, AuditTask, CheckRun


class ObservationOperations(AccountState):
    def record_connection(
        self,
        client_id: str,
        certificate_id: str | None = None,
        thing_name: str | None = None,
        connected_at: dt.datetime | None = None,
        disconnected_at: dt.datetime | None = None,
    ) -> Connection:
        """Record one MQTT session: who connected, with which certificate, from when until when.

        ``connected_at`` defaults to now; a session without ``disconnected_at`` is still open.
        """
        self.refresh()
        start = clock.aware(connected_at) if connected_at else clock.now()
        end = clock.aware(disconnected_at) if disconnected_at else None
        if end is not None and end < start:
            raise InvalidRequestException("disconnected_at is earlier than connected_at.")
        connection = Connection(client_id, certificate_id, thing_name, start, end)
        self.connections.append(connection)
        return connection

    def record_revocation(self, issuer: str, serial: str | int) -> None:
        """Record that ``issuer`` revoked the certificate with this serial number (what its CRL says).

        ``issuer`` is the issuer's name as RFC 4514 text (``cryptography``'s
        ``Name.rfc4514_string()``); ``serial`` an int or hex, with or without colons.
        REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK reports such a certificate while it is active.
        """
        self.refresh()
        text = f"{serial:x}" if isinstance(serial, int) else serial
        try:
            int(text.replace(":", ""), 16)
        except ValueError:
            raise InvalidRequestException(f"serial {serial!r} is not a hexadecimal number.") from None
        self.revoked_serials.add((issuer, text))

    def seed_observation(self, check_name: str, resource_identifier: dict[str, Any], **details: Any) -> Observation:
        """Make every later run of ``check_name`` report this resource as non-compliant.

        The observation goes through the same path as evaluated ones (suppressions,
        counts, findings). It must name the resource the way the check does; ``details``
        are :meth:`observation`'s (reason_code, reason, additional_info, related_resources).
        """
        self.refresh()
        observation = self.observation(check_name, resource_identifier, **details)
        self.seeded_observations.setdefault(check_name, []).append(observation)
        return observation

    def observation(
        self,
        check_name: str,
        resource_identifier: dict[str, Any],
        reason_code: str | None = None,
        reason: str | None = None,
        additional_info: dict[str, str] | None = None,
        related_resources: list[dict[str, Any]] | None = None,
    ) -> Observation:
        """An observation of ``check_name`` on a resource, validated against the catalogue."""
        spec = resource_spec(check_name, resource_identifier)
        code = reason_code or spec.reason_codes[0]
        if code not in spec.reason_codes:
            raise InvalidRequestException(
                f"{code} is not a reason code of {check_name}: {', '.join(spec.reason_codes)}."
            )
        return Observation(
            check_name=check_name,
            resource_type=spec.resource_type,
            identifier=resource_identifier,
            reason_code=code,
            reason=reason or f"Seeded non-compliant resource ({code}).",
            additional_info=dict(additional_info or {}),
            related=tuple(related_resources or ()),
        )

    def record_audit_task(
        self,
        start_time: dt.datetime,
        check_names: list[str],
        findings: list[tuple[Observation, bool, str | None]] | None = None,
        status: str = "COMPLETED",
        task_type: str = ON_DEMAND,
        scheduled_audit_name: str | None = None,
        task_id: str | None = None,
        resources: dict[str, int] | None = None,
    ) -> AuditTask:
        """Add a finished audit task to the history, with the findings it reported.

        ``findings`` holds (observation, suppressed, finding id or None). A check's
        resource count is ``resources[check]`` or at least its number of findings.
        """
        start = clock.aware(start_time)
        task = AuditTask(task_id or ids.task_id(), task_type, start, list(check_names), scheduled_audit_name)
        if task.task_id in self.tasks:
            raise InvalidRequestException(f"Audit task {task.task_id} already exists.")
        if status == "CANCELED":
            task.cancel()
        else:
            made = [Finding(finding_id or ids.uuid_like(), task.task_id, start, start, observation, suppressed)
                    for observation, suppressed, finding_id in findings or []]
            runs = {}
            for check in task.check_names:
                mine = [f for f in made if f.check_name == check]
                hidden = sum(f.is_suppressed for f in mine)
                total = max((resources or {}).get(check, 0), len(mine))
                verdict = "COMPLETED_NON_COMPLIANT" if len(mine) > hidden else "COMPLETED_COMPLIANT"
                runs[check] = (CheckRun("FAILED", error_code="INSUFFICIENT_PERMISSIONS") if status == "FAILED"
                               else CheckRun(verdict, total=total, noncompliant=len(mine), suppressed=hidden))
            task.finish(runs, made)
            for finding in made:
                self.findings.add(finding.finding_time, finding.finding_id, finding)
        self.tasks.add(start, task.task_id, task)
        return task

    def clear_seeded_observations(self, check_name: str | None = None) -> None:
        if check_name is None:
            self.seeded_observations.clear()
        else:
            self.seeded_observations.pop(check_name, None)
