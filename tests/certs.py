"""Certificates for tests: CAs, intermediates and device certificates with chosen validity, keys and issuers.

Keys are made once per process and reused (RSA and DSA generation is slow). A device
certificate can carry any public key, even one whose private key nobody has (a published
ROCA modulus): the checks only read the public key, and the signature comes from the
issuer's key.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from conftest import UTC
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509.oid import NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | dsa.DSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey | dsa.DSAPublicKey

#: Test data files (tests/data).
DATA = Path(__file__).resolve().parent / "data"


_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "secp192r1": ec.SECP192R1, "secp224r1": ec.SECP224R1, "secp256r1": ec.SECP256R1, "secp384r1": ec.SECP384R1,
}


@functools.cache
def ec_key(curve: str = "secp256r1") -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(_CURVES[curve]())


@functools.cache
def rsa_key(bits: int = 1024) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@functools.cache
def dsa_key() -> dsa.DSAPrivateKey:
    return dsa.generate_private_key(key_size=1024)


def rsa_public_key_from_modulus(modulus: int, exponent: int = 65537) -> rsa.RSAPublicKey:
    """A public key with a given modulus (the checks read only the public key; nobody signs with it)."""
    return rsa.RSAPublicNumbers(exponent, modulus).public_key()


def data_file(*parts: str) -> Path:
    return DATA.joinpath(*parts)


@dataclass(frozen=True)
class Issued:
    """A certificate, its PEM, and (for a CA) the private key it signs with."""

    cert: x509.Certificate
    key: PrivateKey | None

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string()

    @property
    def serial_hex(self) -> str:
        return format(self.cert.serial_number, "x")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Corp"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _build(subject: str, public_key: PublicKey, issuer_name: x509.Name, signing_key: PrivateKey, *,
           ca: bool, not_before: dt.datetime | None, not_after: dt.datetime | None,
           serial: int | None, extensions: tuple[x509.ExtensionType, ...] = ()) -> x509.Certificate:
    now = dt.datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def make_ca(common_name: str = "Test Root CA", *, issuer: Issued | None = None, key: PrivateKey | None = None,
            not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
            serial: int | None = None, extensions: tuple[x509.ExtensionType, ...] = ()) -> Issued:
    """A CA certificate: self-signed, or an intermediate when ``issuer`` is given."""
    key = key or ec_key()
    if issuer is None:
        cert = _build(common_name, key.public_key(), _name(common_name), key, ca=True,
                      not_before=not_before, not_after=not_after, serial=serial, extensions=extensions)
    else:
        assert issuer.key is not None
        cert = _build(common_name, key.public_key(), issuer.cert.subject, issuer.key, ca=True,
                      not_before=not_before, not_after=not_after, serial=serial, extensions=extensions)
    return Issued(cert, key)


def make_device(issuer: Issued, common_name: str = "device", *, public_key: PublicKey | None = None,
                not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
                serial: int | None = None, extensions: tuple[x509.ExtensionType, ...] = ()) -> Issued:
    """A device certificate that ``issuer`` signed, for ``public_key`` (the shared P-256 key by default)."""
    assert issuer.key is not None
    cert = _build(common_name, public_key or ec_key().public_key(), issuer.cert.subject, issuer.key, ca=False,
                  not_before=not_before, not_after=not_after, serial=serial, extensions=extensions)
    return Issued(cert, None)


def days(n: float) -> dt.datetime:
    """The instant ``n`` days from now (negative: ago)."""
    return dt.datetime.now(UTC) + dt.timedelta(days=n)
