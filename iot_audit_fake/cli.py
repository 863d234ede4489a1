"""The ``iot-audit-fake`` command (also ``python -m iot_audit_fake``).

``iot-audit-fake server [--host 127.0.0.1] [--port 5000] [--scenario FILE | --empty]``
    serve the fake (and moto behind it) over HTTP until Ctrl-C. It starts on the built-in
    demo scenario unless given a scenario file or ``--empty``.
``iot-audit-fake validate FILE_OR_DIR...``
    check scenario files (a directory: every *.yaml, *.yml and *.json in it): exit 0 printing
    ``FILE: ok`` for each, or 1 printing every problem.
``iot-audit-fake --version``
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

PROG = "iot-audit-fake"

#: What ``validate DIR`` reads from a directory.
SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")


def port_number(text: str) -> int:
    """A TCP port, 1-65535, or 0 for any free one (argparse turns a ValueError into a usage error)."""
    try:
        port = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number: use 1-65535 (or 0 for any free port)")
    return port


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog=PROG, description="A fake of the AWS IoT Device Defender Audit API, living on moto.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    server = commands.add_parser("server", help="serve the fake over HTTP until Ctrl-C",
                                 description="Serve the audit API, and moto behind it, over HTTP until Ctrl-C.")
    server.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default: %(default)s, loopback only; 0.0.0.0 for every interface)")
    # [INF] 0 stays allowed beside 1-65535: it asks the system for a free port, which the banner then shows.
    server.add_argument("--port", type=port_number, default=5000,
                        help="port to listen on, 1-65535, or 0 for any free port (default: %(default)s)")
    start = server.add_mutually_exclusive_group()
    start.add_argument("--scenario", metavar="FILE", type=Path,
                       help="scenario file to start on (default: the built-in demo scenario)")
    start.add_argument("--empty", action="store_true", help="start with no state instead of the demo scenario")
    server.add_argument("--quiet", action="store_true", help="do not log each request")

    validate = commands.add_parser(
        "validate", help="check scenario files",
        description="Check scenario files: exit 0 if every one loads, 1 listing every problem. A directory "
                    f"stands for every {'/'.join('*' + s for s in SCENARIO_SUFFIXES)} file directly in it.")
    validate.add_argument("files", metavar="FILE_OR_DIR", type=Path, nargs="+")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (130 when interrupted before the work was done)."""
    if signal.getsignal(signal.SIGINT) is getattr(sys.modules.get("iot_audit_fake.__main__"),
                                                  "_interrupted_while_loading", None):
        signal.signal(signal.SIGINT, signal.default_int_handler)  # from here on, KeyboardInterrupt below
    try:
        args = build_parser().parse_args(argv)
        if args.command == "server":
            return serve(args.host, args.port, scenario=args.scenario, empty=args.empty, quiet=args.quiet)
        return validate_all(args.files)
    except KeyboardInterrupt:  # Ctrl-C while starting up or validating: nothing to clean up beyond what ran
        print("Interrupted.", file=sys.stderr, flush=True)
        return 130


# -- server ---------------------------------------------------------------------------------------


def serve(host: str, port: int, scenario: Path | None = None, empty: bool = False, quiet: bool = False) -> int:
    """Serve until Ctrl-C (SIGINT) or SIGTERM; 0 on a clean shutdown, 130 if stopped while starting.

    Until the server runs, both signals raise KeyboardInterrupt (a scenario load is stopped at
    once); from then on they only ask the main loop to stop, and during the shutdown they are
    ignored, so no moment of a Ctrl-C leaves a traceback.
    """
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    stopping = threading.Event()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, interrupt) for sig in _stop_signals()}
    server: Any = None
    try:
        start_on: Any = None
        description = "no scenario (empty state)"
        if scenario is not None:
            start_on, description = scenario, f"scenario {scenario}"
        elif not empty:
            from .scenario import DEMO_SCENARIO_PATH

            start_on, description = DEMO_SCENARIO_PATH, "the built-in demo scenario"
        print(f"{PROG} {_version()}: starting on {description}...", flush=True)

        from .server import ThreadedServer

        server = ThreadedServer(host=host, port=port, scenario=start_on)
        try:
            server.start()
        except OSError as error:
            print(f"{PROG}: cannot listen on {host}:{port}: {error.strerror or error}", file=sys.stderr)
            return 1
        except Exception as error:
            messages = getattr(error, "messages", None)
            if messages is None:
                raise
            print(f"{PROG}: cannot load {description}:", file=sys.stderr)
            for message in messages:
                print(f"  {message}", file=sys.stderr)
            return 1
        for sig in previous:
            signal.signal(sig, on_signal)
        _print_banner(server.endpoint_url, host, description)
        while not stopping.wait(0.5):
            pass
        return 0
    except KeyboardInterrupt:
        if server is None or not server.running:
            print("Interrupted before the server started.", file=sys.stderr, flush=True)
            return 130
        return 0
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        try:
            if server is not None and server.running:
                print("Shutting down.", flush=True)
            if server is not None:
                server.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _version() -> str:
    from . import __version__

    return __version__


def _stop_signals() -> list[signal.Signals]:
    signals = [signal.SIGINT]
    if hasattr(signal, "SIGTERM"):
        signals.append(signal.SIGTERM)
    return signals


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _print_banner(endpoint: str, host: str, description: str) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=1)
    print(f"iot-audit-fake listening on {endpoint} ({description})", flush=True)
    if not _is_loopback(host):
        print(f"WARNING: bound to {host}: anyone who can reach this machine can read and change the fake's state.",
              flush=True)
    print("Point any AWS SDK or the AWS CLI at it (any credentials work), for example:", flush=True)
    print(f"  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws --endpoint-url {endpoint} "
          f"--region us-east-1 iot list-audit-tasks --start-time {start} --end-time {end}", flush=True)
    print(f"Control endpoints: {endpoint}/_iot_audit/{{reset,scenario,clock}}. Press Ctrl-C to stop.", flush=True)


# -- validate -------------------------------------------------------------------------------------


def scenario_files(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The files to validate (a directory's scenario files, sorted) and the problems finding them."""
    files: list[Path] = []
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in SCENARIO_SUFFIXES and p.is_file())
            if not found:
                problems.append(f"{path}: no scenario files ({', '.join('*' + s for s in SCENARIO_SUFFIXES)}) in "
                                "this directory")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or directory")
    return files, problems


def validate_all(paths: Sequence[Path]) -> int:
    """Every file (or directory of scenarios): 0 if all load, 1 if any does not or is missing."""
    files, problems = scenario_files(paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    failed = [path for path in files if validate(path) != 0]
    return 1 if problems or failed else 0


def validate(path: Path) -> int:
    """0 and ``FILE: ok`` if the scenario loads; 1 and every problem if it does not."""
    from .scenario import ScenarioError, load_scenario, validate_scenario

    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    problems = validate_scenario(path)
    if not problems:
        # The scenario holds together; apply it to a throwaway state to find what only moto's own
        # rules refuse. Not when a mock is already active here: that state is not ours.
        from .mock import is_active, mock_iot_audit

        if not is_active():
            try:
                with mock_iot_audit():
                    load_scenario(path)
            except ScenarioError as error:
                problems = list(error.messages) or [str(error)]
    if problems:
        for message in problems:
            print(message)
        return 1
    print(f"{path}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
