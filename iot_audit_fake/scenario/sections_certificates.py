"""Scenario sections of certificates: CA and device certificates (generated or given as PEM), and revocations.

A generated certificate is signed by its scenario CA, with a key of its own unless the scenario
shares one (certgen.KeyRing). Certificates are registered with moto's IoT backend directly and
attached to things and policies without moto's scans over every certificate.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509

from ..moto_dates import set_registered_at
from . import certgen
from .loader import Issuer, KeyPath, SectionLoader, Step


class CertificateSections(SectionLoader):
    """CA certificates, device certificates and the revocations of their issuers."""

    def certificate(self, entry: dict[str, Any], path: KeyPath, ca: bool) -> None:
        label = entry["name"]
        if label in self.ca_ids or label in self.device_ids:
            raise Step((*path, "name"), f"the certificate label {label!r} is used twice")
        issuer = None
        if entry.get("issuer") is not None:
            issuer = self.issuers.get(entry["issuer"])
            if issuer is None:
                raise Step((*path, "issuer"), f"no CA certificate labelled {entry['issuer']!r} in ca_certificates "
                                              "(of this account and region, listed before this certificate)")
        if ca:
            for attached in ("things", "policies"):
                if entry.get(attached):
                    raise Step((*path, attached), "a CA certificate cannot be attached to things or policies")
        key: certgen.PrivateKey | None = None
        cert: x509.Certificate
        if entry.get("pem"):
            for generated in ("subject", "key", "not_before", "not_after"):
                if generated in entry:
                    raise Step((*path, generated), "cannot be combined with pem (the PEM says it already)")
            text = entry["pem"]
            try:
                cert = x509.load_pem_x509_certificate(text.encode())
            except ValueError as error:
                raise Step((*path, "pem"), f"not a PEM certificate: {error}") from None
        else:
            if issuer is not None and issuer.key is None:
                raise Step((*path, "issuer"), f"the CA {entry['issuer']!r} is given as a PEM, so there is no key "
                                              "to sign a generated certificate with; give this one as a PEM too")
            with self.at((*path, "key")):
                key = self.keys.key_for(entry.get("key"))
            with self.at((*path, "not_before")):
                not_before = self.time(entry.get("not_before"), self.now - dt.timedelta(days=1))
            with self.at((*path, "not_after")):
                not_after = self.time(entry.get("not_after"), self.now + dt.timedelta(days=365))
            if not_after <= not_before:
                raise Step((*path, "not_after"), "not_after must be later than not_before")
            cert = certgen.build(entry.get("subject", label), key, not_before, not_after,
                                 (issuer.certificate, issuer.key) if issuer else None, ca=ca)
            text = certgen.pem(cert)
        # [INF] A scenario describes a fleet that already exists: a certificate counts as registered
        # when its validity began (if that is past), unless the entry says when.
        issued = cert.not_valid_before_utc
        with self.at((*path, "registered")):
            registered_on = self.time(entry.get("registered"), min(issued, self.now))
        status = entry.get("status", "ACTIVE")
        if ca:
            if any(existing.certificate_pem == text for existing in self.iot.ca_certificates.values()):
                raise Step(path, "this CA certificate is already registered")
            registered = self.iot.register_ca_certificate(text, status == "ACTIVE", {})
            # The API cannot set every status (REVOKED); a scenario can, through moto's own method.
            self.iot.update_ca_certificate(registered.certificate_id, status, None)
            set_registered_at(registered, registered_on)
            self.issuers[label] = Issuer(cert, key, text)
            self.ca_ids[label] = registered.certificate_id
            return
        if issuer is not None:
            registered = self.iot.register_certificate(text, issuer.pem, False, status)
        else:
            registered = self.iot.register_certificate_without_ca(text, status)
        set_registered_at(registered, registered_on)
        self.device_ids[label] = registered.certificate_id
        # moto's attach_thing_principal / attach_policy, without their scans over every certificate.
        for j, thing_name in enumerate(entry.get("things", [])):
            thing = self.things.get(thing_name)
            if thing is None:
                raise Step((*path, "things", j), f"no thing named {thing_name!r}")
            self.iot.principal_things.setdefault((registered.arn, thing_name), (registered, thing))
        for j, policy_name in enumerate(entry.get("policies", [])):
            policy = self.iot.policies.get(policy_name)
            if policy is None:
                raise Step((*path, "policies", j), f"no policy named {policy_name!r}")
            self.iot.principal_policies.setdefault((registered.arn, policy_name), (registered, policy))

    def revocation(self, entry: dict[str, Any], path: KeyPath) -> None:
        given = [key for key in ("certificate", "ca_certificate") if key in entry]
        named = "issuer" in entry or "serial" in entry
        if len(given) + named != 1 or (named and not ("issuer" in entry and "serial" in entry)):
            raise Step(path, "give either issuer and serial, or certificate, or ca_certificate")
        if named:
            issuer, serial = entry["issuer"], entry["serial"]
        else:
            ca = given[0] == "ca_certificate"
            cert_id = self.label(entry[given[0]], (*path, given[0]), ca=ca)
            pem = (self.iot.ca_certificates if ca else self.iot.certificates)[cert_id].certificate_pem
            parsed = x509.load_pem_x509_certificate(pem.encode())
            issuer, serial = parsed.issuer.rfc4514_string(), f"{parsed.serial_number:x}"
        self.backend.record_revocation(issuer, serial)
