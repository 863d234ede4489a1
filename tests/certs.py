"""Certificates for tests: CAs, intermediates and device certificates with chosen validity, keys and issuers.

Keys are made once per process and reused (RSA and DSA generation is slow). Strong
and ROCA-shaped RSA public keys are built from chosen moduli instead of generated:
the checks only read the public key, and a certificate's signature comes from its
issuer's key.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509.oid import NameOID

UTC = dt.timezone.utc
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | dsa.DSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey | dsa.DSAPublicKey

#: The small primes of the ROCA fingerprint test (CVE-2017-15361).
_ROCA_PRIMES = [p for p in range(3, 168) if all(p % d for d in range(2, int(p ** 0.5) + 1))]


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


def rsa_public_key(modulus: int, exponent: int = 65537) -> rsa.RSAPublicKey:
    return rsa.RSAPublicNumbers(exponent, modulus).public_key()


def plain_rsa_modulus(bits: int = 2048, seed: int = 1) -> int:
    """An odd ``bits``-bit number without the ROCA fingerprint (not a real key's modulus)."""
    rng = random.Random(seed)
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if not is_roca_shaped(n):
            return n


def roca_modulus(bits: int = 2048, seed: int = 1) -> int:
    """An odd ``bits``-bit number with the ROCA fingerprint: a power of 65537 modulo every test prime."""
    m = 1
    for p in _ROCA_PRIMES:
        m *= p
    rng = random.Random(seed)
    residue = pow(65537, rng.randrange(2, 10_000), m)
    n = residue + m * (((1 << (bits - 1)) // m) + rng.getrandbits(bits - m.bit_length() - 2))
    if n % 2 == 0:
        n += m  # m is odd, so this keeps the residues and flips the parity
    assert n.bit_length() == bits and is_roca_shaped(n)
    return n


def is_roca_shaped(n: int) -> bool:
    def powers(r: int) -> set[int]:
        seen, x = set(), 1
        while x not in seen:
            seen.add(x)
            x = x * 65537 % r
        return seen

    return all(n % r in powers(r) for r in _ROCA_PRIMES)


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
            serial: int | None = None) -> Issued:
    """A CA certificate: self-signed, or an intermediate when ``issuer`` is given."""
    key = key or ec_key()
    if issuer is None:
        cert = _build(common_name, key.public_key(), _name(common_name), key, ca=True,
                      not_before=not_before, not_after=not_after, serial=serial)
    else:
        assert issuer.key is not None
        cert = _build(common_name, key.public_key(), issuer.cert.subject, issuer.key, ca=True,
                      not_before=not_before, not_after=not_after, serial=serial)
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
