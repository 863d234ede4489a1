"""What every part of a scenario's loading shares: one account and region's context and its helpers.

A :class:`SectionLoader` holds the account and region being loaded, the scenario's clock, moto's
IoT backend and the audit backend there, and what earlier sections made (certificate labels,
CA keys, role ARNs). Its helpers report a refusal at the entry that caused it (``at``), resolve
times and certificate labels, and find things and groups by name. The sections themselves are
mixins over it (``sections_*.py``), put together in :class:`.apply.RegionLoader`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from cryptography import x509

from .. import moto_backends
from ..backend import AuditBackend, audit_backends
from ..checks.catalogue import unknown_checks
from ..errors import AuditError
from ..moto_errors import MOTO_ERRORS
from ..moto_errors import describe as describe_moto_error
from . import certgen
from .times import resolve

KeyPath = tuple[str | int, ...]


class Step(Exception):
    """A failure while applying one entry, with the key path of what caused it."""

    def __init__(self, path: KeyPath, message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


@dataclass
class Issuer:
    """A CA certificate of the scenario: its parsed certificate, its key (unknown when given as a PEM)."""

    certificate: x509.Certificate
    key: certgen.PrivateKey | None
    pem: str


class SectionLoader:
    """One account and region's context while a scenario is applied, and the helpers its sections share."""

    def __init__(self, path: KeyPath, account: str, region: str, now: dt.datetime,
                 keys: certgen.KeyRing | None = None) -> None:
        self.path, self.account, self.region, self.now = path, account, region, now
        self.backend: AuditBackend = audit_backends[account][region]
        self.iot: Any = moto_backends.iot(account, region)
        self.keys = keys or certgen.KeyRing()  # one per load: a key ``share`` spans its regions
        self.device_ids: dict[str, str] = {}  # device certificate label -> certificate id
        self.ca_ids: dict[str, str] = {}  # CA certificate label -> certificate id
        self.issuers: dict[str, Issuer] = {}  # CA certificate label -> what signs with it
        self.roles: dict[str, str] = {}  # IAM role name -> ARN
        self._things: dict[str, Any] | None = None
        self._groups: dict[str, Any] | None = None
        self._iam: Any = None

    @contextmanager
    def at(self, path: KeyPath) -> Iterator[None]:
        """Report any refusal inside the block at ``path`` (an inner ``at`` or Step wins)."""
        try:
            yield
        except Step:
            raise
        except ClientError as error:
            raise Step(path, error.response["Error"].get("Message") or str(error)) from None
        except AuditError as error:
            raise Step(path, error.message) from None
        except MOTO_ERRORS as error:  # moto refusing, as its API would
            raise Step(path, describe_moto_error(error)) from None
        except ValueError as error:
            raise Step(path, str(error)) from None

    def each(self, state: dict[str, Any], key: str, apply: Callable[[dict[str, Any], KeyPath], None]) -> None:
        for i, entry in enumerate(state.get(key, [])):
            path = (*self.path, key, i)
            with self.at(path):
                apply(entry, path)

    def time(self, value: str | None, default: dt.datetime) -> dt.datetime:
        return resolve(value, self.now) if value is not None else default

    @property
    def things(self) -> dict[str, Any]:
        """Thing name -> moto's thing (moto keys them by ARN)."""
        if self._things is None:
            self._things = {thing.thing_name: thing for thing in self.iot.things.values()}
        return self._things

    @property
    def groups(self) -> dict[str, Any]:
        if self._groups is None:
            self._groups = {group.thing_group_name: group for group in self.iot.thing_groups.values()}
        return self._groups

    def iam(self) -> Any:
        if self._iam is None:
            import boto3

            client = boto3.client("iam", region_name=self.region, aws_access_key_id="testing",
                                  aws_secret_access_key="testing")
            account = self.account

            def add_account(request: Any, **_: Any) -> None:
                request.headers["x-moto-account-id"] = account

            client.meta.events.register("before-sign", add_account)
            self._iam = client
        return self._iam

    def resource(self, given: dict[str, Any], path: KeyPath) -> dict[str, Any]:
        """A resource identifier, with certificate labels resolved to ids."""
        if "certificate" in given:
            return {"deviceCertificateId": self.label(given["certificate"], (*path, "certificate"))}
        if "ca_certificate" in given:
            return {"caCertificateId": self.label(given["ca_certificate"], (*path, "ca_certificate"), ca=True)}
        return dict(given)

    def label(self, name: Any, path: KeyPath, ca: bool = False) -> str:
        labels = self.ca_ids if ca else self.device_ids
        if name not in labels:
            section = "ca_certificates" if ca else "certificates"
            raise Step(path, f"no certificate labelled {name!r} in {section} (of this account and region)")
        return labels[name]

    def checks(self, names: list[str], path: KeyPath) -> None:
        for i, name in enumerate(names):
            if unknown_checks([name]):
                raise Step((*path, i), f"unknown audit check {name!r}")
