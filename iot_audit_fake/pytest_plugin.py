"""The pytest plugin, registered through the ``pytest11`` entry point.

Fixtures:
  ``iot_audit``         the mock is active for the test; yields an :class:`AuditController`
  ``iot_client``        a boto3 IoT client bound to the mock (region: ``iot_audit_region``)
  ``iot_audit_region``  the default region, ``us-east-1``; override the fixture to change it
  ``iot_audit_server``  a threaded server on a free port (for the AWS CLI and other SDKs)

Marker ``@pytest.mark.iot_audit_scenario("fleet.yaml")`` loads a scenario (path relative
to the test file) before the test; a marked test gets the ``iot_audit`` fixture even if it
does not ask for it. The ini key ``iot_audit_scenario`` (relative to the ini file) or the
option ``--iot-audit-scenario`` (relative to the directory pytest was started in) sets a
default scenario for every test that uses ``iot_audit``; the marker wins over both.
Scenarios loaded by the plugin put their top-level state in the test's account and
``iot_audit_region`` unless they name an ``account`` or ``region`` themselves. A scenario
that cannot be loaded makes the test error with the file, line and key path of each problem.
Each pytest-xdist worker is its own process with its own in-memory state, and the
server fixture binds port 0, so workers share nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from . import clock
from .backend import AuditBackend, audit_backends
from .connections import Connection
from .mitigation_tasks import MODEL_NAME as MITIGATION_MODEL
from .mock import mock_iot_audit
from .scenario import ScenarioError, apply, dump_scenario
from .scenario.source import read, validate
from .tasks import MODEL_NAME as TASK_MODEL
from .wire.router import default_account


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
        #: model name -> the transition set before this test changed it (None: none was set)
        self._transitions: dict[str, dict[str, Any] | None] = {}

    @property
    def backend(self) -> AuditBackend:
        return audit_backends[self.account_id][self.region]

    def backend_for(self, account_id: str, region: str) -> AuditBackend:
        return audit_backends[account_id][region]

    def load_scenario(self, scenario: str | Path | Mapping[str, Any]) -> None:
        """Apply a scenario (path, YAML text or mapping), atomically; its top-level state goes to
        this controller's account and region unless the scenario names its own."""
        source = read(scenario)
        if isinstance(source.data, dict):
            source.data.setdefault("account", self.account_id)
            source.data.setdefault("region", self.region)
        problems = validate(source)
        if problems:
            raise ScenarioError(problems)
        apply.apply(source)

    def dump_scenario(self) -> dict[str, Any]:
        return dump_scenario()

    def record_connection(self, client_id: str, **details: Any) -> Connection:
        return self.backend.record_connection(client_id, **details)

    def set_task_progression(self, progression: str, mitigation: bool = False, **settings: Any) -> None:
        """``"immediate"``, ``"manual"`` (``times=N``) or ``"time"`` (``seconds=N``) for audit tasks,
        or for mitigation tasks with ``mitigation=True``; undone when the test ends."""
        from moto.moto_api import state_manager

        model = MITIGATION_MODEL if mitigation else TASK_MODEL
        if model not in self._transitions:
            previous = state_manager._transitions.get(model)
            self._transitions[model] = dict(previous) if previous is not None else None
        state_manager.set_transition(model, {"progression": progression, **settings})

    def now(self) -> dt.datetime:
        return clock.now()

    def _close(self) -> None:
        from moto.moto_api import state_manager

        for model, previous in self._transitions.items():
            if previous is None:
                state_manager.unset_transition(model)
            else:
                state_manager.set_transition(model, previous)
        self._transitions.clear()


def _default_scenario(config: pytest.Config) -> Path | None:
    option = config.getoption("--iot-audit-scenario")
    if option:
        return (config.invocation_params.dir / str(option)).resolve()
    ini = config.getini("iot_audit_scenario")
    if ini:
        base = Path(config.inipath).parent if config.inipath else Path(config.rootpath)
        return (base / str(ini)).resolve()
    return None


@pytest.fixture
def iot_audit_region() -> str:
    return "us-east-1"


def _marked_scenario(request: pytest.FixtureRequest) -> Path | None:
    marker = request.node.get_closest_marker("iot_audit_scenario")
    if marker is None:
        return None
    path = marker.args[0] if marker.args else marker.kwargs.get("path")
    if not path:
        pytest.fail('@pytest.mark.iot_audit_scenario needs a scenario path, e.g. '
                    '@pytest.mark.iot_audit_scenario("fleet.yaml")', pytrace=False)
    return Path(request.node.path).parent / str(path)


@pytest.fixture
def iot_audit(request: pytest.FixtureRequest, iot_audit_region: str) -> Iterator[AuditController]:
    controller = AuditController(default_account(), iot_audit_region)
    scenario = _marked_scenario(request) or _default_scenario(request.config)
    with mock_iot_audit():
        try:
            if scenario is not None:
                try:
                    controller.load_scenario(scenario)
                except ScenarioError as error:
                    pytest.fail(f"iot_audit: the scenario {scenario} cannot be loaded:\n{error}", pytrace=False)
            yield controller
        finally:
            controller._close()


@pytest.fixture(autouse=True)
def _iot_audit_marker(request: pytest.FixtureRequest) -> None:
    """A test marked ``iot_audit_scenario`` gets the ``iot_audit`` fixture (and so its scenario)."""
    if "iot_audit" not in request.fixturenames and request.node.get_closest_marker("iot_audit_scenario"):
        request.getfixturevalue("iot_audit")


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
