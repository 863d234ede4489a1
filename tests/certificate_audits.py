"""Helpers for the certificate-check tests: register certificates in moto's IoT and audit them through boto3."""

from __future__ import annotations

import datetime as dt
from typing import Any

from certs import Issued
from conftest import EXPIRING, ROLE

AGE = "DEVICE_CERTIFICATE_AGE_CHECK"
KEY = "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"
CA_EXPIRING = "CA_CERTIFICATE_EXPIRING_CHECK"
CA_KEY = "CA_CERTIFICATE_KEY_QUALITY_CHECK"
REVOKED_CA = "REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK"
REVOKED_DEVICE = "REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK"
INTERMEDIATE = "INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK"
CERTIFICATE_CHECKS = (EXPIRING, AGE, KEY, CA_EXPIRING, CA_KEY, REVOKED_CA, REVOKED_DEVICE, INTERMEDIATE)
DEBIAN = "CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166"
ROCA = "CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361"


def configure(iot: Any, check: str, **settings: int) -> None:
    config: dict[str, Any] = {"enabled": True}
    if settings:
        config["configuration"] = {name: str(value) for name, value in settings.items()}
    iot.update_account_audit_configuration(roleArn=ROLE, auditCheckConfigurations={check: config})


def audit(iot: Any, *checks: str) -> str:
    enabled = iot.describe_account_audit_configuration()["auditCheckConfigurations"]
    for check in checks:
        if not enabled.get(check, {}).get("enabled"):
            configure(iot, check)
    return str(iot.start_on_demand_audit_task(targetCheckNames=list(checks))["taskId"])


def details(iot: Any, task_id: str, check: str) -> dict[str, Any]:
    return dict(iot.describe_audit_task(taskId=task_id)["auditDetails"][check])


def run(iot: Any, check: str) -> tuple[str, dict[str, Any]]:
    task_id = audit(iot, check)
    return task_id, details(iot, task_id, check)


def every_page(call: Any, field: str, **kwargs: Any) -> list[dict[str, Any]]:
    """The ``field`` items of every page of a listing ``call``, following nextToken."""
    items: list[dict[str, Any]] = []
    while True:
        page = call(**kwargs)
        items.extend(page[field])
        if not page.get("nextToken"):
            return items
        kwargs["nextToken"] = page["nextToken"]


def findings(iot: Any, task_id: str, check: str | None = None) -> list[dict[str, Any]]:
    return every_page(iot.list_audit_findings, "findings", taskId=task_id, **({"checkName": check} if check else {}))


def related(iot: Any, finding_id: str) -> list[dict[str, Any]]:
    return every_page(iot.list_related_resources_for_audit_finding, "relatedResources", findingId=finding_id)


def assert_result(detail: dict[str, Any], total: int, noncompliant: int) -> None:
    status = "COMPLETED_NON_COMPLIANT" if noncompliant else "COMPLETED_COMPLIANT"
    assert detail["checkRunStatus"] == status, detail
    assert detail["totalResourcesCount"] == total, detail
    assert detail["nonCompliantResourcesCount"] == noncompliant, detail


def flagged(iot: Any, task_id: str, check: str) -> list[Any]:
    """The resourceIdentifier of each finding of ``check`` in the task."""
    return [f["nonCompliantResource"]["resourceIdentifier"] for f in findings(iot, task_id, check)]


def register_device(iot: Any, device: Issued | str, status: str = "ACTIVE", ca: Issued | None = None) -> str:
    pem = device if isinstance(device, str) else device.pem
    if ca is not None:
        registered = iot.register_certificate(certificatePem=pem, caCertificatePem=ca.pem, status=status)
        return str(registered["certificateId"])
    return str(iot.register_certificate_without_ca(certificatePem=pem, status=status)["certificateId"])


def register_ca(iot: Any, ca: Issued | str, active: bool = True) -> str:
    pem = ca if isinstance(ca, str) else ca.pem
    return str(iot.register_ca_certificate(caCertificate=pem, setAsActive=active)["certificateId"])


def epoch_ms(moment: dt.datetime) -> str:
    return str(int(moment.timestamp()) * 1000)
