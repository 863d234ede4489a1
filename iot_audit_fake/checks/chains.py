"""The certificates of one check run, and who issued what among them.

:func:`fleet` gives a check run (one :class:`~.engine.Context`) the readable certificates in
moto's IoT, each PEM parsed once per account (:mod:`.x509_facts`): device certificates that
can still authenticate (status ACTIVE or PENDING_TRANSFER, the statuses the AWS check pages
name), every registered CA certificate, and the authorities the fake knows: registered CA
certificates plus any certificate that came after the first one in a registered PEM (a chain
uploaded with it). Each part is gathered only when a check asks for it.

Issuers [INF]
    AWS follows each certificate's AIA caIssuers URL to its issuer; the fake has no network
    and finds issuers among the authorities it knows. A certificate's issuer is an authority
    whose subject Name equals its issuer Name and whose key verifies its signature. When
    several do (a CA re-issued with the same key), the certificate chains through each.
    moto's own link from a device certificate to the CA it was registered with is not
    needed: the X.509 relation decides, as it does for AWS.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from cryptography import x509

from .x509_facts import CertificateReadings, Reading, readings_for

if TYPE_CHECKING:
    from .engine import Context

#: Certificate statuses the checks examine: those a device can authenticate with (or will, once a transfer is accepted).
EXAMINED = frozenset({"ACTIVE", "PENDING_TRANSFER"})


class Fleet:
    """The certificates of one check run, read lazily: each check takes only what it needs."""

    def __init__(self, iot: Any, cache: CertificateReadings) -> None:
        self._iot = iot
        self._cache = cache
        self._issuers: dict[int, list[Reading]] = {}

    @cached_property
    def devices(self) -> list[tuple[Any, Reading]]:
        """(moto certificate, reading) of every ACTIVE or PENDING_TRANSFER device certificate with a readable PEM."""
        read = self._cache.read
        examined = []
        for cert in self._iot.certificates.values():
            if cert.status in EXAMINED:
                reading = read(cert.certificate_pem)
                if reading is not None:
                    examined.append((cert, reading))
        return examined

    @cached_property
    def cas(self) -> list[tuple[Any, Reading]]:
        """(moto CA certificate, reading) of every registered CA certificate with a readable PEM, any status."""
        read = self._cache.read
        return [(ca, reading) for ca in self._iot.ca_certificates.values()
                if (reading := read(ca.certificate_pem)) is not None]

    @cached_property
    def authorities(self) -> list[Reading]:
        """Every authority the fake knows, one reading per distinct certificate."""
        known: dict[x509.Certificate, Reading] = {}
        for _, reading in self.cas:
            known.setdefault(reading.cert, reading)
        holders = [reading for _, reading in self.cas]
        read = self._cache.read
        holders += [r for cert in self._iot.certificates.values() if (r := read(cert.certificate_pem)) is not None]
        for holder in holders:
            for cert in holder.bundled:
                if cert not in known:
                    known[cert] = Reading([cert])
        return list(known.values())

    @cached_property
    def _by_subject(self) -> dict[x509.Name, list[Reading]]:
        by_subject: dict[x509.Name, list[Reading]] = {}
        for authority in self.authorities:
            by_subject.setdefault(authority.cert.subject, []).append(authority)
        return by_subject

    def issuers_of(self, reading: Reading) -> list[Reading]:
        """The known authorities that issued ``reading`` (names match, signature verifies)."""
        found = self._issuers.get(id(reading))
        if found is None:
            candidates = self._by_subject.get(reading.cert.issuer, [])
            found = [c for c in candidates if c.cert != reading.cert and c.issued(reading)]
            self._issuers[id(reading)] = found
        return found

    def ancestors(self, reading: Reading) -> list[Reading]:
        """Every authority above ``reading`` in its chains, nearest first."""
        chain: list[Reading] = []
        seen = {id(reading)}
        frontier = [reading]
        while frontier:
            above = []
            for member in frontier:
                for issuer in self.issuers_of(member):
                    if id(issuer) not in seen:
                        seen.add(id(issuer))
                        above.append(issuer)
            chain.extend(above)
            frontier = above
        return chain

    def names_below(self, authorities: Iterable[Reading]) -> set[x509.Name]:
        """Subject Names of ``authorities`` and of every known authority that chains up to one of them.

        A certificate whose issuer Name is not in this set cannot chain through them: the
        signatures of the rest of the fleet need not be checked.
        """
        targets = {id(a) for a in authorities}
        names = {a.cert.subject for a in authorities}
        for authority in self.authorities:
            if authority.cert.subject not in names and any(id(a) in targets for a in self.ancestors(authority)):
                names.add(authority.cert.subject)
        return names


def fleet(ctx: Context) -> Fleet:
    """The certificates one check run reads, through the account's readings (each PEM is parsed once)."""
    cache = readings_for(ctx)
    iot = ctx.iot
    cache.keep_only(len(iot.certificates) + len(iot.ca_certificates), lambda: [
        c.certificate_pem for c in (*iot.certificates.values(), *iot.ca_certificates.values())])
    return Fleet(iot, cache)
