"""Recorded revocations: what an issuer's certificate revocation list says.

AWS reads CRLs over the network; moto has none. A test records each CRL entry with
``backend.record_revocation(issuer, serial)``: the issuer's name (the CRL's issuer, which is
the revoked certificate's issuer field) and the revoked certificate's serial number. An entry
covers device and CA certificates alike, as a CRL entry does: a certificate is on its issuer's
CRL when its own issuer name and serial number are recorded together.

Names are compared as X.509 Names (attribute by attribute), so ``CN=Fleet CA`` and
``2.5.4.3=Fleet CA`` are the same issuer; serials are numbers, however written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cryptography import x509

from .x509_facts import name_text

#: Runs of \XX escapes (RFC 4514 hex pairs), or an escaped backslash that must be left alone.
_ESCAPES = re.compile(r"(\\\\)|((?:\\[0-9A-Fa-f]{2})+)")


def _decode_utf8_escapes(text: str) -> str:
    # cryptography (before 44) decodes each \XX pair as a Latin-1 character, which garbles
    # escaped UTF-8; decode runs of non-ASCII pairs here and leave ASCII escapes to it.
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1)
        raw = bytes.fromhex(match.group(2).replace("\\", ""))
        if all(b >= 0x80 for b in raw):
            return raw.decode("utf-8")
        return match.group(2)

    return _ESCAPES.sub(replace, text)


def issuer_name(issuer: str) -> x509.Name:
    """The issuer's Name from RFC 4514 text; ValueError if it is not RFC 4514."""
    if not isinstance(issuer, str):
        raise ValueError(f"issuer {issuer!r} is not a string")
    try:
        return x509.Name.from_rfc4514_string(_decode_utf8_escapes(issuer))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(
            f"issuer {issuer!r} is not an RFC 4514 name (write it as cryptography's Name.rfc4514_string() does, "
            "e.g. 'CN=Fleet CA,O=Example Corp')"
        ) from error


def serial_number(serial: str | int) -> int:
    """A serial number given as an int, or as hex with or without colons (``0A:1B``, ``0x0a1b``, ``a1b``)."""
    if isinstance(serial, bool) or not isinstance(serial, (int, str)):
        raise ValueError(f"serial {serial!r} is neither an int nor a hexadecimal string")
    if isinstance(serial, int):
        if serial < 0:
            raise ValueError(f"serial {serial} is negative")
        return serial
    text = serial.strip().replace(":", "")
    text = text[2:] if text[:2].lower() == "0x" else text
    if not text or not all(c in "0123456789abcdefABCDEF" for c in text):
        raise ValueError(f"serial {serial!r} is not a hexadecimal number")
    return int(text, 16)


def normalize(issuer: str, serial: str | int) -> tuple[str, str]:
    """A CRL entry as stored: (the issuer as :func:`name_text` writes it, serial in lowercase hex)."""
    return name_text(issuer_name(issuer)), format(serial_number(serial), "x")


def entries(recorded: Iterable[tuple[str, str]]) -> frozenset[tuple[x509.Name, int]]:
    """The recorded entries as (issuer Name, serial) pairs; entries that cannot be read are left out."""
    listed = set()
    for issuer, serial in recorded:
        try:
            listed.add((issuer_name(issuer), serial_number(serial)))
        except ValueError:
            continue
    return frozenset(listed)
