"""Real X.509 certificates for scenarios, generated with ``cryptography``.

Each generated certificate gets its own key pair, as devices and CAs have, so
signature checks (a device "issued by" a CA) tell every scenario CA apart. Key
generation dominates the cost of a large RSA fleet (an RSA-2048 key takes tens of
milliseconds), so a scenario may ask certificates to share one key pair: those
whose ``key`` names the same ``share`` use one key, generated once per load. A
:class:`KeyRing` lives for one load, so nothing outlives it: no key is shared
between loads, mocks or tests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ..crypto_time import warm

warm()  # before any date of ours reaches cryptography (freezegun: see crypto_time)

PrivateKey = Any
#: (type, RSA size or 0, EC curve or ""): what a key is generated from.
KeySpec = tuple[str, int, str]

_CURVES: dict[str, Any] = {"secp192r1": ec.SECP192R1, "secp224r1": ec.SECP224R1, "secp256r1": ec.SECP256R1,
                           "secp384r1": ec.SECP384R1, "secp521r1": ec.SECP521R1}
DEFAULT_KEY = {"type": "ec", "curve": "secp256r1"}


def key_spec(spec: dict[str, Any] | None) -> KeySpec:
    """The spec a scenario's ``key`` mapping names (its defaults filled in)."""
    spec = spec or DEFAULT_KEY
    if spec.get("type", "ec") == "rsa":
        return "rsa", int(spec.get("size", 2048)), ""
    return "ec", 0, str(spec.get("curve", "secp256r1"))


def generate(spec: KeySpec) -> PrivateKey:
    """A new private key of ``spec``."""
    kind, size, curve = spec
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=size)
    return ec.generate_private_key(_CURVES[curve]())


def describe(spec: KeySpec) -> str:
    kind, size, curve = spec
    return f"RSA-{size}" if kind == "rsa" else f"EC {curve}"


class KeyRing:
    """The keys of one scenario load: a new key per certificate, one per named ``share``."""

    def __init__(self) -> None:
        self._shared: dict[str, tuple[KeySpec, PrivateKey]] = {}

    def key_for(self, spec: dict[str, Any] | None) -> PrivateKey:
        """A key for a certificate whose ``key`` mapping is ``spec``.

        Raises ValueError when ``spec`` names a share first given with another type, size or curve.
        """
        wanted = key_spec(spec)
        share = (spec or {}).get("share")
        if share is None:
            return generate(wanted)
        if share not in self._shared:
            self._shared[share] = wanted, generate(wanted)
        given, key = self._shared[share]
        if given != wanted:
            raise ValueError(f"the key share {share!r} is an {describe(given)} key (as first given); "
                             f"this certificate asks for {describe(wanted)}")
        return key


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
