"""This machine's own ceiling for two processes: the same work alone, then two copies at once.

The scaling target (2 workers against 1) is only meaningful if the machine gives two
processes two cores' worth of work. Two kinds of load, each run 3 times:

- arithmetic in the interpreter (no memory traffic);
- random gathers from a 256 MiB int64 array (memory-bound, like a RAPTOR scan over a
  national timetable).

Run: `python -m bench.cpu_ceiling`. Prints each kind's p50 time alone and two at once, and
the speed-up 2 x alone / slower of the pair.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import time
from collections.abc import Callable

import numpy as np


def arithmetic(_: int) -> float:
    """Seconds for 12 million multiply-adds in Python."""
    t = time.perf_counter()
    s = 0
    for i in range(12_000_000):
        s += i * i
    return time.perf_counter() - t


def gathers(_: int) -> float:
    """Seconds for 6 passes of 16 million random reads from a 256 MiB array."""
    a = np.random.default_rng(1).integers(0, 1 << 25, size=1 << 25, dtype=np.int64)
    idx = np.random.default_rng(2).integers(0, len(a), size=1 << 24)
    t = time.perf_counter()
    for _ in range(6):
        a[idx].sum()
    return time.perf_counter() - t


def ceiling(fn: Callable[[int], float], runs: int = 3) -> tuple[float, float]:
    """(p50 seconds alone, p50 seconds of the slower of two at once)."""
    alone, pair = [], []
    with mp.get_context("spawn").Pool(2) as pool:
        for _ in range(runs):
            alone.append(pool.apply(fn, (0,)))
            pair.append(max(pool.map(fn, [0, 1])))
    return statistics.median(alone), statistics.median(pair)


def main() -> None:
    """Print the two-process ceiling of each kind of load."""
    print(f"# two-process ceiling, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    for name, fn in (("arithmetic", arithmetic), ("random gathers, 256 MiB", gathers)):
        one, two = ceiling(fn)
        print(f"{name}: alone p50 {one:.2f} s, two at once p50 {two:.2f} s, "
              f"speed-up {2 * one / two:.2f}x")


if __name__ == "__main__":
    main()
