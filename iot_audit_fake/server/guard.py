"""The guard in front of the control endpoints: no request a web page in the developer's browser could send.

Local development servers (Vite, webpack) check the Host header against DNS rebinding and the
Origin against cross-site requests; so does this, for ``/_iot_audit/`` and moto's ``/moto-api/``,
which can reset or replace the whole state.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from werkzeug.wrappers import Request

from ..wire.protocol import StatusError

#: Host names that always mean this machine (as Vite's and webpack's dev servers allow).
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def guard(request: Request, allowed_hosts: Collection[str]) -> None:
    """Refuse (403) what a web page in the developer's browser could send, as dev servers do.

    - The Host must name this machine (a loopback name, ``*.localhost``) or one of
      ``allowed_hosts`` (the address the server is bound to): a DNS-rebinding page names its own.
    - An ``Origin``, when sent, must be the server's own (scheme, host and port of the Host header):
      browsers send it on every cross-origin POST, PUT, DELETE and ``fetch``.
    - ``Sec-Fetch-Site: cross-site`` is refused, except for a top-level navigation to a GET page.
    """
    host_header = request.headers.get("Host", "")
    hostname = _hostname(host_header)
    if hostname is None or not (hostname in LOOPBACK_HOSTS or hostname.endswith(".localhost")
                                or hostname in allowed_hosts):
        raise _refused(f"Host {host_header[:100]!r} is not this machine's; control endpoints answer only "
                       "requests to a loopback name or the address the server is bound to.")
    origin = request.headers.get("Origin")
    own = f"{request.scheme}://{host_header}".lower()
    if origin is not None and origin.lower() != own:
        raise _refused(f"Cross-origin request from {origin[:100]!r} refused; control endpoints answer only "
                       f"their own origin ({own}).")
    site = request.headers.get("Sec-Fetch-Site", "").lower()
    navigation = request.method in ("GET", "HEAD") and request.headers.get("Sec-Fetch-Mode", "") == "navigate"
    if site == "cross-site" and not navigation:
        raise _refused("Cross-site request refused (Sec-Fetch-Site: cross-site).")


def _hostname(host_header: str) -> str | None:
    """The host name of a Host header (lower case, without port or IPv6 brackets), None if malformed."""
    try:
        parts = urlsplit(f"//{host_header}")
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return None
    return parts.hostname or None


def _refused(message: str) -> StatusError:
    return StatusError(403, "AccessDeniedException", message)
