"""Every command and snippet in README.md runs as written.

The README's blocks are extracted with the marker comment just before each one (the README's
own header comment documents them):

- ``<!-- readme: file NAME -->``: the block is saved as NAME in a scratch directory, for later blocks;
- ``<!-- readme: pytest NAME -->``: the block is saved as NAME and pytest runs it there in a
  subprocess (the plugin loaded from its entry point, as for a user); every test must pass;
- ``<!-- readme: skip REASON -->``: not run (installing, or a command that runs until Ctrl-C);
- a ``python`` block without a marker runs in a fresh interpreter from the repository root;
- a ``bash`` block without a marker runs with bash from the repository root against a
  ThreadedServer on the demo scenario (in a child process), ``http://127.0.0.1:5000`` replaced
  by its address;
- a ``text`` block right after a run block is the output it must print.

Subprocesses get no AWS settings from the outer environment (a fresh user's shell): what a
snippet needs, it sets itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
README_ENDPOINT = "http://127.0.0.1:5000"

_BLOCK = re.compile(r"(?:<!-- readme: (?P<marker>[^>]*?) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```\n", re.S)


@dataclass
class Block:
    lang: str
    body: str
    marker: str
    line: int
    expected: str | None = None

    @property
    def action(self) -> str:
        return self.marker.split(" ", 1)[0] if self.marker else "run"

    @property
    def argument(self) -> str:
        return self.marker.split(" ", 1)[1].strip() if " " in self.marker else ""

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.lang}, {self.marker or 'run'})"


def blocks() -> list[Block]:
    text = README.read_text()
    found: list[Block] = []
    for match in _BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("lang")) + 1
        block = Block(match["lang"], match["body"], match["marker"] or "", line)
        if block.lang == "text" and found and found[-1].action == "run" and not block.marker:
            found[-1].expected = block.body
            continue
        found.append(block)
    return found


def environment(extra_path: Path | None = None) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items()
              if not k.startswith(("AWS_", "MOTO_", "PYTEST_XDIST", "PYTEST_CURRENT"))}
    # No user's configuration either: the README's commands must carry what they need.
    values.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                  PATH=os.pathsep.join([str(Path(sys.executable).parent), values.get("PATH", "")]),
                  PYTHONPATH=os.pathsep.join(filter(None, [str(extra_path or ""), str(ROOT)])))
    return values


def test_the_readme_has_its_sections_and_markers():
    text = README.read_text()
    assert text.split("\n## ", 1)[0].count("pip install iot-audit-fake") == 1  # the install line opens it
    for heading in ("## Quickstart", "## The pytest plugin", "## Scenarios", "## Server mode", "### Dashboard",
                    "## What is served", "### What the checks detect", "### Fault injection",
                    "## Contributing: two commands"):
        assert f"\n{heading}\n" in text, heading
    assert "TODO" not in text and "TASK_ID\n" not in text
    kinds = {block.action for block in blocks()}
    assert kinds <= {"run", "file", "pytest", "skip"}, kinds
    assert all(block.argument for block in blocks() if block.action != "run"), "every marker needs its argument"


def test_the_contributors_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    command = 'python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]" && .venv/bin/python -m pytest -q -n 2'
    assert command in ci.splitlines()
    (two_commands,) = [b for b in blocks() if "install the test extra" in b.body]
    assert two_commands.body.rstrip().splitlines()[-1] == command


#: A ThreadedServer on the demo scenario in a child process: the README moves the server's clock,
#: and in-process that clock is the test process's own (time-machine 2.15 moves time.monotonic too).
SERVER = """
import sys
from iot_audit_fake.scenario import DEMO_SCENARIO_PATH
from iot_audit_fake.server import ThreadedServer

with ThreadedServer(port=0, scenario=DEMO_SCENARIO_PATH) as server:
    print(server.endpoint_url, flush=True)
    sys.stdin.read()  # until the test closes it
"""


@dataclass
class Server:
    endpoint_url: str


@pytest.fixture(scope="module")
def server():
    child = subprocess.Popen([sys.executable, "-c", SERVER], cwd=ROOT, env=environment(), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        endpoint = child.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:"), endpoint
        yield Server(endpoint)
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def run(block: Block, cwd: Path, extra_path: Path | None = None, endpoint: str | None = None) -> str:
    if block.lang == "python":
        command = [sys.executable, "-c", block.body]
    elif block.lang == "bash":
        body = block.body.replace(README_ENDPOINT, endpoint) if endpoint else block.body
        command = [shutil.which("bash") or "bash", "-euo", "pipefail", "-c", body]
    else:
        raise AssertionError(f"{block}: cannot run a {block.lang!r} block")
    done = subprocess.run(command, cwd=cwd, env=environment(extra_path), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, f"{block} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


RUNNABLE = [block for block in blocks() if block.action in ("run", "pytest")]


def test_enough_blocks_run():
    assert len(RUNNABLE) >= 8, RUNNABLE


@pytest.mark.parametrize("block", RUNNABLE, ids=str)
def test_every_block_runs_as_written(block: Block, tmp_path: Path, server) -> None:
    for earlier in blocks():  # the files the README saved for later blocks
        if earlier.action == "file":
            target = tmp_path / earlier.argument
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(earlier.body)
    if block.action == "pytest":
        (tmp_path / block.argument).write_text(block.body)
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", block.argument],
                              cwd=tmp_path, env=environment(tmp_path), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{block}:\n{done.stdout}\n{done.stderr}"
        assert re.search(r"\b\d+ passed\b", done.stdout) and "skipped" not in done.stdout, done.stdout
        return
    out = run(block, ROOT, tmp_path, server.endpoint_url)
    if block.expected is not None:
        assert out == block.expected, f"{block} printed:\n{out}\nthe README says:\n{block.expected}"


def test_the_aws_cli_lines_need_nothing_but_what_they_say(server):
    # The CLI block sets its own credentials and region and finds the demo fleet's problems.
    (cli,) = [b for b in blocks() if "aws --endpoint-url" in b.body]
    assert "AWS_ACCESS_KEY_ID=testing" in cli.body and "$TASK_ID" in cli.body
    out = run(cli, ROOT, endpoint=server.endpoint_url)
    assert "DEVICE_CERTIFICATE_EXPIRING_CHECK" in out and "IOT_POLICY_OVERLY_PERMISSIVE_CHECK" in out, out
