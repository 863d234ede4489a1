"""What the certificate checks read from a certificate PEM, through ``cryptography``'s x509 API.

Every fact comes from the PEM moto stores (moto's ``validity_not_before`` and
``validity_not_after`` are placeholders). :class:`Reading` loads a PEM once with
``cryptography``: the first certificate is the one registered, any further ones are the
chain that came with it. Expiry, subject, serial, key verdict and subject key identifier
are read when a check first asks for them.

Readings are kept per account and region in :data:`readings`, a moto ``BackendDict``, so
moto's reset (the end of the outermost mock, ``/moto-api/reset``) drops them with the rest
of the account, and :meth:`CertificateReadings.keep_only` drops the PEMs no longer registered
once the readings outnumber the certificates. A reading depends on the PEM text alone, so the
PEM is the whole key.
"""

from __future__ import annotations

import binascii
import datetime as dt
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.core.base_backend import BackendDict, BaseBackend

from ..crypto_time import warm
from .roca import has_roca_fingerprint

warm()  # before any date of ours reaches cryptography (freezegun: see crypto_time)

if TYPE_CHECKING:
    from .engine import Context

_BEGIN = "-----BEGIN CERTIFICATE-----"
_END = "-----END CERTIFICATE-----"
#: rsaEncryption and RSASSA-PSS: the key algorithms whose modulus the ROCA test reads.
_RSA_KEY_ALGORITHMS = frozenset({"1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10"})
#: Certificate.public_key_algorithm_oid is recent (cryptography 45); older releases load the key to learn its type.
_KEY_ALGORITHM_KNOWN = hasattr(x509.Certificate, "public_key_algorithm_oid")


class Reading:
    """One registered PEM: its first certificate, and the certificates that follow it."""

    def __init__(self, certificates: list[x509.Certificate]) -> None:
        self.cert = certificates[0]
        self.bundled = certificates[1:]

    @cached_property
    def not_after(self) -> dt.datetime:
        return self.cert.not_valid_after_utc

    @cached_property
    def subject(self) -> str:
        return name_text(self.cert.subject)

    @cached_property
    def serial(self) -> int:
        return self.cert.serial_number

    @cached_property
    def self_issued(self) -> bool:
        return self.cert.issuer == self.cert.subject

    @cached_property
    def has_roca_key(self) -> bool:
        """Whether the key is an RSA key with the ROCA fingerprint (CVE-2017-15361)."""
        if _KEY_ALGORITHM_KNOWN and self.cert.public_key_algorithm_oid.dotted_string not in _RSA_KEY_ALGORITHMS:
            return False  # skips loading an EC key, which validates its point and costs more than the certificate
        try:
            key = self.cert.public_key()
        except (ValueError, UnsupportedAlgorithm):
            return False
        return isinstance(key, rsa.RSAPublicKey) and has_roca_fingerprint(key.public_numbers().n)

    @cached_property
    def key_identifier(self) -> str:
        """The subject key identifier in hex: the extension's, else RFC 5280's SHA-1 of the public key."""
        try:
            digest = self.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            if 0 < len(digest) <= 32:  # issuerId holds at most 64 hex digits
                return digest.hex()
        except (x509.ExtensionNotFound, ValueError):
            pass
        try:
            return x509.SubjectKeyIdentifier.from_public_key(self.cert.public_key()).digest.hex()
        except (ValueError, UnsupportedAlgorithm, TypeError):
            return self.cert.fingerprint(hashes.SHA1()).hex()

    def issued(self, other: Reading) -> bool:
        """Whether this certificate issued ``other``: names match and the signature verifies."""
        try:
            other.cert.verify_directly_issued_by(self.cert)
        except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
            return False
        return True


def name_text(name: x509.Name) -> str:
    """A Name as RFC 4514 text, with every character outside printable ASCII escaped as ``\\XX`` UTF-8 bytes.

    RFC 4514 allows any character to be escaped that way. The escaping keeps the text within
    the model's ``[\\p{Graph}\\x20]*`` pattern for issuerCertificateSubject, so a reported
    subject is accepted back as a filter or suppression key.
    """
    text = name.rfc4514_string()
    if text.isascii() and text.isprintable():
        return text
    return "".join(c if " " <= c <= "~" else "".join(f"\\{b:02X}" for b in c.encode()) for c in text)


def read(pem: str) -> Reading | None:
    """The reading of ``pem``, or None when it holds no certificate cryptography can read."""
    try:
        start, end = pem.find(_BEGIN), pem.find(_END)
        if 0 <= start < end and pem.find(_BEGIN, end) < 0:
            # One certificate: decoding its base64 here and loading the DER costs about 60% of
            # cryptography's PEM loader (benchmarks/bench_certificate_evaluation.py).
            return Reading([x509.load_der_x509_certificate(binascii.a2b_base64(pem[start + len(_BEGIN):end]))])
        certificates = x509.load_pem_x509_certificates(pem.encode())
    except (ValueError, TypeError, UnicodeError):
        return None
    return Reading(certificates) if certificates else None


class CertificateReadings(BaseBackend):
    """The readings of one account's registered PEMs."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.by_pem: dict[str, Reading | None] = {}

    def read(self, pem: str) -> Reading | None:
        if pem in self.by_pem:
            return self.by_pem[pem]
        reading = self.by_pem[pem] = read(pem)
        return reading

    def keep_only(self, registered: int, pems: Callable[[], Iterable[str]]) -> None:
        """Forget the readings of PEMs no longer registered (a certificate deleted), once there are
        more readings than the ``registered`` certificates: a count is cheap, the set of PEMs is not."""
        if len(self.by_pem) > registered:
            live = set(pems())
            self.by_pem = {pem: reading for pem, reading in self.by_pem.items() if pem in live}


readings: BackendDict[CertificateReadings] = BackendDict(CertificateReadings, "iot")


def readings_for(ctx: Context) -> CertificateReadings:
    return readings[ctx.account_id][ctx.region]
