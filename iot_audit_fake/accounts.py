"""The account and region rule: which account and region a request, a scenario or a fixture is for.

One rule for every entry (the wire router, the Cognito role operations, the scenario
loader and dumper, the pytest controller, the materialisation in :mod:`.entry`), so an
audit backend is always found where moto files the same caller's IoT and IAM state:

* the account is moto's choice: ``MOTO_ACCOUNT_ID``, then the ``x-moto-account-id``
  header, then the account moto maps the SigV4 access key to, then moto's default;
* the region is the one the host names (``<service>.<region>.amazonaws.com``), else
  the SigV4 credential scope's, else :data:`DEFAULT_REGION`.

This module imports nothing of moto at import time: the pytest plugin, which must stay
cheap, reads :data:`DEFAULT_REGION` from here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from . import moto_backends

#: The region of a request that names none, of a scenario entry without ``region`` and of the
#: pytest fixtures: moto's and the AWS SDKs' usual default.
DEFAULT_REGION = "us-east-1"

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/")


class Scope(NamedTuple):
    """The parts of a SigV4 ``Credential=`` scope that pick an account, a region and a service."""

    access_key: str
    region: str
    service: str


def header_value(headers: Mapping[str, Any], name: str) -> str:
    """A header as text ('' when absent); botocore hands some over as bytes."""
    value = headers.get(name) or ""
    return value.decode() if isinstance(value, bytes) else str(value)


def credential_scope(headers: Mapping[str, Any]) -> Scope | None:
    """The SigV4 credential scope of the ``Authorization`` header, if the request is signed."""
    found = _SCOPE.search(header_value(headers, "Authorization"))
    return Scope(*found.groups()) if found else None


def default_account() -> str:
    """The account moto files a request under when it names none: MOTO_ACCOUNT_ID or moto's default."""
    return os.environ.get("MOTO_ACCOUNT_ID") or moto_backends.default_account_id()


def account_of(headers: Mapping[str, Any], scope: Scope | None = None) -> str:
    """The account moto would pick: MOTO_ACCOUNT_ID, then x-moto-account-id, then the access key
    (from the SigV4 ``scope`` when the caller has already read it), then moto's default."""
    env = os.environ.get("MOTO_ACCOUNT_ID")
    if env:
        return env
    explicit = header_value(headers, "x-moto-account-id")
    if explicit:
        return explicit
    scope = scope or credential_scope(headers)
    holder = moto_backends.account_holding_key(scope.access_key) if scope is not None else None
    return holder or moto_backends.default_account_id()


def region_of(host_region: str | None, scope: Scope | None) -> str:
    """The region a request is for: the host's, else the credential scope's, else the default."""
    if host_region:
        return host_region
    return scope.region if scope is not None else DEFAULT_REGION
