"""The audit check catalogue: the one table of facts about every check.

Rows follow §4 of the behaviour reference (per-check AWS documentation pages,
the suppression and mitigation tables). Everything else in the fake (config
validation, suppression keys, finding severity, allowed mitigation actions)
reads these rows instead of repeating them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidRequestException

PSNS = "PUBLISH_FINDING_TO_SNS"
DEV_ACTIONS = (PSNS, "UPDATE_DEVICE_CERTIFICATE", "ADD_THINGS_TO_THING_GROUP")
CA_ACTIONS = (PSNS, "UPDATE_CA_CERTIFICATE")
POLICY_ACTIONS = (PSNS, "REPLACE_DEFAULT_POLICY_VERSION")
KEY_CVES = ("CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361", "CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166")
EXPIRY_CODES = ("CERTIFICATE_APPROACHING_EXPIRATION", "CERTIFICATE_PAST_EXPIRATION")


@dataclass(frozen=True)
class ConfigSpec:
    """A custom check setting (CheckCustomConfiguration) with its range and default."""

    name: str
    minimum: int
    maximum: int
    default: int


@dataclass(frozen=True)
class CheckSpec:
    name: str
    severity: str
    resource_type: str
    #: The ResourceIdentifier member that names the resource (also the suppression key).
    identifier: str
    reason_codes: tuple[str, ...]
    mitigation_types: tuple[str, ...]
    config: tuple[ConfigSpec, ...] = field(default=())

    def config_spec(self, name: str) -> ConfigSpec | None:
        return next((c for c in self.config if c.name == name), None)


CATALOGUE: tuple[CheckSpec, ...] = (
    CheckSpec("AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK", "CRITICAL", "COGNITO_IDENTITY_POOL",
              "cognitoIdentityPoolId",
              ("ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS", "ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS",
               "ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS"), (PSNS,)),
    CheckSpec("UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK", "CRITICAL", "COGNITO_IDENTITY_POOL",
              "cognitoIdentityPoolId",
              ("ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS", "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"), (PSNS,)),
    CheckSpec("CA_CERTIFICATE_EXPIRING_CHECK", "MEDIUM", "CA_CERTIFICATE", "caCertificateId",
              EXPIRY_CODES, CA_ACTIONS),
    CheckSpec("CA_CERTIFICATE_KEY_QUALITY_CHECK", "CRITICAL", "CA_CERTIFICATE", "caCertificateId",
              KEY_CVES, CA_ACTIONS),
    CheckSpec("CONFLICTING_CLIENT_IDS_CHECK", "HIGH", "CLIENT_ID", "clientId",
              ("DUPLICATE_CLIENT_ID_ACROSS_CONNECTIONS",), (PSNS,)),
    # Resource type and mitigation set inferred [INF]: the check reads device certificates. The docs
    # say 30-3652 days, but the service refuses an age threshold above 3650 (check-triggers.md §6).
    CheckSpec("DEVICE_CERTIFICATE_AGE_CHECK", "LOW", "DEVICE_CERTIFICATE", "deviceCertificateId",
              ("CERTIFICATE_PAST_AGE_THRESHOLD",), DEV_ACTIONS,
              (ConfigSpec("CERT_AGE_THRESHOLD_IN_DAYS", 30, 3650, 365),)),
    CheckSpec("DEVICE_CERTIFICATE_EXPIRING_CHECK", "MEDIUM", "DEVICE_CERTIFICATE", "deviceCertificateId",
              EXPIRY_CODES, DEV_ACTIONS,
              (ConfigSpec("CERT_EXPIRATION_THRESHOLD_IN_DAYS", 30, 3652, 30),)),
    CheckSpec("DEVICE_CERTIFICATE_KEY_QUALITY_CHECK", "CRITICAL", "DEVICE_CERTIFICATE", "deviceCertificateId",
              KEY_CVES, DEV_ACTIONS),
    CheckSpec("DEVICE_CERTIFICATE_SHARED_CHECK", "CRITICAL", "DEVICE_CERTIFICATE", "deviceCertificateId",
              ("CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES",), DEV_ACTIONS),
    # Resource type and identifier inferred [INF]: the finding names the revoked issuer.
    CheckSpec("INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK", "CRITICAL", "ISSUER_CERTIFICATE",
              "issuerCertificateIdentifier", ("INTERMEDIATE_CA_REVOKED_BY_ISSUER",), DEV_ACTIONS),
    CheckSpec("IOT_POLICY_OVERLY_PERMISSIVE_CHECK", "CRITICAL", "IOT_POLICY", "policyVersionIdentifier",
              ("ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS",), POLICY_ACTIONS),
    CheckSpec("IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK", "MEDIUM", "IOT_POLICY", "policyVersionIdentifier",
              ("POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT",
               "TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS"), POLICY_ACTIONS),
    CheckSpec("IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK", "MEDIUM", "ROLE_ALIAS", "roleAliasArn",
              ("ALLOWS_ACCESS_TO_UNUSED_SERVICES",), (PSNS,)),
    CheckSpec("IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK", "CRITICAL", "ROLE_ALIAS", "roleAliasArn",
              ("ALLOWS_BROAD_ACCESS_TO_USED_SERVICES", "ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES",
               "ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS", "ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS",
               "ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS", "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"),
              (PSNS,)),
    CheckSpec("LOGGING_DISABLED_CHECK", "LOW", "ACCOUNT_SETTINGS", "account",
              ("LOGGING_DISABLED",), (PSNS, "ENABLE_IOT_LOGGING")),
    CheckSpec("REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK", "CRITICAL", "CA_CERTIFICATE", "caCertificateId",
              ("CERTIFICATE_REVOKED_BY_ISSUER",), CA_ACTIONS),
    CheckSpec("REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK", "MEDIUM", "DEVICE_CERTIFICATE", "deviceCertificateId",
              ("CERTIFICATE_REVOKED_BY_ISSUER",), DEV_ACTIONS),
)

CHECKS: dict[str, CheckSpec] = {spec.name: spec for spec in CATALOGUE}
CHECK_NAMES: tuple[str, ...] = tuple(sorted(CHECKS))


def resource_spec(check_name: str, identifier: dict[str, Any]) -> CheckSpec:
    """The check's row, once ``identifier`` names a resource the way the check does (reference §4):
    by exactly its one identifier member. Used wherever a request names a check's resource."""
    spec = CHECKS.get(check_name)
    if spec is None:
        raise InvalidRequestException(f"Unknown audit check name: {check_name}.")
    if set(identifier) != {spec.identifier}:
        raise InvalidRequestException(f"{check_name} identifies resources by {spec.identifier}.")
    return spec


def unknown_checks(names: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """Names that are not checks (legacy doc names such as REVOKED_CA_CERT_CHECK included)."""
    return sorted({n for n in names if n not in CHECKS})
