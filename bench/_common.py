"""Small helpers shared by the benchmarks."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from statistics import median
from typing import TypeVar

T = TypeVar("T")


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """Median wall seconds over `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return median(times), result  # type: ignore[return-value]
