"""``python -m iot_audit_fake`` and the ``iot-audit-fake`` command's entry point (:func:`run`).

Ctrl-C while the command is still loading its modules ends it quietly (exit 130): the handler
below is in place before anything else is imported, until :func:`iot_audit_fake.cli.main` takes
over with its own.
"""

import os
import signal
import sys
from types import FrameType


def _interrupted_while_loading(signum: int, frame: FrameType | None) -> None:
    sys.stderr.write("Interrupted.\n")
    sys.stderr.flush()
    os._exit(130)  # nothing has started yet: nothing to clean up


signal.signal(signal.SIGINT, _interrupted_while_loading)


def run() -> int:
    from .cli import main

    return main()


if __name__ == "__main__":
    raise SystemExit(run())
