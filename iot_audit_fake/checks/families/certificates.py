"""Certificate checks: expiry, age, key quality and revocation, per check-triggers.md §3, 4, 6, 7, 8, 10, 16, 17.

The certificates come from :func:`..chains.fleet` (moto's IoT, read through cryptography);
every time-based rule uses the evaluation's instant, ``ctx.now``, so a scheduled run caught
up late judges as of its own time. ``totalResourcesCount`` counts the certificates a check
examined; a PEM holding no readable certificate is not examined.

What each check can see, and what it cannot, is listed in ``docs/key-quality.md`` (key
quality) and in the per-check docstrings below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509

from ...moto_dates import registered_at
from ..catalogue import CHECKS
from ..chains import EXAMINED, Fleet, fleet
from ..engine import Context, Observation, Outcome, evaluator
from ..revocations import entries
from ..x509_facts import Reading

#: CA_CERTIFICATE_EXPIRING_CHECK has no setting: AWS fixes its threshold at 30 days (§3).
CA_EXPIRATION_THRESHOLD = dt.timedelta(days=30)
ROCA = "CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361"
REVOKED_BY_ISSUER = "CERTIFICATE_REVOKED_BY_ISSUER"


def _examined(ctx: Context, check: str) -> list[tuple[Any, Reading]]:
    """The certificates a check reads: ACTIVE-ish CA or device certificates, by its resource type."""
    view = fleet(ctx)
    if CHECKS[check].resource_type == "CA_CERTIFICATE":
        return [(ca, reading) for ca, reading in view.cas if ca.status in EXAMINED]
    return view.devices


def _epoch_ms(moment: dt.datetime) -> str:
    return str(int(moment.timestamp()) * 1000)


@evaluator("DEVICE_CERTIFICATE_EXPIRING_CHECK", "CA_CERTIFICATE_EXPIRING_CHECK")
def expiring(ctx: Context, check: str) -> Outcome:
    """§3 and §7: PAST_EXPIRATION when now > notAfter; APPROACHING when notAfter - now <= the threshold."""
    spec = CHECKS[check]
    if spec.config_spec("CERT_EXPIRATION_THRESHOLD_IN_DAYS") is None:
        threshold = CA_EXPIRATION_THRESHOLD
    else:
        threshold = dt.timedelta(days=ctx.setting(check, "CERT_EXPIRATION_THRESHOLD_IN_DAYS"))
    now = ctx.now
    horizon = now + threshold
    examined = _examined(ctx, check)
    outcome = Outcome(total=len(examined))
    for cert, reading in examined:
        not_after = reading.not_after
        if not_after > horizon:
            continue
        # [INF] notAfter is the last valid instant (RFC 5280): a certificate is past it only afterwards.
        if not_after < now:
            code, reason = "CERTIFICATE_PAST_EXPIRATION", "Certificate is past its expiration."
        else:
            code, reason = "CERTIFICATE_APPROACHING_EXPIRATION", "Certificate is approaching its expiration."
        outcome.noncompliant.append(Observation(
            check, spec.resource_type, {spec.identifier: cert.certificate_id}, code, reason,
            additional_info={"EXPIRATION_TIME": _epoch_ms(not_after)},
        ))
    return outcome


@evaluator("DEVICE_CERTIFICATE_AGE_CHECK")
def age(ctx: Context, check: str) -> Outcome:
    """§6: active for a number of days greater than or equal to CERT_AGE_THRESHOLD_IN_DAYS.

    [INF, the reference's] The age runs from the certificate's registration in IoT
    (``creationDate``), not its X.509 notBefore: the page speaks of a certificate active in
    AWS IoT.
    """
    spec = CHECKS[check]
    oldest = ctx.now - dt.timedelta(days=ctx.setting(check, "CERT_AGE_THRESHOLD_IN_DAYS"))
    examined = _examined(ctx, check)
    outcome = Outcome(total=len(examined))
    for cert, _ in examined:
        if registered_at(cert) <= oldest:
            outcome.noncompliant.append(Observation(
                check, spec.resource_type, {spec.identifier: cert.certificate_id},
                "CERTIFICATE_PAST_AGE_THRESHOLD", "Certificate is past its age threshold.",
            ))
    return outcome


@evaluator("DEVICE_CERTIFICATE_KEY_QUALITY_CHECK", "CA_CERTIFICATE_KEY_QUALITY_CHECK")
def key_quality(ctx: Context, check: str) -> Outcome:
    """§4 and §8: an RSA key with the ROCA fingerprint (CVE-2017-15361).

    CVE-2008-0166 (Debian's predictable OpenSSL keys) is not detected: that needs Debian's
    published weak-key lists, which no package the fake can depend on ships for offline use.
    Key length is not a reason: AWS refuses short keys at registration (docs/key-quality.md).
    """
    spec = CHECKS[check]
    examined = _examined(ctx, check)
    outcome = Outcome(total=len(examined))
    for cert, reading in examined:
        if reading.has_roca_key:
            outcome.noncompliant.append(Observation(
                check, spec.resource_type, {spec.identifier: cert.certificate_id}, ROCA,
                "Certificate key has the fingerprint of Infineon RSALib keys (ROCA), whose private key "
                "can be computed from the public key.",
            ))
    return outcome


def _revoked(ctx: Context) -> frozenset[tuple[x509.Name, int]]:
    return entries(ctx.audited.revoked_serials)


@evaluator("REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK")
def revoked_ca(ctx: Context, check: str) -> Outcome:
    """§16: an ACTIVE CA certificate whose (issuer, serial) is on its issuer's CRL (``record_revocation``).

    moto lets UpdateCACertificate set REVOKED, a status outside AWS's model: such a CA is
    simply not ACTIVE, so it is not examined, and the status drives no verdict.
    """
    spec = CHECKS[check]
    examined = _examined(ctx, check)
    outcome = Outcome(total=len(examined))
    revoked = _revoked(ctx)
    for ca, reading in examined:
        if revoked and (reading.cert.issuer, reading.serial) in revoked:
            outcome.noncompliant.append(Observation(
                check, spec.resource_type, {spec.identifier: ca.certificate_id}, REVOKED_BY_ISSUER,
                "CA certificate is revoked by its issuer, but is still active.",
            ))
    return outcome


@evaluator("REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK")
def revoked_device(ctx: Context, check: str) -> Outcome:
    """§17: an ACTIVE-ish device certificate that is itself on its CA's CRL (``record_revocation``).

    [INF, the reference's] A revoked CA does not by itself make the certificates below it
    non-compliant here; that is REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK and the
    intermediate-CA check.
    """
    spec = CHECKS[check]
    examined = _examined(ctx, check)
    outcome = Outcome(total=len(examined))
    revoked = _revoked(ctx)
    if not revoked:
        return outcome
    for cert, reading in examined:
        if (reading.cert.issuer, reading.serial) in revoked:
            outcome.noncompliant.append(Observation(
                check, spec.resource_type, {spec.identifier: cert.certificate_id}, REVOKED_BY_ISSUER,
                "Certificate is revoked by its issuer, but is still active.",
            ))
    return outcome


def _intermediates(view: Fleet) -> list[Reading]:
    """The authorities that are intermediates: issued by another name than their own."""
    return [authority for authority in view.authorities if not authority.self_issued]


def issuer_identifier(reading: Reading) -> dict[str, str]:
    """An ISSUER_CERTIFICATE's issuerCertificateIdentifier.

    [INF] ``issuerId`` is the subject key identifier in hex (the reference's choice: a stable
    issuer identity); the serial is plain lowercase hex, reported whole even beyond the
    model's 20 characters (the wire layer accepts up to 20 octets back, see wire/shapes.py).
    """
    return {
        "issuerCertificateSubject": reading.subject,
        "issuerId": reading.key_identifier,
        "issuerCertificateSerialNumber": format(reading.serial, "x"),
    }


@evaluator("INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK")
def intermediate_ca_revoked(ctx: Context, check: str) -> Outcome:
    """§10: an intermediate CA on its issuer's CRL through which at least one ACTIVE-ish device certificate chains.

    One finding per revoked intermediate, naming it as an ISSUER_CERTIFICATE; the related
    resources are the device certificates below it. [INF] The intermediate need not be
    registered in IoT: any authority the fake knows counts (see :mod:`..chains`), and
    ``totalResourcesCount`` is the number of known intermediates.
    """
    spec = CHECKS[check]
    view = fleet(ctx)
    intermediates = _intermediates(view)
    outcome = Outcome(total=len(intermediates))
    listed = _revoked(ctx)
    revoked = [r for r in intermediates if (r.cert.issuer, r.serial) in listed] if listed else []
    if not revoked:
        return outcome
    names = view.names_below(revoked)
    targets = {id(r) for r in revoked}
    below: dict[int, list[Any]] = {id(r): [] for r in revoked}
    for cert, reading in view.devices:
        if reading.cert.issuer not in names:
            continue
        for authority in view.ancestors(reading):
            if id(authority) in targets:
                below[id(authority)].append(cert)
    for reading in revoked:
        devices = below[id(reading)]
        if not devices:
            continue
        outcome.noncompliant.append(Observation(
            check, spec.resource_type, {spec.identifier: issuer_identifier(reading)},
            "INTERMEDIATE_CA_REVOKED_BY_ISSUER",
            "Intermediate CA certificate is revoked by its issuer, but device certificates below it are still active.",
            related=tuple(
                {"resourceType": "DEVICE_CERTIFICATE",
                 "resourceIdentifier": {"deviceCertificateId": d.certificate_id, "deviceCertificateArn": d.arn}}
                for d in devices
            ),
        ))
    return outcome
