""":class:`ThreadedServer`: the server application on a werkzeug server in a daemon thread (see ``handler.py``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from ..mock import IoTAuditMock, mock_iot_audit
from .app import MAX_BODY_BYTES, ServerApplication
from .handler import KeepAliveServer

log = logging.getLogger("iot_audit_fake.server")

_WILDCARD_HOSTS = ("0.0.0.0", "::", "")


class ThreadedServer:
    """The fake over HTTP on a werkzeug server in a daemon thread.

    ``port=0`` picks a free port; :attr:`endpoint_url` is the address to give an SDK or the
    AWS CLI. ``scenario`` (a path, mapping or YAML text) is loaded before the first request.
    ``allowed_hosts``: host names beside the loopback ones and the bound address under which
    the control endpoints answer (e.g. ``host.docker.internal``; see docs/server.md).
    Usable as a context manager; :meth:`stop` shuts the server down and stops the mock
    (which clears the state, as the end of any outermost mock does).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, scenario: Any = None,
                 *, max_body_bytes: int = MAX_BODY_BYTES, allowed_hosts: Iterable[str] = ()) -> None:
        self.host = host
        self.requested_port = port
        self.scenario = scenario
        bound = () if host in _WILDCARD_HOSTS else (host,)
        self.app = ServerApplication(max_body_bytes, allowed_hosts=(*bound, *allowed_hosts))
        self._server: KeepAliveServer | None = None
        self._thread: threading.Thread | None = None
        self._mock: IoTAuditMock | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("The server is not running; call start() first.")
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        host = self.host
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> ThreadedServer:
        if self._server is not None:
            raise RuntimeError("The server is already running.")
        mock = mock_iot_audit()
        mock.start()
        try:
            if self.scenario is not None:
                from ..scenario import load_scenario

                load_scenario(self.scenario)
            server = KeepAliveServer(self.host, self.requested_port, self.app)
        except BaseException:
            mock.stop()
            raise
        self._mock, self._server = mock, server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"iot-audit-fake-server:{self.port}", daemon=True)
        self._thread.start()
        log.info("iot_audit_fake server listening on %s", self.endpoint_url)
        return self

    def stop(self) -> None:
        server, thread, mock = self._server, self._thread, self._mock
        if server is None:
            return
        self._server = self._thread = self._mock = None
        try:
            server.shutdown()
            if thread is not None:
                thread.join(timeout=10)
            server.close_connections()  # a kept connection's handler would go on answering
            server.server_close()
        finally:
            self.app.clock.reset()
            if mock is not None:
                mock.stop()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
