"""The single entry every request passes, in-process and in the server, and the fake's one lock.

botocore's ``before-send`` hook and ``requests`` (through ``responses``) reach moto's
``botocore_stubber.process_request``, which :mod:`iot_audit_fake.mock` routes here; the
server's WSGI application calls :func:`serve` too. Per request, :func:`serve`:

1. answers an injected fault (:mod:`iot_audit_fake.faults`) for an audit operation, after its
   latency, without the lock and without running the operation;
2. takes :data:`LOCK` and holds it across everything else: the audit operation with its upkeep,
   or, for a request the fake does not serve, the materialisation of due scheduled runs
   (IoT, IAM and Cognito Identity requests, which can change what a check reads) and then
   moto's own handling. So every call is atomic, and mitigation effects, scenario loads
   (which take the same lock) and moto's handlers never interleave;
3. turns an exception in the fake's own code into :class:`~iot_audit_fake.errors.FakeBug`,
   never an AWS-looking answer.

The lock is re-entrant: a scenario load that calls IAM through boto3 on the same thread
passes through here again.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from . import faults
from .accounts import DEFAULT_REGION, account_of, credential_scope
from .backend import audit_backends
from .dispatch import dispatch
from .errors import FakeBug
from .wire import router

T = TypeVar("T")
Response = router.Response

#: The one lock: every request, the server's control endpoints and scenario loads hold it.
LOCK = threading.RLock()

#: moto services whose changes a check reads: due scheduled runs are materialised before moto
#: handles one of their requests, so a run never sees a resource created after its instant.
MATERIALISED_SERVICES = frozenset({"iot", "iam", "cognito-identity"})

#: [INF] Requests the server does not serialise: moto's Lambda may run a container that calls
#: back into the server while the invocation is being answered, which a held lock would deadlock.
#: Lambda's state is nothing the audit reads or changes. (In-process, no container can call back.)
UNLOCKED_SERVICES = frozenset({"lambda"})

_HOST = re.compile(r"^([a-z0-9-]+)\.(?:([a-z0-9-]+)\.)?amazonaws\.com(?:\.cn)?(?::\d+)?$")
_IOT_HOST = re.compile(r"^iot\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$")


def serve(method: str, url: str, headers: Mapping[str, Any], body: Any, fallback: Callable[[], T],
          *, any_host: bool = False) -> Response | T:
    """Answer one request: the fake's answer, or ``fallback()`` (moto's) for what the fake does not serve.

    ``any_host``: recognise requests by their SigV4 scope whatever host they name (server mode).
    Raises :class:`FakeBug` when the fake's own code fails.
    """
    store = faults._store(create=False)
    if store is not None and store.faults:  # inline: this runs on every request
        answer = _injected(method, url, headers, any_host)
        if answer is not None:
            return answer
    service = region = None
    if any_host:  # the server: where a moto Lambda container may call back (see UNLOCKED_SERVICES)
        service, region = _service(url, headers, any_host)
        if service in UNLOCKED_SERVICES:
            return fallback()
    with LOCK:
        try:
            answer = dispatch(method, url, headers, body, any_host)
            if answer is None:
                if not any_host:  # worked out only now: an audit call needs none of it
                    service, region = _service(url, headers, any_host)
                if service in MATERIALISED_SERVICES:
                    materialise(service, region, headers)
        except Exception as error:
            raise FakeBug(_bug_message(method, url, error)) from error
        if answer is not None:
            return answer
        return fallback()


def materialise(service: str, region: str | None, headers: Mapping[str, Any]) -> None:
    """Bring the existing audit backends that a request for ``service`` can affect up to the clock
    (due scheduled runs evaluated as of now, before moto changes anything): the request's region,
    or every region of the account for IAM, which is global. No backend is created."""
    accounts = dict.get(audit_backends, account_of(headers))
    if accounts is None:
        return
    if service == "iam":
        backends = list(dict.values(accounts))
    else:
        found = dict.get(accounts, region or DEFAULT_REGION)
        backends = [found] if found is not None else []
    for backend in backends:
        backend.catch_up()


def _injected(method: str, url: str, headers: Mapping[str, Any], any_host: bool) -> Response | None:
    """The injected fault's answer, if one answers this request (after its latency)."""
    operation = audit_operation(method, url, headers, any_host)
    if operation is None:
        return None
    fault = faults.fault_for(operation)
    if fault is None:
        return None
    if fault.latency:
        time.sleep(fault.latency)  # without the lock: other calls go on meanwhile
    if fault.error is None:
        return None
    return router.error_response(fault.error_instance())


def audit_operation(method: str, url: str, headers: Mapping[str, Any], any_host: bool = False) -> str | None:
    """The audit operation a request calls, by the router's rule (IoT host, or SigV4 scope in server mode)."""
    parts = router.split_url(url)
    if _IOT_HOST.match(parts.netloc.lower()) is None:
        if not any_host:
            return None
        scope = credential_scope(headers)
        if scope is None or scope.service != "iot":
            return None
    found = router.match(method, parts.path)
    return found[0].name if found is not None else None


def _service(url: str, headers: Mapping[str, Any], any_host: bool) -> tuple[str | None, str | None]:
    """The service and region a request is for: from the host when it names them (as the router
    reads an IoT request's region), else from the SigV4 credential scope. In-process, a request
    to another endpoint than AWS's (a server, even this process's) is for no service here."""
    host = _HOST.match(router.split_url(url).netloc.lower())
    if host is None and not any_host:
        return None, None
    scope = credential_scope(headers)
    service = scope.service if scope else host.group(1) if host else None
    region = host.group(2) if host and host.group(2) else scope.region if scope else None
    return service, region


def _bug_message(method: str, url: str, error: Exception) -> str:
    path = router.split_url(url).path
    found = router.match(method, path)
    what = found[0].name if found is not None else f"{method} {path}"
    return (f"iot_audit_fake failed on {what} ({type(error).__name__}: {error}). This is a bug in the fake, "
            f"not an AWS answer; the original exception is this one's cause.")
