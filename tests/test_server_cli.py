"""The ``iot-audit-fake`` command (``python -m iot_audit_fake``): ``server`` and ``validate`` (issue 7)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from iot_audit_fake.cli import main

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
audit_configuration:
  role_arn: arn:aws:iam::123456789012:role/AuditRole
  checks:
    LOGGING_DISABLED_CHECK: {enabled: true}
things:
  - name: from-file
"""

BAD = """\
things:
  - nam: sensor-1
bogus: 1
scheduled_audits:
  - {name: daily, frequency: HOURLY, checks: [LOGGING_DISABLED_CHECK]}
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env() -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    values.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_EC2_METADATA_DISABLED="true",
                  AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                  PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return values


class Server:
    """``python -m iot_audit_fake server`` as a child process, its output in files."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stdout_path, self.stderr_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        with self.stdout_path.open("w") as out, self.stderr_path.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "iot_audit_fake", "server", "--port", str(self.port), *args],
                cwd=ROOT, env=env(), stdout=out, stderr=err)

    def wait_until_answering(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}: {self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_iot_audit/clock", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        pytest.fail(f"server did not answer within {timeout}s: {self.output()}")

    def aws(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "awscli", *args, "--endpoint-url", self.url, "--region", "us-east-1",
                   "--output", "json"]
        return subprocess.run(command, env=env(), capture_output=True, text=True, timeout=120)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def output(self) -> str:
        return self.stdout_path.read_text() + self.stderr_path.read_text()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def test_server_starts_on_the_demo_scenario_serves_the_cli_and_stops_cleanly_on_ctrl_c(tmp_path):
    server = Server(tmp_path)
    try:
        server.wait_until_answering()
        done = server.aws("iot", "describe-account-audit-configuration")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["roleArn"] == "arn:aws:iam::123456789012:role/AuditRole"  # the demo's
        assert server.stop(signal.SIGINT) == 0
    finally:
        server.kill()
    stdout, stderr = server.stdout_path.read_text(), server.stderr_path.read_text()
    assert server.url in stdout
    assert f"aws --endpoint-url {server.url}" in stdout and "iot list-audit-tasks" in stdout
    assert "demo scenario" in stdout
    # One log line per request: method, path, status, milliseconds.
    assert any("GET /audit/configuration 200" in line and line.endswith("ms") for line in stderr.splitlines()), stderr
    assert "Traceback" not in stderr


def test_server_on_a_scenario_file_stops_cleanly_on_sigterm(tmp_path):
    scenario = tmp_path / "fleet.yaml"
    scenario.write_text(GOOD)
    server = Server(tmp_path, "--scenario", str(scenario))
    try:
        server.wait_until_answering()
        done = server.aws("iot", "list-things")
        assert done.returncode == 0, done.stderr
        assert [t["thingName"] for t in json.loads(done.stdout)["things"]] == ["from-file"]
        assert server.stop(signal.SIGTERM) == 0
    finally:
        server.kill()
    assert "Traceback" not in server.output()


def test_server_empty_has_no_state(tmp_path):
    server = Server(tmp_path, "--empty")
    try:
        server.wait_until_answering()
        done = server.aws("iot", "describe-account-audit-configuration")
        assert done.returncode == 0, done.stderr
        assert "roleArn" not in json.loads(done.stdout)
        assert server.stop() == 0
    finally:
        server.kill()


def test_server_refuses_a_bad_scenario_file_with_every_problem(tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(BAD)
    server = Server(tmp_path, "--scenario", str(scenario))
    try:
        assert server.process.wait(timeout=60) == 1
    finally:
        server.kill()
    stderr = server.stderr_path.read_text()
    assert "bogus" in stderr and "HOURLY" in stderr and "things[0]" in stderr
    assert "Traceback" not in stderr


def test_validate_exit_codes_as_a_command(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text(BAD)
    command = [sys.executable, "-m", "iot_audit_fake", "validate"]
    ok = subprocess.run([*command, str(good)], cwd=ROOT, env=env(), capture_output=True, text=True, timeout=120)
    assert (ok.returncode, ok.stdout.strip()) == (0, f"{good}: ok")
    refused = subprocess.run([*command, str(bad)], cwd=ROOT, env=env(), capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    lines = refused.stdout.strip().splitlines()
    assert len(lines) >= 3, lines
    assert all(line.startswith(f"{bad}:") for line in lines), lines


def test_validate_prints_every_problem_with_file_line_and_key_path(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:" in out and "bogus" in out  # an unknown top-level key
    assert f"{bad}:2:" in out and "things[0]" in out
    assert f"{bad}:5:" in out and "scheduled_audits[0].frequency" in out and "HOURLY" in out


def test_validate_the_demo_scenario_and_a_missing_file(tmp_path, capsys):
    from iot_audit_fake import scenario
    assert main(["validate", str(scenario.DEMO_SCENARIO_PATH)]) == 0
    assert capsys.readouterr().out.strip() == f"{scenario.DEMO_SCENARIO_PATH}: ok"
    assert main(["validate", str(tmp_path / "missing.yaml")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_validate_finds_problems_only_applying_shows(tmp_path, capsys):
    scenario = tmp_path / "dangling.yaml"
    scenario.write_text("certificates:\n  - {name: device, issuer: no-such-ca}\n")
    assert main(["validate", str(scenario)]) == 1
    assert f"{scenario}:" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main(["server", "--port", "not-a-port"])
    assert exited.value.code == 2


# -- issue 15: --version, ports, Ctrl-C at any moment, validate on a directory ------------------------


def test_version(capsys):
    from iot_audit_fake import __version__

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"iot-audit-fake {__version__}"


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "5e3", ""])
def test_a_port_outside_1_to_65535_is_a_usage_error(port, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["server", "--port", port])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--port" in err and "is not a port number" in err, err


def test_port_bounds_are_accepted():
    from iot_audit_fake.cli import build_parser

    for port in (0, 1, 5000, 65535):
        assert build_parser().parse_args(["server", "--port", str(port)]).port == port


def test_validate_a_directory_validates_every_scenario_in_it(tmp_path, capsys):
    (tmp_path / "a-good.yaml").write_text(GOOD)
    (tmp_path / "b-bad.yml").write_text(BAD)
    (tmp_path / "c-good.json").write_text(json.dumps({"things": [{"name": "from-json"}]}))
    (tmp_path / "notes.txt").write_text("not a scenario")
    (tmp_path / "nested").mkdir()
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'a-good.yaml'}: ok" in out
    assert f"{tmp_path / 'c-good.json'}: ok" in out
    assert f"{tmp_path / 'b-bad.yml'}:5:" in out and "HOURLY" in out
    assert "notes.txt" not in out
    (tmp_path / "b-bad.yml").unlink()
    assert main(["validate", str(tmp_path)]) == 0
    assert main(["validate", str(tmp_path / "nested")]) == 1
    assert "no scenario files" in capsys.readouterr().err


def test_validate_dot_from_the_examples_directory(capsys, monkeypatch):
    monkeypatch.chdir(ROOT / "examples" / "scenarios")
    assert main(["validate", "."]) == 0
    assert sorted(capsys.readouterr().out.splitlines()) == sorted(
        f"{p.name}: ok" for p in Path(".").iterdir() if p.suffix in (".yaml", ".yml", ".json"))


def test_ctrl_c_during_start_up_exits_without_a_traceback(tmp_path):
    # A fleet that takes seconds to load, so the signals land while the server is starting. Each
    # signal is sent once the command says it is starting (before that, Python itself may still be
    # loading the package, where a Ctrl-C is the interpreter's own KeyboardInterrupt).
    slow = tmp_path / "slow.yaml"
    slow.write_text("certificates:\n" + "".join(f"  - {{name: c{i}}}\n" for i in range(4000)))
    outcomes = []
    for delay in (0.0, 0.1, 0.5, 1.0, 3.0):
        run_dir = tmp_path / f"run-{delay}"
        run_dir.mkdir()
        server = Server(run_dir, "--scenario", str(slow))
        try:
            deadline = time.monotonic() + 90
            while "starting on scenario" not in server.output() and time.monotonic() < deadline:
                assert server.process.poll() is None, server.output()
                time.sleep(0.01)
            time.sleep(delay)
            outcomes.append((delay, server.stop(signal.SIGINT, timeout=60), server.output()))
        finally:
            server.kill()
    for delay, code, output in outcomes:
        assert "Traceback" not in output, (delay, output)
        # 130 while starting; once the server is up, a clean shutdown (0)
        assert code in (130, 0), (delay, code, output)
        assert ("Interrupted before the server started." in output) if code == 130 else ("Shutting down." in output)
    assert outcomes[0][1] == 130, outcomes[0]
