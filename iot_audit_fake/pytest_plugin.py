"""The pytest plugin, registered through the ``pytest11`` entry point.

Fixtures:
  ``iot_audit``         the mock is active for the test; yields an :class:`AuditController`
  ``iot_client``        a boto3 IoT client bound to the mock (region: ``iot_audit_region``)
  ``iot_audit_region``  the default region, ``us-east-1``; override the fixture to change it
  ``iot_audit_server``  a threaded server on a free port (for the AWS CLI and other SDKs)

Marker ``@pytest.mark.iot_audit_scenario("fleet.yaml")`` loads a scenario (path relative
to the test file) before the test. The ini key ``iot_audit_scenario`` or the option
``--iot-audit-scenario`` sets a default scenario for every test that uses ``iot_audit``.
Each pytest-xdist worker is its own process with its own in-memory state, and the
server fixture binds port 0, so workers share nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import clock
from .backend import AuditBackend, audit_backends
from .connections import Connection
from .mitigation_tasks import MODEL_NAME as MITIGATION_MODEL
from .mock import mock_iot_audit
from .scenario import dump_scenario, load_scenario
from .tasks import MODEL_NAME as TASK_MODEL


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("iot-audit-fake")
    group.addoption("--iot-audit-scenario", default=None,
                    help="scenario file loaded before every test that uses the iot_audit fixture")
    parser.addini("iot_audit_scenario", "scenario file (relative to the ini file) loaded for iot_audit tests")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "iot_audit_scenario(path): load this scenario (relative to the test file) "
                                       "before the test")


class AuditController:
    """What a test needs beside the client: the backend, scenarios, connections, progression, the clock."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id, self.region = account_id, region
        self._transitions: list[str] = []

    @property
    def backend(self) -> AuditBackend:
        return audit_backends[self.account_id][self.region]

    def backend_for(self, account_id: str, region: str) -> AuditBackend:
        return audit_backends[account_id][region]

    def load_scenario(self, scenario: Any) -> None:
        load_scenario(scenario)

    def dump_scenario(self) -> dict[str, Any]:
        return dump_scenario()

    def record_connection(self, client_id: str, **details: Any) -> Connection:
        return self.backend.record_connection(client_id, **details)

    def set_task_progression(self, progression: str, mitigation: bool = False, **settings: Any) -> None:
        """``"immediate"``, ``"manual"`` (``times=N``) or ``"time"`` (``seconds=N``) for audit tasks,
        or for mitigation tasks with ``mitigation=True``; undone when the test ends."""
        from moto.moto_api import state_manager

        model = MITIGATION_MODEL if mitigation else TASK_MODEL
        state_manager.set_transition(model, {"progression": progression, **settings})
        self._transitions.append(model)

    def now(self) -> dt.datetime:
        return clock.now()

    def _close(self) -> None:
        from moto.moto_api import state_manager

        for model in self._transitions:
            state_manager.unset_transition(model)


def _default_scenario(config: pytest.Config) -> Path | None:
    option = config.getoption("--iot-audit-scenario")
    if option:
        return Path(option).resolve()
    ini = config.getini("iot_audit_scenario")
    if ini:
        base = Path(config.inipath).parent if config.inipath else Path(config.rootpath)
        return (base / str(ini)).resolve()
    return None


@pytest.fixture
def iot_audit_region() -> str:
    return "us-east-1"


@pytest.fixture
def iot_audit(request: pytest.FixtureRequest, iot_audit_region: str) -> Iterator[AuditController]:
    from moto.core.models import DEFAULT_ACCOUNT_ID

    controller = AuditController(DEFAULT_ACCOUNT_ID, iot_audit_region)
    with mock_iot_audit():
        marker = request.node.get_closest_marker("iot_audit_scenario")
        if marker is not None:
            load_scenario(Path(request.node.path).parent / marker.args[0])
        else:
            default = _default_scenario(request.config)
            if default is not None:
                load_scenario(default)
        try:
            yield controller
        finally:
            controller._close()


@pytest.fixture
def iot_client(iot_audit: AuditController, iot_audit_region: str) -> Any:
    import boto3

    return boto3.client("iot", region_name=iot_audit_region)


@pytest.fixture
def iot_audit_server() -> Iterator[Any]:
    from .server import ThreadedServer

    server = ThreadedServer(port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()
