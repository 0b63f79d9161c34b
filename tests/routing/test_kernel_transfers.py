"""The foot-transfer relaxation gives the same labels and marks whatever its chunk size.

The kernel gathers a stop's improving walks into a buffer of 128 before writing them;
a stop with more transfers than that goes through in chunks. Real feeds rarely have
one, so here a random network is relaxed with buffers of 1, 3 and 128 and compared
with a plain one-walk-at-a-time relaxation written in Python.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.routing import kernels
from app.routing import raptor_core as core

N_STOPS = 60
N_ROUNDS = 4
MIN_CHANGE = 60


def _network(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR transfers, each stop's row sorted by walk time, with some repeated targets."""
    ptr = [0]
    to: list[int] = []
    time: list[int] = []
    for s in range(N_STOPS):
        n = int(rng.integers(0, 40))
        targets = rng.integers(0, N_STOPS, n)
        targets = targets[targets != s]
        walks = np.sort(rng.integers(30, 900, len(targets)))
        to += targets.tolist()
        time += walks.tolist()
        ptr.append(len(to))
    return (np.array(ptr, np.int32), np.array(to, np.int32), np.array(time, np.int32))


def _labels(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels kept non-increasing in the round, and the stops a bus improved in round k."""
    bus = np.full((N_ROUNDS + 1, N_STOPS), core.INF, np.int32)
    walk = np.full((N_ROUNDS + 1, N_STOPS), core.INF, np.int32)
    for lab in (bus, walk):
        for s in range(N_STOPS):
            if rng.random() < 0.7:
                lab[k:, s] = 8 * 3600 + int(rng.integers(0, 3600))
    improved = rng.choice(N_STOPS, 25, replace=False).astype(np.int32)
    return bus, walk, improved


def _reference(bus: np.ndarray, walk: np.ndarray, improved: np.ndarray, k: int, limit: int,
               tr: tuple[np.ndarray, np.ndarray, np.ndarray]) -> set[int]:
    """The rule in one pass: walk on from each bus-improved stop if it lets s2 board earlier."""
    ptr, to, time = tr
    marks = set()
    for s in improved.tolist():
        base = int(bus[k, s])
        if base + MIN_CHANGE < walk[k, s]:
            marks.add(s)
        for x in range(ptr[s], ptr[s + 1]):
            a = base + int(time[x])
            if a > limit:
                break
            s2 = int(to[x])
            if a < walk[k, s2] and a < bus[k, s2] + MIN_CHANGE:
                walk[k:, s2] = np.minimum(walk[k:, s2], a)
                marks.add(s2)
    return marks


@pytest.mark.parametrize("limit_after", [None, 1800])
def test_chunked_relaxation_matches_one_pass(limit_after: int | None) -> None:
    rng = np.random.default_rng(7)
    tr = _network(rng)
    for trial in range(30):
        k = 1 + trial % N_ROUNDS
        bus, walk, improved = _labels(rng, k)
        limit = int(core.INF) if limit_after is None else 8 * 3600 + limit_after
        want_walk = walk.copy()
        want_marks = _reference(bus, want_walk, improved, k, limit, tr)
        for size in (1, 3, 128):
            w = walk.copy()
            bus_flag = np.zeros(N_STOPS, np.bool_)
            bus_flag[improved] = True
            marked = np.zeros(N_STOPS, np.bool_)
            mark_list = np.zeros(N_STOPS + 1, np.int32)  # a spare slot, as in new_work
            ent = np.empty((1, 1), np.int32)
            log = core.new_log(1)
            n_marked, _ = kernels._relax_transfers(
                k, limit, MIN_CHANGE, 8 * 3600, *tr, bus, w, ent, ent, bus_flag, improved,
                len(improved), marked, mark_list, np.zeros(0, np.bool_),
                np.zeros(0, np.int32), 0, False, log, np.empty(size, np.int32))
            assert np.array_equal(w, want_walk), (trial, size)
            assert set(mark_list[:n_marked].tolist()) == want_marks, (trial, size)
            assert n_marked == len(want_marks)  # each stop marked once
            assert not bus_flag.any()  # the bus list is consumed
