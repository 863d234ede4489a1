"""Real X.509 certificates for scenarios, generated with ``cryptography``.

Key generation dominates the cost of a large fleet (an RSA-2048 key takes tens
of milliseconds), so one key is generated per distinct key spec and reused by
every certificate with that spec; the certificates still differ (serial,
subject, validity), so their ids do too.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

PrivateKey = Any

_CURVES: dict[str, Any] = {"secp192r1": ec.SECP192R1, "secp224r1": ec.SECP224R1, "secp256r1": ec.SECP256R1,
           "secp384r1": ec.SECP384R1, "secp521r1": ec.SECP521R1}
DEFAULT_KEY = {"type": "ec", "curve": "secp256r1"}


@functools.lru_cache(maxsize=64)
def _key(kind: str, size: int, curve: str) -> PrivateKey:
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=size)
    return ec.generate_private_key(_CURVES[curve]())


def key_for(spec: dict[str, Any] | None) -> PrivateKey:
    spec = spec or DEFAULT_KEY
    return _key(spec.get("type", "ec"), int(spec.get("size", 2048)), spec.get("curve", "secp256r1"))


def build(
    subject: str,
    key: PrivateKey,
    not_before: dt.datetime,
    not_after: dt.datetime,
    issuer: tuple[x509.Certificate, PrivateKey] | None = None,
    ca: bool = False,
) -> x509.Certificate:
    """A certificate for ``key``, signed by ``issuer`` (certificate and key) or self-signed."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (name, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(signing_key, hashes.SHA256())


def pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()
