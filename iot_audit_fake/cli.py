"""The ``iot-audit-fake`` command (also ``python -m iot_audit_fake``).

``iot-audit-fake server [--host 127.0.0.1] [--port 5000] [--scenario FILE | --empty]``
    serve the fake (and moto behind it) over HTTP until Ctrl-C. It starts on the built-in
    demo scenario unless given a scenario file or ``--empty``.
``iot-audit-fake validate FILE``
    check a scenario file: exit 0 printing ``FILE: ok``, or 1 printing every problem.
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="A fake of the AWS IoT Device Defender Audit API, living on moto.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    server = commands.add_parser("server", help="serve the fake over HTTP until Ctrl-C",
                                 description="Serve the audit API, and moto behind it, over HTTP until Ctrl-C.")
    server.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default: %(default)s, loopback only; 0.0.0.0 for every interface)")
    server.add_argument("--port", type=int, default=5000, help="port to listen on, 0 for any free port "
                                                               "(default: %(default)s)")
    start = server.add_mutually_exclusive_group()
    start.add_argument("--scenario", metavar="FILE", type=Path,
                       help="scenario file to start on (default: the built-in demo scenario)")
    start.add_argument("--empty", action="store_true", help="start with no state instead of the demo scenario")
    server.add_argument("--quiet", action="store_true", help="do not log each request")

    validate = commands.add_parser("validate", help="check a scenario file",
                                   description="Check a scenario file: exit 0 if it loads, 1 listing every problem.")
    validate.add_argument("file", metavar="FILE", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "server":
        return serve(args.host, args.port, scenario=args.scenario, empty=args.empty, quiet=args.quiet)
    return validate(args.file)


# -- server ---------------------------------------------------------------------------------------


def serve(host: str, port: int, scenario: Path | None = None, empty: bool = False, quiet: bool = False) -> int:
    """Serve until Ctrl-C (SIGINT) or SIGTERM; 0 on a clean shutdown."""
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    from .server import ThreadedServer

    start_on: Any = None
    description = "no scenario (empty state)"
    if scenario is not None:
        start_on, description = scenario, f"scenario {scenario}"
    elif not empty:
        try:
            from .scenario import DEMO_SCENARIO_PATH
        except ImportError:
            description = "no scenario: scenario support is not available, starting empty"
        else:
            start_on, description = DEMO_SCENARIO_PATH, "the built-in demo scenario"

    server = ThreadedServer(host=host, port=port, scenario=start_on)
    try:
        server.start()
    except KeyboardInterrupt:  # Ctrl-C while the scenario was loading: nothing is running yet
        print("Interrupted before the server started.", file=sys.stderr)
        return 130
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

    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in _stop_signals()}
    try:
        _print_banner(server.endpoint_url, host, description)
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:  # a second Ctrl-C during start-up, or a platform without signal handling
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print("Shutting down.", flush=True)
        server.stop()
    return 0


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


def validate(path: Path) -> int:
    """0 and ``FILE: ok`` if the scenario loads; 1 and every problem if it does not."""
    try:
        from .scenario import ScenarioError, load_scenario, validate_scenario
    except ImportError:
        print(f"{PROG}: scenario support is not available in this installation", file=sys.stderr)
        return 2
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    problems = validate_scenario(path)
    if not problems:
        # The schema holds; apply it to a throwaway state to find what only applying shows (unknown
        # labels, refused resources). Not when a mock is already active here: that state is not ours.
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
