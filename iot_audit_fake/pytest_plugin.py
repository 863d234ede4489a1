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

pytest imports this module in every run of every project that has the package installed,
so it imports nothing heavy: moto, boto3 and the fake itself come in through
:mod:`iot_audit_fake.pytest_controller` when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .pytest_controller import AuditController


def __getattr__(name: str) -> Any:
    # ``from iot_audit_fake.pytest_plugin import AuditController`` keeps working, lazily.
    if name == "AuditController":
        from . import pytest_controller

        return pytest_controller.AuditController
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("iot-audit-fake")
    group.addoption("--iot-audit-scenario", default=None,
                    help="scenario file loaded before every test that uses the iot_audit fixture")
    parser.addini("iot_audit_scenario", "scenario file (relative to the ini file) loaded for iot_audit tests")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "iot_audit_scenario(path): load this scenario (relative to the test file) "
                                       "before the test")


@pytest.fixture
def iot_audit_region() -> str:
    """The region of ``iot_audit`` and ``iot_client``: ``us-east-1``.

    Override this fixture (in a conftest, module or class) to test in another region.
    """
    from .accounts import DEFAULT_REGION  # the fake's one default (a cheap module)

    return DEFAULT_REGION


@pytest.fixture
def iot_audit(request: pytest.FixtureRequest, iot_audit_region: str) -> Iterator[AuditController]:
    """The IoT Device Defender Audit fake (and moto), active for the test; yields a controller.

    The state is reset before and after the test. For the test's duration the environment
    holds ``AWS_DEFAULT_REGION`` (= ``iot_audit_region``) and dummy credentials, so a plain
    ``boto3.client("iot")`` works. The controller has ``backend``, ``backend_for(account,
    region)``, ``load_scenario(path | yaml | mapping)`` (paths relative to the test file),
    ``dump_scenario()``, ``record_connection(client_id, ...)``,
    ``set_task_progression("manual", times=3)`` (undone when the test ends) and ``now()``.
    A ``@pytest.mark.iot_audit_scenario("x.yaml")`` marker or the ``--iot-audit-scenario``
    option / ``iot_audit_scenario`` ini key load a scenario first.
    """
    from . import pytest_controller

    yield from pytest_controller.iot_audit(request, iot_audit_region)


@pytest.fixture(autouse=True)
def _iot_audit_marker(request: pytest.FixtureRequest) -> None:
    """A test marked ``iot_audit_scenario`` gets the ``iot_audit`` fixture (and so its scenario)."""
    if "iot_audit" not in request.fixturenames and request.node.get_closest_marker("iot_audit_scenario"):
        request.getfixturevalue("iot_audit")


@pytest.fixture
def iot_client(iot_audit: AuditController, iot_audit_region: str) -> Any:
    """A boto3 IoT client in ``iot_audit_region``, served by the fake (``iot_audit`` is active)."""
    from . import pytest_controller

    return pytest_controller.iot_client(iot_audit_region)


@pytest.fixture
def iot_audit_server() -> Iterator[Any]:
    """A ``ThreadedServer`` on a free loopback port, stopped after the test.

    Give its ``endpoint_url`` to boto3, another SDK or the AWS CLI (with any credentials).
    It shares the process's state with ``iot_audit``.
    """
    from . import pytest_controller

    yield from pytest_controller.iot_audit_server()
