"""Certificate checks: expiry, age, key quality and revocation of the certificates registered in moto's IoT.

Every fact comes from the certificate PEM itself (moto's ``validity_not_before`` and
``validity_not_after`` are placeholders), read through :func:`certificate_facts`.

Which certificates are examined
    The AWS check pages say the device-certificate checks apply "to device
    certificates that are ACTIVE or PENDING_TRANSFER": those are the statuses a
    device can still authenticate with (or soon will, once a transfer is
    accepted). The CA checks use the same two statuses; AWS's CA statuses are only
    ACTIVE and INACTIVE. ``totalResourcesCount`` is the number of certificates a
    check examined; a PEM that holds no readable certificate is not examined.

Revocation [INF]
    AWS reads certificate revocation lists, which moto does not have. Here a CA
    certificate counts as revoked by its issuer when its status in moto is
    ``REVOKED`` (moto accepts that value in UpdateCACertificate although AWS's
    model allows only ACTIVE and INACTIVE).

    * REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK: a revoked CA that still has
      ACTIVE or PENDING_TRANSFER device certificates below it; the finding names
      the CA and lists those device certificates as related resources.
    * REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK: an ACTIVE or PENDING_TRANSFER
      device certificate whose CA is revoked, or whose (issuer, serial) pair is in
      the issuer revoked, as recorded with ``backend.record_revocation(issuer,
      serial)`` (moto has no CRLs): the issuer written as ``cryptography``'s
      ``Name.rfc4514_string()`` writes it, the serial in any case, with or
      without colons.
    * INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK: a revoked CA
      that is an intermediate (its issuer is not its subject) and has ACTIVE or
      PENDING_TRANSFER device certificates anywhere below it in the chain of
      registered CA certificates.

    A device certificate belongs to the CA that moto linked it to when it was
    registered with its CA (``ca_certificate_id``). Otherwise, and between CA
    certificates, the issuer is found by name (the issuer Name's DER equals the
    CA's subject Name's DER) and confirmed by checking the signature.

Key quality [INF]
    AWS names two CVEs as reason codes and publishes no thresholds.

    * ``CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361`` (ROCA) for an RSA modulus
      with the fingerprint of Infineon's RSALib keys. The fingerprint test is the
      published one and is cheap: the modulus is a power of 65537 modulo each
      small prime from 3 to 167.
    * ``CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166`` (Debian's predictable
      OpenSSL keys) for every other key too weak to trust: RSA shorter than 2048
      bits or with a public exponent below 3 or even, EC curves smaller than 256
      bits, and any DSA key (the Debian advisory counts every DSA key used with
      the weak generator as compromised, since DSA leaks its key through
      predictable signing nonces). The fake cannot match keys against Debian's
      blocklists, so size and algorithm stand in for them.

Speed
    Each PEM is read once. :func:`certificate_facts` decodes it, loads it with
    cryptography and keeps its validity, a verdict on its key and its DER in a
    bounded LRU cache keyed by the PEM string, shared by every check, task and
    account; names and serials (:func:`identity`) are read from that DER only
    when a revocation check needs them. Within one evaluation the device checks
    share one list of the examined certificates (:func:`examined_devices`). An EC
    key's curve is read from the DER, because ``public_key()`` validates the EC
    point, which costs more than loading the certificate. With a cold cache an
    audit running the three device-certificate checks over 10,000 certificates
    costs about twice what parsing their PEMs once costs
    (``benchmarks/bench_certificate_evaluation.py``).
"""

from __future__ import annotations

import binascii
import datetime as dt
import functools
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

from ..catalogue import CHECKS
from ..engine import Context, Observation, Outcome, evaluator

#: Certificate statuses the checks examine (see the module docstring).
EXAMINED = frozenset({"ACTIVE", "PENDING_TRANSFER"})
#: The CA status that stands for "revoked by its issuer" [INF].
REVOKED = "REVOKED"
#: CA_CERTIFICATE_EXPIRING_CHECK has no setting: AWS fixes its threshold at 30 days.
CA_EXPIRATION_THRESHOLD = dt.timedelta(days=30)
#: Distinct PEMs whose facts are kept (a larger fleet is read again, once, on every evaluation).
CACHE_SIZE = 32_768

MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
ROCA = "CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361"
WEAK_KEY = "CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166"

_BEGIN = "-----BEGIN CERTIFICATE-----"
_END = "-----END CERTIFICATE-----"
_EC_KEY_ALGORITHM = x509.ObjectIdentifier("1.2.840.10045.2.1")  # id-ecPublicKey
#: The DER of the OID id-ecPublicKey.
_EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")
#: Certificate.public_key_algorithm_oid is recent (cryptography 45); older releases take the slow path.
_KEY_ALGORITHM_KNOWN = hasattr(x509.Certificate, "public_key_algorithm_oid")


@dataclass(frozen=True, slots=True)
class KeyQuality:
    """What a certificate's public key is, and why it is weak if it is."""

    description: str
    reason_code: str | None = None
    reason: str | None = None


class CertificateFacts(NamedTuple):
    """What the expiry, age and key checks need from one certificate (a tuple: cheap to build)."""

    not_before: dt.datetime
    not_after: dt.datetime
    key: KeyQuality
    #: The certificate's DER, for the rarer reads (names, serial, signatures) without decoding the PEM again.
    der: bytes


class Identity(NamedTuple):
    """Who a certificate is and who issued it: the Names in DER, compared byte for byte."""

    serial: int
    issuer: bytes
    subject: bytes


# -- reading certificates ------------------------------------------------------


@functools.lru_cache(maxsize=CACHE_SIZE)
def certificate_facts(pem: str) -> CertificateFacts | None:
    """The facts of the first certificate in ``pem``, or None if it holds no readable certificate."""
    try:
        der, cert = _load_pem(pem)
        return CertificateFacts(cert.not_valid_before_utc, cert.not_valid_after_utc, _key_quality(cert, der), der)
    except (ValueError, TypeError):
        return None


@functools.lru_cache(maxsize=CACHE_SIZE)
def identity(pem: str) -> Identity | None:
    """Serial number, issuer and subject of the certificate in ``pem`` (read from the cached DER)."""
    facts = certificate_facts(pem)
    if facts is None:
        return None
    der = facts.der
    pos = _element(der, _element(der, 0)[0])[0]  # Certificate -> TBSCertificate contents
    if der[pos] == 0xA0:  # [0] version
        pos = _element(der, pos)[1]
    serial_start, serial_end = _element(der, pos)
    issuer_start = _element(der, serial_end)[1]  # past the signature AlgorithmIdentifier
    issuer_end = _element(der, issuer_start)[1]
    subject_start = _element(der, issuer_end)[1]  # past the validity
    subject_end = _element(der, subject_start)[1]
    return Identity(int.from_bytes(der[serial_start:serial_end], "big", signed=True),
                    der[issuer_start:issuer_end], der[subject_start:subject_end])


def _load_pem(pem: str) -> tuple[bytes, x509.Certificate]:
    """The DER and the certificate of the first certificate in ``pem``."""
    # Decoding the base64 here and loading the DER is cheaper than cryptography's PEM loader,
    # and leaves the DER at hand. A PEM of one certificate ends with its END line.
    start = pem.find(_BEGIN)
    end = pem.rfind(_END)
    if 0 <= start < end:
        try:
            der = binascii.a2b_base64(pem[start + len(_BEGIN):end])
            return der, x509.load_der_x509_certificate(der)
        except ValueError:
            pass  # several blocks, or not a certificate: cryptography sorts it out or says why
    cert = x509.load_pem_x509_certificate(pem.encode())
    return cert.public_bytes(serialization.Encoding.DER), cert


def _element(der: bytes, pos: int) -> tuple[int, int]:
    """Where the contents of the DER element at ``pos`` start and end (tags in a TBSCertificate are one byte)."""
    length = der[pos + 1]
    start = pos + 2
    if length & 0x80:
        end_of_length = start + (length & 0x7F)
        length = int.from_bytes(der[start:end_of_length], "big")
        start = end_of_length
    end = start + length
    if end > len(der):
        raise ValueError("truncated DER element")
    return start, end


def _oid(value: bytes) -> str:
    """The dotted form of an OBJECT IDENTIFIER's contents."""
    arcs: list[int] = []
    arc = 0
    for byte in value:
        arc = (arc << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(arc)
            arc = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in (first, arcs[0] - 40 * first, *arcs[1:]))


# -- key quality -------------------------------------------------------------------


def _key_quality(cert: x509.Certificate, der: bytes) -> KeyQuality:
    # An EC key is judged by its named curve, read straight from the DER: loading an EC public
    # key validates its point, which costs more than loading the whole certificate. Once the key
    # is known to be EC, the first AlgorithmIdentifier SEQUENCE { id-ecPublicKey, curve OID } in
    # the DER is the key's: before the SubjectPublicKeyInfo come only the serial, the signature
    # algorithm (ecdsa-with-* OIDs), the names and the dates. Anything else, and cryptography
    # releases without public_key_algorithm_oid, go through public_key().
    if _KEY_ALGORITHM_KNOWN and cert.public_key_algorithm_oid == _EC_KEY_ALGORITHM:
        at = der.find(_EC_PUBLIC_KEY)
        if at >= 2 and len(der) > at + 11 and der[at + 9] == 0x06:
            length = der[at + 10]
            if der[at - 2] == 0x30 and der[at - 1] == 11 + length:
                quality = _named_curve_quality(der[at + 11:at + 11 + length])
                if quality is not None:
                    return quality
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return KeyQuality("unreadable public key")
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return _rsa_quality(numbers.n, numbers.e)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return _curve_quality(key.curve)
    if isinstance(key, dsa.DSAPublicKey):
        return KeyQuality(f"DSA {key.key_size}-bit", WEAK_KEY,
                          "Certificate uses a DSA key, which predictable signing nonces expose.")
    return KeyQuality(type(key).__name__.removeprefix("_").removesuffix("PublicKey") or "public key")


def _rsa_quality(modulus: int, exponent: int) -> KeyQuality:
    bits = modulus.bit_length()
    description = f"RSA {bits}-bit"
    if has_roca_fingerprint(modulus):
        return KeyQuality(description, ROCA,
                          "Certificate key has the fingerprint of Infineon RSALib keys (ROCA), "
                          "whose private key can be computed from the public key.")
    if bits < MIN_RSA_BITS:
        return KeyQuality(description, WEAK_KEY,
                          f"Certificate uses an RSA key of {bits} bits, shorter than {MIN_RSA_BITS} bits.")
    if exponent < 3 or exponent % 2 == 0:
        return KeyQuality(description, WEAK_KEY,
                          f"Certificate uses an RSA key with the weak public exponent {exponent}.")
    return KeyQuality(description)


@functools.lru_cache(maxsize=64)
def _named_curve_quality(curve_oid: bytes) -> KeyQuality | None:
    try:
        return _curve_quality(ec.get_curve_for_oid(x509.ObjectIdentifier(_oid(curve_oid)))())
    except (LookupError, ValueError, IndexError):
        return None


def _curve_quality(curve: ec.EllipticCurve) -> KeyQuality:
    description = f"EC {curve.name}"
    if curve.key_size < MIN_EC_BITS:
        return KeyQuality(description, WEAK_KEY,
                          f"Certificate uses the {curve.key_size}-bit elliptic curve {curve.name}, "
                          f"smaller than {MIN_EC_BITS} bits.")
    return KeyQuality(description)


def _roca_masks() -> tuple[tuple[int, int], ...]:
    """For each small prime r, the residues mod r (as a bitmask) that powers of 65537 take.

    An RSALib prime is k*M + (65537^a mod M) with M a primorial, so the product of two is a
    power of 65537 modulo every prime dividing M. A modulus without that structure fails the test
    within a few primes; one in about 2**28 passes all 38 by chance.
    """
    masks = []
    for r in (p for p in range(3, 168) if all(p % d for d in range(2, int(p ** 0.5) + 1))):
        generator, residue, mask = 65537 % r, 1, 0
        while not mask >> residue & 1:
            mask |= 1 << residue
            residue = residue * generator % r
        masks.append((r, mask))
    return tuple(masks)


_ROCA_MASKS = _roca_masks()


def has_roca_fingerprint(modulus: int) -> bool:
    """Whether an RSA modulus has the ROCA (CVE-2017-15361) fingerprint."""
    return all(mask >> (modulus % r) & 1 for r, mask in _ROCA_MASKS)


# -- one evaluation's view of the device certificates ----------------------------------

#: The examined device certificates of the last evaluation, kept while its Context lives.
_last_evaluation: tuple[weakref.ReferenceType[Context], list[tuple[str, CertificateFacts]]] | None = None


def examined_devices(ctx: Context) -> list[tuple[str, CertificateFacts]]:
    """(certificate id, facts) of every ACTIVE or PENDING_TRANSFER device certificate with a readable PEM.

    Computed once per evaluation (one Context) and shared by the checks of a task: a compact
    list is much cheaper to walk three times than 10,000 moto objects and cache entries.
    """
    global _last_evaluation
    last = _last_evaluation
    if last is not None and last[0]() is ctx:
        return last[1]
    examined = []
    for cert in ctx.iot.certificates.values():
        if cert.status in EXAMINED:
            facts = certificate_facts(cert.certificate_pem)
            if facts is not None:
                examined.append((cert.certificate_id, facts))
    _last_evaluation = (weakref.ref(ctx), examined)
    return examined


# -- who issued what -------------------------------------------------------------


def _load(pem: str) -> x509.Certificate | None:
    facts = certificate_facts(pem)
    return None if facts is None else x509.load_der_x509_certificate(facts.der)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _signed_by(pem: str, issuer_pem: str) -> bool:
    """Whether the certificate in ``issuer_pem`` issued the one in ``pem`` (names and signature)."""
    cert, issuer = _load(pem), _load(issuer_pem)
    if cert is None or issuer is None:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


@functools.lru_cache(maxsize=1024)
def _issuer_name(pem: str) -> str | None:
    cert = _load(pem)
    return None if cert is None else cert.issuer.rfc4514_string()


@functools.lru_cache(maxsize=1024)
def _subject_name(pem: str) -> str | None:
    cert = _load(pem)
    return None if cert is None else cert.subject.rfc4514_string()


def _issued_by(cert: Any, cas: list[Any]) -> Any | None:
    """Which of ``cas`` issued ``cert``: found by name, confirmed by signature."""
    names = identity(cert.certificate_pem)
    if names is None:
        return None
    for ca in cas:
        ca_names = identity(ca.certificate_pem)
        if (ca is not cert and ca_names is not None and ca_names.subject == names.issuer
                and _signed_by(cert.certificate_pem, ca.certificate_pem)):
            return ca
    return None


def _devices_below(ctx: Context, cas: list[Any]) -> dict[str, list[str]]:
    """Ids of the ACTIVE or PENDING_TRANSFER device certificates each CA in ``cas`` issued directly, by CA id."""
    below: dict[str, list[str]] = {ca.certificate_id: [] for ca in cas}
    if not cas:
        return below
    by_subject: dict[bytes, list[Any]] = {}
    for ca in cas:
        names = identity(ca.certificate_pem)
        if names is not None:
            by_subject.setdefault(names.subject, []).append(ca)
    for device in ctx.iot.certificates.values():
        if device.status not in EXAMINED:
            continue
        if device.ca_certificate_id is not None:
            # Registered with its CA: moto's link decides.
            if device.ca_certificate_id in below:
                below[device.ca_certificate_id].append(device.certificate_id)
            continue
        if not by_subject:
            continue
        names = identity(device.certificate_pem)
        if names is None or names.issuer not in by_subject:
            continue
        issuer = _issued_by(device, by_subject[names.issuer])
        if issuer is not None:
            below[issuer.certificate_id].append(device.certificate_id)
    return below


def _chain_below(ca: Any, cas: list[Any]) -> list[Any]:
    """``ca`` and every registered CA certificate below it in the chain."""
    chain = [ca]
    seen = {ca.certificate_id}
    for parent in chain:  # grows while it is walked: breadth first
        for candidate in cas:
            if candidate.certificate_id not in seen and _issued_by(candidate, [parent]) is not None:
                seen.add(candidate.certificate_id)
                chain.append(candidate)
    return chain


def _revoked_by_issuer(ctx: Context) -> dict[int, set[str]]:
    """The backend's recorded revocations, as serial -> issuer names."""
    listed: dict[int, set[str]] = {}
    for issuer, serial in ctx.backend.revoked_serials:
        try:
            number = int(str(serial).replace(":", ""), 16)
        except ValueError:
            continue
        listed.setdefault(number, set()).add(str(issuer))
    return listed


# -- the checks --------------------------------------------------------------------


def _examined(ctx: Context, check: str) -> list[tuple[str, CertificateFacts]]:
    """The certificates a check reads: CA or device certificates, by its resource type."""
    if CHECKS[check].resource_type != "CA_CERTIFICATE":
        return examined_devices(ctx)
    examined = []
    for ca in ctx.iot.ca_certificates.values():
        if ca.status in EXAMINED:
            facts = certificate_facts(ca.certificate_pem)
            if facts is not None:
                examined.append((ca.certificate_id, facts))
    return examined


def _device_resources(ids: Iterable[str]) -> tuple[dict[str, Any], ...]:
    return tuple(
        {"resourceType": "DEVICE_CERTIFICATE", "resourceIdentifier": {"deviceCertificateId": cert_id},
         "additionalInfo": {}}
        for cert_id in ids
    )


def _epoch_ms(moment: dt.datetime) -> str:
    return str(int(moment.timestamp()) * 1000)


@evaluator("DEVICE_CERTIFICATE_EXPIRING_CHECK", "CA_CERTIFICATE_EXPIRING_CHECK")
def expiring(ctx: Context, check: str) -> Outcome:
    spec = CHECKS[check]
    if spec.config_spec("CERT_EXPIRATION_THRESHOLD_IN_DAYS") is None:
        threshold = CA_EXPIRATION_THRESHOLD
    else:
        threshold = dt.timedelta(days=ctx.setting(check, "CERT_EXPIRATION_THRESHOLD_IN_DAYS"))
    now = ctx.now
    horizon = now + threshold
    examined = _examined(ctx, check)
    outcome = Outcome(total=len(examined))
    for cert_id, facts in examined:
        not_after = facts.not_after
        if not_after > horizon:
            continue
        # notAfter is the last valid instant (RFC 5280), so a certificate is past it only afterwards.
        if not_after < now:
            code, reason = "CERTIFICATE_PAST_EXPIRATION", "Certificate is past its expiration."
        else:
            code, reason = "CERTIFICATE_APPROACHING_EXPIRATION", "Certificate is approaching its expiration."
        outcome.noncompliant.append(Observation(
            check, spec.resource_type, {spec.identifier: cert_id}, code, reason,
            additional_info={"EXPIRATION_TIME": _epoch_ms(not_after)},
        ))
    return outcome


@evaluator("DEVICE_CERTIFICATE_AGE_CHECK")
def age(ctx: Context, check: str) -> Outcome:
    spec = CHECKS[check]
    # "Active for a number of days greater than or equal to" the threshold, counted from notBefore.
    oldest = ctx.now - dt.timedelta(days=ctx.setting(check, "CERT_AGE_THRESHOLD_IN_DAYS"))
    examined = examined_devices(ctx)
    outcome = Outcome(total=len(examined))
    for cert_id, facts in examined:
        if facts.not_before <= oldest:
            outcome.noncompliant.append(Observation(
                check, spec.resource_type, {spec.identifier: cert_id},
                "CERTIFICATE_PAST_AGE_THRESHOLD", "Certificate is past its age threshold.",
            ))
    return outcome


@evaluator("DEVICE_CERTIFICATE_KEY_QUALITY_CHECK", "CA_CERTIFICATE_KEY_QUALITY_CHECK")
def key_quality(ctx: Context, check: str) -> Outcome:
    spec = CHECKS[check]
    examined = _examined(ctx, check)
    outcome = Outcome(total=len(examined))
    for cert_id, facts in examined:
        key = facts.key
        if key.reason_code is not None:
            outcome.noncompliant.append(Observation(
                check, spec.resource_type, {spec.identifier: cert_id}, key.reason_code,
                key.reason or "Certificate uses a weak key.",
            ))
    return outcome


@evaluator("REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK")
def revoked_ca(ctx: Context, check: str) -> Outcome:
    spec = CHECKS[check]
    cas = list(ctx.iot.ca_certificates.values())
    outcome = Outcome(total=len(cas))
    revoked = [ca for ca in cas if ca.status == REVOKED]
    below = _devices_below(ctx, revoked)
    for ca in revoked:
        devices = below[ca.certificate_id]
        if devices:
            outcome.noncompliant.append(Observation(
                check, spec.resource_type, {spec.identifier: ca.certificate_id}, "CERTIFICATE_REVOKED_BY_ISSUER",
                "CA certificate is revoked, but device certificates it signed are still active.",
                related=_device_resources(devices),
            ))
    return outcome


@evaluator("REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK")
def revoked_device(ctx: Context, check: str) -> Outcome:
    spec = CHECKS[check]
    below = _devices_below(ctx, [ca for ca in ctx.iot.ca_certificates.values() if ca.status == REVOKED])
    under_revoked_ca = {cert_id for ids in below.values() for cert_id in ids}
    listed = _revoked_by_issuer(ctx)
    outcome = Outcome()
    for cert in ctx.iot.certificates.values():
        if cert.status not in EXAMINED:
            continue
        outcome.total += 1
        revoked = cert.certificate_id in under_revoked_ca
        if not revoked and listed:
            names = identity(cert.certificate_pem)
            revoked = (names is not None and names.serial in listed
                       and _issuer_name(cert.certificate_pem) in listed[names.serial])
        if revoked:
            outcome.noncompliant.append(Observation(
                check, spec.resource_type, {spec.identifier: cert.certificate_id}, "CERTIFICATE_REVOKED_BY_ISSUER",
                "Certificate is revoked by its issuer, but is still active.",
            ))
    return outcome


@evaluator("INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK")
def intermediate_ca_revoked(ctx: Context, check: str) -> Outcome:
    spec = CHECKS[check]
    cas = list(ctx.iot.ca_certificates.values())
    outcome = Outcome(total=len(cas))
    revoked: list[tuple[Any, Identity]] = []
    for ca in cas:
        names = identity(ca.certificate_pem)
        if ca.status == REVOKED and names is not None and names.issuer != names.subject:
            revoked.append((ca, names))
    if not revoked:
        return outcome
    chains = {ca.certificate_id: _chain_below(ca, cas) for ca, _ in revoked}
    involved = list({member.certificate_id: member for chain in chains.values() for member in chain}.values())
    below = _devices_below(ctx, involved)
    for ca, names in revoked:
        devices = list(dict.fromkeys(cert_id for member in chains[ca.certificate_id]
                                     for cert_id in below[member.certificate_id]))
        if not devices:
            continue
        identifier = {
            "issuerCertificateSubject": _subject_name(ca.certificate_pem),
            "issuerId": ca.certificate_id,
            # Plain hex: AWS's model caps this at 20 characters of [a-fA-F0-9:], which a
            # 20-byte serial (40 hex digits) exceeds; it is reported whole all the same.
            "issuerCertificateSerialNumber": format(names.serial, "x"),
        }
        outcome.noncompliant.append(Observation(
            check, spec.resource_type, {spec.identifier: identifier}, "INTERMEDIATE_CA_REVOKED_BY_ISSUER",
            "Intermediate CA certificate is revoked, but device certificates below it are still active.",
            related=_device_resources(devices),
        ))
    return outcome
