"""Backend calls for what AWS observes and moto cannot: connections, service usage, CRLs, seeded findings.

These are the documented ways for a test (or a scenario) to feed the checks
(docs/observations.md)::

    backend = audit_backends["123456789012"]["us-east-1"]
    backend.record_connection("sensor-1", certificate_id=cert_id, thing_name="sensor-1")
    backend.record_connection("app-7", identity_pool_id=pool_id)
    backend.record_service_usage(role_arn, "iot")
    backend.set_data_collection_delay("DEVICE_CERTIFICATE_SHARED_CHECK", 0)
    backend.seed_observation("LOGGING_DISABLED_CHECK", {"account": "123456789012"})

They only change what the next audit task sees; findings already produced stay as they were.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .. import clock, ids, upkeep, verdict
from ..checks import revocations
from ..checks.catalogue import CHECKS, resource_spec
from ..checks.outcomes import Observation
from ..connections import Connection
from ..errors import InvalidRequestException
from ..findings import Finding
from ..tasks import ON_DEMAND, AuditTask, CheckRun
from .base import OperationsBase

#: Cognito IdentityPoolId, as the cognito-identity model constrains it.
_POOL_ID = re.compile(r"^[\w-]+:[0-9a-f-]+$")
#: An IAM role ARN (the path may hold slashes).
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
#: An IAM service prefix ("iot", "dynamodb", "execute-api").
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ObservationOperations(OperationsBase):
    def record_connection(
        self,
        client_id: str,
        certificate_id: str | None = None,
        thing_name: str | None = None,
        connected_at: dt.datetime | None = None,
        disconnected_at: dt.datetime | None = None,
        identity_pool_id: str | None = None,
    ) -> Connection:
        """Record one MQTT session: who connected, with which certificate or through which Cognito
        identity pool, from when until when.

        ``connected_at`` defaults to now; a session without ``disconnected_at`` is still open.
        ``identity_pool_id`` names the pool of a Cognito identity that connected: the two Cognito
        checks examine only pools used to connect in the 31 days before the audit.
        """
        upkeep.catch_up(self.state, clock.now())
        if not client_id:
            raise InvalidRequestException("client_id must not be empty.")
        if identity_pool_id is not None and not _POOL_ID.match(identity_pool_id):
            raise InvalidRequestException(f"identity_pool_id {identity_pool_id!r} is not a Cognito identity pool id "
                                          "(region:uuid).")
        start = clock.instant(connected_at) if connected_at else clock.now()
        end = clock.instant(disconnected_at) if disconnected_at else None
        if end is not None and end < start:
            raise InvalidRequestException("disconnected_at is earlier than connected_at.")
        connection = Connection(client_id, certificate_id, thing_name, start, end, identity_pool_id)
        self.state.add_connection(connection)
        return connection

    def record_revocation(self, issuer: str, serial: str | int) -> None:
        """Record a CRL entry: ``issuer`` revoked the certificate with this serial number.

        ``issuer`` is the revoked certificate's issuer Name as RFC 4514 text (as ``cryptography``'s
        ``Name.rfc4514_string()`` writes it, e.g. ``"CN=Fleet CA,O=Example Corp"``); ``serial`` an
        int, or hex with or without colons. The entry covers device and CA certificates alike:
        REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK reports an active device certificate on it,
        REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK an ACTIVE CA certificate, and
        INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK an intermediate CA that active
        device certificates chain through (checks/revocations.py).
        """
        upkeep.catch_up(self.state, clock.now())
        try:
            entry = revocations.normalize(issuer, serial)
        except ValueError as error:
            raise InvalidRequestException(f"{error}.") from None
        self.state.add_revocation(entry)

    def record_service_usage(self, role_arn: str, service: str, last_accessed: dt.datetime | None = None) -> None:
        """Record that the IAM role last used ``service`` (its IAM prefix, e.g. "iot" or "dynamodb")
        at ``last_accessed`` (default now): IAM's service-last-accessed data, which the two role-alias
        checks read. A later time replaces an earlier one; an earlier one changes nothing.
        """
        upkeep.catch_up(self.state, clock.now())
        if not _ROLE_ARN.match(role_arn):
            raise InvalidRequestException(f"role_arn {role_arn!r} is not an IAM role ARN.")
        prefix = service.lower()
        if not _SERVICE.match(prefix):
            raise InvalidRequestException(f"service {service!r} is not an IAM service prefix such as 'iot'.")
        # A time after now is kept: a run sees it once its instant has reached it.
        when = clock.instant(last_accessed) if last_accessed else clock.now()
        self.state.record_usage(role_arn, prefix, when)

    def set_data_collection_delay(self, check_name: str, delay: dt.timedelta | float | None) -> None:
        """How long ``check_name`` waits for data after being enabled (WAITING_FOR_DATA_COLLECTION).

        ``delay`` is a timedelta or seconds; 0 means results at once; None restores the default
        (2 hours for DEVICE_CERTIFICATE_SHARED_CHECK, none for the others). Applies to tasks
        still running too, and lasts until the backend is reset.
        """
        if check_name not in CHECKS:
            raise InvalidRequestException(f"Unknown audit check name: {check_name}.")
        value = delay
        if value is not None and not isinstance(value, dt.timedelta):
            value = dt.timedelta(seconds=value)
        if value is not None and value < dt.timedelta(0):
            raise InvalidRequestException("A data collection delay cannot be negative.")
        self.state.set_collection_delay(check_name, value)
        upkeep.catch_up(self.state, clock.now())

    def set_check_enabled_at(self, check_name: str, when: dt.datetime | None) -> None:
        """Treat the enabled check ``check_name`` as enabled at ``when`` (None: long ago).

        A check that reads connections sees only events since it was enabled, and waits for
        data collection until then plus its delay; this backdates (or forgets) that moment,
        e.g. to audit connections recorded in the past right after enabling the check.
        """
        if check_name not in CHECKS:
            raise InvalidRequestException(f"Unknown audit check name: {check_name}.")
        if not self.state.configuration.is_enabled(check_name):
            raise InvalidRequestException(f"{check_name} is not enabled.")
        self.state.configuration.set_enabled_at(check_name, clock.instant(when) if when is not None else None)
        upkeep.catch_up(self.state, clock.now())

    def seed_observation(self, check_name: str, resource_identifier: dict[str, Any], **details: Any) -> Observation:
        """Make every later run of ``check_name`` report this resource as non-compliant.

        The observation goes through the same path as evaluated ones (suppressions,
        counts, findings). It must name the resource the way the check does; ``details``
        are :meth:`observation`'s (reason_code, reason, additional_info, related_resources).
        """
        upkeep.catch_up(self.state, clock.now())
        observation = self.observation(check_name, resource_identifier, **details)
        self.state.seed(observation)
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
        resource count is ``resources[check]`` or at least its number of resources with findings; the
        verdict is computed as for a run (verdict.py).
        """
        start = clock.aware(start_time)
        task = AuditTask(task_id or ids.task_id(), task_type, start, list(check_names), scheduled_audit_name)
        if task.task_id in self.state.tasks:
            raise InvalidRequestException(f"Audit task {task.task_id} already exists.")
        if status == "CANCELED":
            task.cancel()
        else:
            made = [Finding(finding_id or ids.uuid_like(), task.task_id, start, start, observation, suppressed)
                    for observation, suppressed, finding_id in findings or []]
            runs = {}
            for check in task.check_names:
                pairs = [(f.observation, f.is_suppressed) for f in made if f.check_name == check]
                runs[check] = (CheckRun("FAILED", error_code="INSUFFICIENT_PERMISSIONS") if status == "FAILED"
                               else verdict.check_run(pairs, (resources or {}).get(check, 0)))
            task.finish(runs, made)
        self.state.add_finished_task(task)
        return task

    def clear_seeded_observations(self, check_name: str | None = None) -> None:
        self.state.clear_seeded(check_name)
