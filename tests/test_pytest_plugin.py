"""The pytest plugin (``iot_audit_fake.pytest_plugin``), exercised the way users meet it: in a separate
pytest session (``pytester``) that has no conftest loading the plugin, only the ``pytest11`` entry point.

Each test writes a small project (tests, scenarios, sometimes a conftest or pytest.ini) and runs pytest
on it in a subprocess, then checks the outcomes and the output.
"""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

#: A small valid scenario: two things, a certificate expiring in ten days, the expiry check enabled.
FLEET = """\
audit_configuration:
  role_arn: arn:aws:iam::123456789012:role/AuditRole
  checks:
    DEVICE_CERTIFICATE_EXPIRING_CHECK: {enabled: true}
things:
  - name: sensor-1
  - name: sensor-2
certificates:
  - {name: sensor-1-cert, subject: sensor-1, not_after: +10d, things: [sensor-1]}
"""

#: A scenario whose line 5 holds an invalid frequency.
BROKEN = """\
things:
  - name: sensor-1
scheduled_audits:
  - name: nightly
    frequency: HOURLY
    checks: [LOGGING_DISABLED_CHECK]
"""


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The inner sessions must not believe they are xdist workers of the outer run, nor inherit its account."""
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID", "MOTO_ACCOUNT_ID"):
        monkeypatch.delenv(name, raising=False)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in a subprocess, so the plugin is loaded through its entry point and nothing else."""
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=300)


def write(pytester: pytest.Pytester, path: str, text: str) -> None:
    target = pytester.path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(textwrap.dedent(text))


# -- registration ---------------------------------------------------------------------------------


def test_plugin_is_active_through_the_entry_point_without_any_conftest(pytester):
    assert not list(pytester.path.rglob("conftest.py"))
    write(pytester, "test_registered.py", """
        def test_plugin_registered(request):
            assert request.config.pluginmanager.has_plugin("iot_audit_fake")

        def test_fixtures_available(iot_audit, iot_client, iot_audit_region):
            assert iot_audit_region == "us-east-1"
            assert iot_client.list_things()["things"] == []
    """)
    result = run(pytester)
    result.assert_outcomes(passed=2)

    markers = run(pytester, "--markers")
    markers.stdout.fnmatch_lines(["*@pytest.mark.iot_audit_scenario(path)*"])
    options = run(pytester, "--help")
    options.stdout.fnmatch_lines(["*--iot-audit-scenario*", "*iot_audit_scenario*"])

    # Blocking the entry point's plugin name takes the fixtures away: they come from nowhere else.
    blocked = run(pytester, "-p", "no:iot_audit_fake", "-k", "fixtures_available")
    blocked.assert_outcomes(errors=1)
    blocked.stdout.fnmatch_lines(["*fixture 'iot_audit' not found*"])


# -- the controller -------------------------------------------------------------------------------


def test_iot_audit_yields_a_controller_for_the_default_account_and_region(pytester):
    write(pytester, "test_controller.py", """
        import datetime as dt

        from moto.moto_api import state_manager

        from iot_audit_fake import audit_backends
        from iot_audit_fake.pytest_plugin import AuditController

        ROLE = "arn:aws:iam::123456789012:role/AuditRole"
        LOGGING_ON = {"role_arn": ROLE, "checks": {"LOGGING_DISABLED_CHECK": {"enabled": True}}}


        def test_backend_is_the_default_account_and_region(iot_audit):
            assert isinstance(iot_audit, AuditController)
            assert (iot_audit.account_id, iot_audit.region) == ("123456789012", "us-east-1")
            assert iot_audit.backend is audit_backends["123456789012"]["us-east-1"]
            assert iot_audit.backend_for("123456789012", "eu-west-1") is audit_backends["123456789012"]["eu-west-1"]


        def test_load_scenario_and_dump_it(iot_audit, iot_client):
            iot_audit.load_scenario({"audit_configuration": LOGGING_ON, "things": [{"name": "sensor-1"}],
                                     "scheduled_audits": [{"name": "nightly", "frequency": "DAILY",
                                                           "checks": ["LOGGING_DISABLED_CHECK"]}]})
            assert [t["thingName"] for t in iot_client.list_things()["things"]] == ["sensor-1"]
            assert "nightly" in iot_audit.backend.state.scheduled_audits
            dumped = iot_audit.dump_scenario()
            assert [a["name"] for a in dumped["scheduled_audits"]] == ["nightly"]


        def test_record_connection_feeds_the_backend(iot_audit):
            connection = iot_audit.record_connection("sensor-1", thing_name="sensor-1")
            assert iot_audit.backend.state.connections == [connection]
            assert connection.client_id == "sensor-1"


        def test_now_is_the_fakes_clock(iot_audit):
            now = iot_audit.now()
            assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)
            assert abs(now - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(seconds=5)


        def test_set_task_progression_holds_tasks(iot_audit, iot_client):
            iot_client.update_account_audit_configuration(
                roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}})
            iot_audit.set_task_progression("manual", times=2)
            iot_audit.set_task_progression("manual", mitigation=True, times=2)
            task_id = iot_client.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
            assert iot_client.describe_audit_task(taskId=task_id)["taskStatus"] == "IN_PROGRESS"
            assert state_manager.get_transition("iot::audittask")["progression"] == "manual"
            assert state_manager.get_transition("iot::auditmitigationactionstask")["progression"] == "manual"


        def test_progression_is_undone_after_the_test(iot_audit, iot_client):
            assert "iot::audittask" not in state_manager._transitions
            assert "iot::auditmitigationactionstask" not in state_manager._transitions
            iot_client.update_account_audit_configuration(
                roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}})
            task_id = iot_client.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
            assert iot_client.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"


        def test_a_transition_set_before_the_test_is_put_back():
            state_manager.set_transition("iot::audittask", {"progression": "time", "seconds": 7})
            try:
                controller = AuditController("123456789012", "us-east-1")
                controller.set_task_progression("manual", times=1)
                controller.set_task_progression("immediate")
                controller._close()
                assert state_manager.get_transition("iot::audittask") == {"progression": "time", "seconds": 7}
            finally:
                state_manager.unset_transition("iot::audittask")
    """)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=7)


def test_controller_follows_moto_account_id(pytester, monkeypatch):
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    write(pytester, "test_account.py", """
        from iot_audit_fake import audit_backends

        def test_account(iot_audit, iot_client):
            assert iot_audit.account_id == "111122223333"
            iot_client.update_account_audit_configuration(
                roleArn="arn:aws:iam::111122223333:role/AuditRole",
                auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}})
            iot_client.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY",
                                              targetCheckNames=["LOGGING_DISABLED_CHECK"])
            assert "nightly" in iot_audit.backend.state.scheduled_audits
            # a scenario without an account lands in the same account as the client's calls
            iot_audit.load_scenario({"things": [{"name": "sensor-9"}]})
            assert [t["thingName"] for t in iot_client.list_things()["things"]] == ["sensor-9"]
    """)
    run(pytester).assert_outcomes(passed=1)


# -- region ---------------------------------------------------------------------------------------


def test_iot_client_uses_an_overridden_iot_audit_region(pytester):
    write(pytester, "conftest.py", """
        import pytest

        @pytest.fixture
        def iot_audit_region():
            return "eu-west-1"
    """)
    write(pytester, "test_region.py", """
        from iot_audit_fake import audit_backends

        ACCOUNT = "123456789012"
        LOGGING_ON = {"role_arn": "arn:aws:iam::123456789012:role/AuditRole",
                      "checks": {"LOGGING_DISABLED_CHECK": {"enabled": True}}}

        def test_region(iot_audit, iot_client):
            assert iot_client.meta.region_name == "eu-west-1"
            assert iot_audit.region == "eu-west-1"
            iot_client.update_account_audit_configuration(
                roleArn="arn:aws:iam::123456789012:role/AuditRole",
                auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}})
            iot_client.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY",
                                              targetCheckNames=["LOGGING_DISABLED_CHECK"])
            assert "nightly" in audit_backends[ACCOUNT]["eu-west-1"].state.scheduled_audits
            assert iot_audit.backend is audit_backends[ACCOUNT]["eu-west-1"]
            assert "nightly" not in audit_backends[ACCOUNT]["us-east-1"].state.scheduled_audits

        def test_scenarios_default_to_the_region(iot_audit, iot_client):
            iot_audit.load_scenario({"audit_configuration": LOGGING_ON,
                                     "scheduled_audits": [{"name": "weekly", "frequency": "WEEKLY",
                                                           "day_of_week": "MON",
                                                           "checks": ["LOGGING_DISABLED_CHECK"]}]})
            names = [a["scheduledAuditName"] for a in iot_client.list_scheduled_audits()["scheduledAudits"]]
            assert names == ["weekly"]
            assert "weekly" in audit_backends[ACCOUNT]["eu-west-1"].state.scheduled_audits

        def test_a_scenario_naming_its_region_keeps_it(iot_audit, iot_client):
            iot_audit.load_scenario({"region": "ap-south-1", "things": [{"name": "far-away"}]})
            assert iot_client.list_things()["things"] == []
    """)
    run(pytester).assert_outcomes(passed=3)


# -- isolation ------------------------------------------------------------------------------------


def test_state_does_not_leak_between_tests(pytester):
    write(pytester, "test_isolation.py", """
        from iot_audit_fake import audit_backends

        ROLE = "arn:aws:iam::123456789012:role/AuditRole"

        def create(iot_client):
            iot_client.create_thing(thingName="sensor-1")
            iot_client.update_account_audit_configuration(
                roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}})
            iot_client.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY",
                                              targetCheckNames=["LOGGING_DISABLED_CHECK"])
            iot_client.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])

        def test_first(iot_audit, iot_client):
            create(iot_client)
            iot_audit.record_connection("sensor-1")

        def test_second_sees_a_fresh_world(iot_audit, iot_client):
            assert iot_client.list_things()["things"] == []
            assert iot_client.list_scheduled_audits()["scheduledAudits"] == []
            assert iot_audit.backend.state.connections == []
            assert iot_audit.backend.state.configuration.role_arn is None
            create(iot_client)  # the same names again: no collision

        def test_nothing_is_left_after_the_fixture(iot_audit):
            # the previous test's mock has stopped and moto reset every backend
            assert "nightly" not in iot_audit.backend.state.scheduled_audits
    """)
    run(pytester, "-p", "no:randomly").assert_outcomes(passed=3)


# -- scenarios: marker, ini key, option -----------------------------------------------------------


def test_marker_loads_a_scenario_relative_to_the_test_file(pytester):
    write(pytester, "suite/data/fleet.yaml", FLEET)
    write(pytester, "suite/test_marker.py", """
        import boto3
        import pytest

        @pytest.mark.iot_audit_scenario("data/fleet.yaml")
        def test_marked(iot_client):
            things = sorted(t["thingName"] for t in iot_client.list_things()["things"])
            assert things == ["sensor-1", "sensor-2"]
            task_id = iot_client.start_on_demand_audit_task(
                targetCheckNames=["DEVICE_CERTIFICATE_EXPIRING_CHECK"])["taskId"]
            findings = iot_client.list_audit_findings(taskId=task_id)["findings"]
            assert [f["checkName"] for f in findings] == ["DEVICE_CERTIFICATE_EXPIRING_CHECK"]

        def test_unmarked(iot_client):
            assert iot_client.list_things()["things"] == []

        @pytest.mark.iot_audit_scenario(path="data/fleet.yaml")
        def test_marked_without_asking_for_the_fixture():
            # the marker brings the iot_audit fixture (and its mock) along
            iot = boto3.client("iot", region_name="us-east-1")
            assert len(iot.list_things()["things"]) == 2

        @pytest.mark.iot_audit_scenario("data/fleet.yaml")
        class TestClassMarker:
            def test_in_class(self, iot_audit):
                assert iot_audit.backend.state.configuration.role_arn.endswith("role/AuditRole")
    """)
    # run from the project root, so a path relative to the working directory would not be found
    result = run(pytester, "suite")
    result.assert_outcomes(passed=4)


def test_ini_key_applies_to_every_test_using_iot_audit(pytester, monkeypatch):
    write(pytester, "pytest.ini", """
        [pytest]
        iot_audit_scenario = scenarios/base.yaml
    """)
    write(pytester, "scenarios/base.yaml", FLEET)
    write(pytester, "tests/other.yaml", "things:\n  - name: other\n")
    write(pytester, "tests/test_ini.py", """
        import pytest

        def test_one(iot_client):
            assert len(iot_client.list_things()["things"]) == 2

        def test_two(iot_audit):
            assert iot_audit.backend.state.configuration.role_arn is not None

        @pytest.mark.iot_audit_scenario("other.yaml")
        def test_marker_wins(iot_client):
            assert [t["thingName"] for t in iot_client.list_things()["things"]] == ["other"]

        def test_without_the_fixture():
            pass
    """)
    # started from the tests directory (pytest finds the ini file above it): the ini key's path is
    # relative to the ini file, not to the working directory
    monkeypatch.chdir(pytester.path / "tests")
    result = run(pytester)
    result.assert_outcomes(passed=4)
    assert "configfile: pytest.ini" in result.stdout.str()


def test_option_applies_to_every_test_using_iot_audit_also_under_xdist(pytester):
    write(pytester, "scenarios/base.yaml", FLEET)
    write(pytester, "tests/test_option.py", """
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_fleet(iot_client, n):
            assert len(iot_client.list_things()["things"]) == 2
    """)
    run(pytester, "--iot-audit-scenario", "scenarios/base.yaml").assert_outcomes(passed=4)
    run(pytester, "-n", "2", "--iot-audit-scenario", "scenarios/base.yaml").assert_outcomes(passed=4)


def test_a_broken_scenario_errors_with_file_and_line(pytester):
    write(pytester, "broken.yaml", BROKEN)
    write(pytester, "not-yaml.yaml", "things:\n  - name: [unclosed\n")
    write(pytester, "test_broken.py", """
        import pytest

        @pytest.mark.iot_audit_scenario("broken.yaml")
        def test_invalid(iot_client):
            pass

        @pytest.mark.iot_audit_scenario("not-yaml.yaml")
        def test_not_yaml(iot_client):
            pass

        @pytest.mark.iot_audit_scenario("missing.yaml")
        def test_missing(iot_client):
            pass

        def test_unaffected(iot_client):
            assert iot_client.list_things()["things"] == []
    """)
    result = run(pytester)
    result.assert_outcomes(passed=1, errors=3)
    out = result.stdout.str()
    # file:line:column, then the key path and the problem
    assert "broken.yaml:5:16: scheduled_audits[0].frequency: " in out, out
    assert "'HOURLY' is not one of" in out, out
    assert "not-yaml.yaml:3:1: not valid YAML" in out, out
    assert "missing.yaml: cannot read" in out, out
    # the failure is reported as the scenario's problem, not as a traceback through the plugin
    assert "iot_audit: the scenario" in out
    assert "pytest_plugin.py" not in out


def test_a_broken_default_scenario_errors_every_iot_audit_test(pytester):
    write(pytester, "broken.yaml", BROKEN)
    write(pytester, "test_default_broken.py", """
        def test_a(iot_audit):
            pass

        def test_b(iot_client):
            pass

        def test_plain():
            pass
    """)
    result = run(pytester, "--iot-audit-scenario", "broken.yaml")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(["*broken.yaml:5:16: scheduled_audits*frequency*HOURLY*"])


# -- pytest-xdist ---------------------------------------------------------------------------------


def test_xdist_workers_do_not_collide(pytester):
    write(pytester, "test_parallel.py", """
        import datetime as dt
        import os

        import pytest

        ROLE = "arn:aws:iam::123456789012:role/AuditRole"
        ACTION_ROLE = "arn:aws:iam::123456789012:role/MitigationRole"

        @pytest.mark.parametrize("n", range(6))
        def test_same_names_everywhere(iot_audit, iot_client, n):
            assert os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw")
            # every test creates the same names; each worker's state is its own, and reset per test
            iot_client.create_thing(thingName="sensor-1")
            iot_client.update_account_audit_configuration(
                roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}})
            iot_client.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY",
                                              targetCheckNames=["LOGGING_DISABLED_CHECK"])
            iot_client.create_mitigation_action(
                actionName="enable-logging", roleArn=ACTION_ROLE,
                actionParams={"enableIoTLoggingParams": {"roleArnForLogging": ACTION_ROLE, "logLevel": "WARN"}})
            task_id = iot_client.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
            assert iot_client.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
            now = iot_audit.now()
            tasks = iot_client.list_audit_tasks(startTime=now - dt.timedelta(days=1), endTime=now)["tasks"]
            assert [t["taskId"] for t in tasks] == [task_id]
    """)
    result = run(pytester, "-n", "2", "-v")
    result.assert_outcomes(passed=6)
    out = result.stdout.str()
    assert "[gw0]" in out and "[gw1]" in out, out


# -- the server fixture ---------------------------------------------------------------------------


def test_iot_audit_server_gives_an_endpoint_for_boto3(pytester):
    write(pytester, "test_server.py", """
        import boto3
        import pytest

        ROLE = "arn:aws:iam::123456789012:role/AuditRole"

        def client(server):
            return boto3.client("iot", region_name="us-east-1", endpoint_url=server.endpoint_url,
                                aws_access_key_id="testing", aws_secret_access_key="testing")

        @pytest.mark.parametrize("n", range(4))
        def test_server(iot_audit_server, n):
            assert iot_audit_server.endpoint_url.startswith("http://127.0.0.1:")
            iot = client(iot_audit_server)
            assert iot.list_scheduled_audits()["scheduledAudits"] == []  # a fresh server each test
            iot.create_thing(thingName="sensor-1")  # moto, behind the same endpoint
            iot.update_account_audit_configuration(
                roleArn=ROLE, auditCheckConfigurations={"LOGGING_DISABLED_CHECK": {"enabled": True}})
            iot.create_scheduled_audit(scheduledAuditName="nightly", frequency="DAILY",
                                       targetCheckNames=["LOGGING_DISABLED_CHECK"])
            task_id = iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"])["taskId"]
            assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
            assert [t["thingName"] for t in iot.list_things()["things"]] == ["sensor-1"]

        def test_server_and_controller_share_state(iot_audit, iot_audit_server):
            iot_audit.load_scenario({"audit_configuration": {
                "role_arn": ROLE, "checks": {"LOGGING_DISABLED_CHECK": {"enabled": True}}}})
            client(iot_audit_server).create_scheduled_audit(
                scheduledAuditName="nightly", frequency="DAILY", targetCheckNames=["LOGGING_DISABLED_CHECK"])
            assert "nightly" in iot_audit.backend.state.scheduled_audits
    """)
    run(pytester).assert_outcomes(passed=5)
    run(pytester, "-n", "2").assert_outcomes(passed=5)


# -- cheap to import, documented, sets up the environment --------------------------------------------


HEAVY = ("moto", "boto3", "botocore", "cryptography", "iot_audit_fake.backend", "iot_audit_fake.pytest_controller")


def test_importing_the_plugin_imports_nothing_heavy(pytester):
    import subprocess
    import sys

    code = ("import sys, iot_audit_fake.pytest_plugin; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    # ... nor does a session that loads it (through the entry point) and uses no fixture
    write(pytester, "test_light.py", f"""
        import sys

        def test_plugin_loaded_but_nothing_heavy(request):
            assert request.config.pluginmanager.has_plugin("iot_audit_fake")
            assert [m for m in {HEAVY!r} if m in sys.modules] == []
    """)
    run(pytester).assert_outcomes(passed=1)


def test_every_fixture_has_a_docstring(pytester):
    write(pytester, "test_nothing.py", "def test_nothing():\n    pass\n")
    out = run(pytester, "--fixtures").stdout.str()
    for fixture in ("iot_audit", "iot_client", "iot_audit_region", "iot_audit_server"):
        block = out.split(f"\n{fixture} ", 1)[1].split("\n\n", 1)[0]
        assert "no docstring available" not in block, block
        assert len(block.splitlines()) >= 2, block


def test_iot_audit_sets_a_region_and_dummy_credentials_for_the_test_only(pytester, monkeypatch):
    for name in ("AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    write(pytester, "conftest.py", """
        import pytest

        @pytest.fixture
        def iot_audit_region():
            return "eu-central-1"
    """)
    write(pytester, "test_environment.py", """
        import os

        import boto3


        def test_a_plain_client_needs_nothing(iot_audit):
            iot = boto3.client("iot")  # no region, no credentials given
            assert iot.meta.region_name == "eu-central-1"
            iot.create_thing(thingName="sensor-1")
            assert [t["thingName"] for t in iot.list_things()["things"]] == ["sensor-1"]
            assert iot_audit.backend is iot_audit.backend_for(iot_audit.account_id, "eu-central-1")


        def test_the_environment_is_put_back_afterwards():
            for name in ("AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
                assert name not in os.environ, name
    """)
    run(pytester, "-p", "no:randomly").assert_outcomes(passed=2)


def test_load_scenario_paths_are_relative_to_the_test_file_and_errors_show_the_resolved_path(pytester):
    write(pytester, "suite/data/fleet.yaml", FLEET)
    write(pytester, "suite/test_paths.py", """
        import pathlib

        import pytest

        from iot_audit_fake import ScenarioError


        def test_relative_to_this_file(iot_audit, iot_client):
            iot_audit.load_scenario("data/fleet.yaml")
            assert len(iot_client.list_things()["things"]) == 2


        def test_a_missing_file_names_where_it_was_looked_for(iot_audit):
            with pytest.raises(ScenarioError) as raised:
                iot_audit.load_scenario("data/missing.yaml")
            expected = pathlib.Path(__file__).parent / "data" / "missing.yaml"
            assert str(raised.value).startswith(f"{expected}: cannot read"), raised.value


        @pytest.mark.iot_audit_scenario("data/missing.yaml")
        def test_the_marker_says_the_same(iot_audit):
            pass
    """)
    result = run(pytester, "suite")
    result.assert_outcomes(passed=2, errors=1)
    expected = pytester.path / "suite" / "data" / "missing.yaml"
    assert f"{expected}: cannot read" in result.stdout.str()
