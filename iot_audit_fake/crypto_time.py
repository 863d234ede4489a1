"""Keeps cryptography working on both sides of a freezegun freeze.

cryptography's Rust core looks up ``datetime.datetime`` once, on its first date, and keeps it.
Under freezegun that class is ``FakeDatetime``; cryptography then refuses every real datetime
for the rest of the process ("'datetime' object is not an instance of 'FakeDatetime'"), so a
scenario loaded in a frozen test would break every later certificate. The modules that hand
dates to cryptography call :func:`warm` when they are imported: it makes cryptography's first
date a real one, whether or not a freeze is active at that moment.
"""

from __future__ import annotations

import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_warmed = False


def warm() -> None:
    """Give cryptography the real ``datetime.datetime`` to keep (once per process)."""
    global _warmed
    if _warmed:
        return
    api = sys.modules.get("freezegun.api")
    real: type[datetime.datetime] = getattr(api, "real_datetime", datetime.datetime)
    current = datetime.datetime
    datetime.datetime = real  # type: ignore[misc]  # only while cryptography reads it
    try:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "iot-audit-fake warm-up")])
        certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                       .public_key(key.public_key()).serial_number(1)
                       .not_valid_before(real(2000, 1, 1)).not_valid_after(real(2001, 1, 1))
                       .sign(key, hashes.SHA256()))
        certificate.not_valid_after_utc  # noqa: B018  # reading a date resolves the class too
    finally:
        datetime.datetime = current  # type: ignore[misc]
    _warmed = True
