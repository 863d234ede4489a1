"""Timing helpers the benchmark scripts share (imported as a sibling: the scripts run as ``python benchmarks/X.py``)."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any


def median_time(func: Callable[[], Any], calls: int, warmup: int = 10) -> float:
    """The median seconds of one call of ``func`` over ``calls`` calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        func()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_together(workers: Sequence[threading.Thread], ready: threading.Barrier) -> float:
    """Start ``workers``, which wait at ``ready`` (sized ``len(workers) + 1``) once warmed up, and return the
    seconds from their release to the last one's end."""
    for thread in workers:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    return time.perf_counter() - started
