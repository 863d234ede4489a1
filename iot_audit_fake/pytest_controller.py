"""The pytest plugin's working part: the ``iot_audit`` controller and what the fixtures do.

:mod:`iot_audit_fake.pytest_plugin` is what pytest imports in every run; it stays cheap and
imports this module (and with it moto, boto3 and the fake's core) only when a test uses a
fixture, the marker or a default scenario.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from . import clock
from .accounts import default_account
from .backend import AuditBackend, audit_backends
from .connections import Connection
from .faults import Fault, inject_fault
from .mitigation_tasks import MODEL_NAME as MITIGATION_MODEL
from .mock import mock_iot_audit
from .scenario import ScenarioError, dump_scenario, load_source
from .scenario.source import read
from .tasks import MODEL_NAME as TASK_MODEL

#: What the ``iot_audit`` fixture puts in the environment for the test: a region for clients made
#: without one, and dummy credentials so that no client signs with real ones (moto's advice).
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class AuditController:
    """What a test needs beside the client: the backend, scenarios, connections, progression, the clock.

    ``base`` is the directory a relative scenario path is read from (the test file's, in the fixture).
    Anything a test changes through the controller that outlives the mock (state-manager transitions)
    is undone by ``_close``; a new such setting registers its undo in ``_undo``.
    """

    def __init__(self, account_id: str, region: str, base: Path | None = None) -> None:
        self.account_id, self.region = account_id, region
        self.base = base
        #: model name -> the transition set before this test changed it (None: none was set)
        self._transitions: dict[str, dict[str, Any] | None] = {}
        #: further undo steps, run last first when the test ends
        self._undo: list[Any] = []

    @property
    def backend(self) -> AuditBackend:
        """The audit backend of the test's account and region."""
        return audit_backends[self.account_id][self.region]

    def backend_for(self, account_id: str, region: str) -> AuditBackend:
        return audit_backends[account_id][region]

    def scenario_path(self, path: str | Path) -> Path:
        """Where a scenario path points: relative paths from ``base`` (the test file's directory)."""
        given = Path(path).expanduser()
        return given if given.is_absolute() or self.base is None else (self.base / given).resolve()

    def load_scenario(self, scenario: str | Path | Mapping[str, Any]) -> None:
        """Apply a scenario (a path relative to the test file, YAML text or a mapping), atomically;
        its top-level state goes to this controller's account and region unless it names its own."""
        if isinstance(scenario, Path) or (isinstance(scenario, str) and "\n" not in scenario
                                          and scenario.endswith((".yaml", ".yml", ".json"))):
            scenario = self.scenario_path(scenario)
        source = read(scenario)
        if isinstance(source.data, dict):
            source.data.setdefault("account", self.account_id)
            source.data.setdefault("region", self.region)
        load_source(source)

    def dump_scenario(self) -> dict[str, Any]:
        return dump_scenario()

    # What AWS observes and moto cannot, recorded on the test's backend (docs/observations.md).

    def record_connection(self, client_id: str, **details: Any) -> Connection:
        """A device connection, as AWS's broker would have seen it (``backend.record_connection``)."""
        return self.backend.record_connection(client_id, **details)

    def record_revocation(self, issuer: str, serial: str | int) -> None:
        """A CRL entry: ``issuer`` revoked the certificate with this serial (``backend.record_revocation``)."""
        self.backend.record_revocation(issuer, serial)

    def record_service_usage(self, role_arn: str, service: str, last_accessed: dt.datetime | None = None) -> None:
        """IAM's service-last-accessed data for a role (``backend.record_service_usage``)."""
        self.backend.record_service_usage(role_arn, service, last_accessed)

    def set_data_collection_delay(self, check_name: str, delay: dt.timedelta | float | None) -> None:
        """How long ``check_name`` waits for data after it is enabled (``backend.set_data_collection_delay``)."""
        self.backend.set_data_collection_delay(check_name, delay)

    def set_task_progression(self, progression: str, mitigation: bool = False, **settings: Any) -> None:
        """``"immediate"``, ``"manual"`` (``times=N``) or ``"time"`` (``seconds=N``) for audit tasks,
        or for mitigation tasks with ``mitigation=True``; undone when the test ends."""
        from moto.moto_api import state_manager

        model = MITIGATION_MODEL if mitigation else TASK_MODEL
        if model not in self._transitions:
            previous = state_manager._transitions.get(model)
            self._transitions[model] = dict(previous) if previous is not None else None
        state_manager.set_transition(model, {"progression": progression, **settings})

    def inject_fault(self, operation: str, error: str | None = "ThrottlingException", **options: Any) -> Fault:
        """:func:`iot_audit_fake.inject_fault` (same arguments; returns its handle), removed when the test ends."""
        fault = inject_fault(operation, error, **options)
        self._undo.append(fault.remove)
        return fault

    def now(self) -> dt.datetime:
        """The fake's clock (freezegun and time-machine move it)."""
        return clock.now()

    def _close(self) -> None:
        from moto.moto_api import state_manager

        while self._undo:
            self._undo.pop()()
        for model, previous in self._transitions.items():
            if previous is None:
                state_manager.unset_transition(model)
            else:
                state_manager.set_transition(model, previous)
        self._transitions.clear()


def default_scenario(config: pytest.Config) -> Path | None:
    """The option's path (from where pytest started) or the ini key's (from the ini file), if any."""
    option = config.getoption("--iot-audit-scenario")
    if option:
        return (config.invocation_params.dir / str(option)).resolve()
    ini = config.getini("iot_audit_scenario")
    if ini:
        base = Path(config.inipath).parent if config.inipath else Path(config.rootpath)
        return (base / str(ini)).resolve()
    return None


def marked_scenario(request: pytest.FixtureRequest, controller: AuditController) -> Path | None:
    marker = request.node.get_closest_marker("iot_audit_scenario")
    if marker is None:
        return None
    path = marker.args[0] if marker.args else marker.kwargs.get("path")
    if not path:
        pytest.fail('@pytest.mark.iot_audit_scenario needs a scenario path, e.g. '
                    '@pytest.mark.iot_audit_scenario("fleet.yaml")', pytrace=False)
    return controller.scenario_path(str(path))


def iot_audit(request: pytest.FixtureRequest, region: str) -> Iterator[AuditController]:
    """The body of the ``iot_audit`` fixture."""
    controller = AuditController(default_account(), region, base=Path(request.node.path).parent)
    scenario = marked_scenario(request, controller) or default_scenario(request.config)
    with pytest.MonkeyPatch.context() as environment:
        # Set before the mock starts: moto puts its own keys in while it runs and restores ours after.
        for name, value in {**DUMMY_CREDENTIALS, "AWS_DEFAULT_REGION": region}.items():
            environment.setenv(name, value)
        with mock_iot_audit():
            yield from _with_scenario(controller, scenario)


def _with_scenario(controller: AuditController, scenario: Path | None) -> Iterator[AuditController]:
    try:
        if scenario is not None:
            try:
                controller.load_scenario(scenario)
            except ScenarioError as error:
                pytest.fail(f"iot_audit: the scenario {scenario} cannot be loaded:\n{error}", pytrace=False)
        yield controller
    finally:
        controller._close()


def iot_client(region: str) -> Any:
    import boto3

    return boto3.client("iot", region_name=region)


def iot_audit_server() -> Iterator[Any]:
    from .server import ThreadedServer

    server = ThreadedServer(port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()
