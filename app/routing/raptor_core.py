"""RAPTOR state: label, log and scratch arrays, and the call into the compiled kernel.

Labels persist between calls so the same kernel serves a single earliest-arrival query
(fresh labels) and range RAPTOR (labels of later departures reused as upper bounds).

Label arrays have shape (K+1, n_stops):
- bus[k, s]: earliest arrival at s getting off a bus, with at most k buses;
- walk[k, s]: earliest arrival at s on foot after at most k buses (k=0: the access walk).
Both are kept non-increasing in k ("at most k") by writing an improvement into every
higher round too; that is what makes per-round pruning valid across iterations.

Optional log (record=True): every label improvement is appended as an entry so journeys
can be rebuilt after the search (parents point at earlier entries).

The kernels themselves live in `app.routing.kernels` (numba). This module imports no
numba, so a process answering queries with the ahead-of-time compiled kernels
(`app.routing.aot`) never starts the JIT; `run_iteration` and `run_profile` are still
reachable here, for callers written against the old layout.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Imported here, not per call: the import statement alone cost about 1 us a query (2% of
# a Mid-Notts one). app.routing.aot imports no numba, so neither does this module.
from app.routing.aot import kernels

INF = np.int32(1 << 30)  # "unreached"; far beyond any time of day
NO_BOARD = np.int32(2**31 - 1)  # boarding time of a stop not marked: above any limit

# Log entry kinds
ACCESS = 0
BUS = 1
TRANSFER = 2

# Indices into the timetable tuple passed to the kernels
# (pat_stop_ptr, pat_stops, pat_trip_ptr, trip_time_off, arr, dep,
#  stop_pat_ptr, stop_pat, stop_pat_pos, trip_ok, stop_ok, tr_ptr, tr_to, tr_time)


def new_log(capacity: int) -> tuple[np.ndarray, ...]:
    """Empty log arrays: kind, stop, round, time, iteration departure, trip, board pos,
    alight pos, parent entry; plus a 2-slot counter (n entries, overflow flag)."""
    return (
        np.empty(capacity, np.int8), np.empty(capacity, np.int32), np.empty(capacity, np.int8),
        np.empty(capacity, np.int32), np.empty(capacity, np.int32), np.empty(capacity, np.int32),
        np.empty(capacity, np.int32), np.empty(capacity, np.int32), np.empty(capacity, np.int32),
        np.zeros(2, np.int64),
    )


def new_labels(n_rounds: int, n_stops: int) -> tuple[np.ndarray, ...]:
    """Fresh label arrays (bus, walk, bus_entry, walk_entry), views of one block."""
    block = np.empty((4, n_rounds + 1, n_stops), np.int32)
    block[:2] = INF
    block[2:] = -1
    return block[0], block[1], block[2], block[3]


def new_time_labels(n_rounds: int, n_stops: int) -> tuple[np.ndarray, np.ndarray]:
    """Fresh (bus, walk) labels for a times-only search (no journey entries)."""
    block = np.empty((2, n_rounds + 1, n_stops), np.int32)
    block.fill(INF)
    return block[0], block[1]


def new_work(n_stops: int, n_patterns: int) -> tuple[np.ndarray, ...]:
    """Scratch arrays for run_iteration (reusable across calls, left clean by it).

    The marked-stop, queued-pattern and bus-improved-stop lists (work[1], work[3],
    work[5]) have a spare slot: the kernel appends to them without a branch. work[7]
    holds the boarding time of each stop marked in the round before (NO_BOARD
    elsewhere). work[8:11] (seen flags, touched list, its length) list the stops whose
    labels a run wrote; `reset_touched` clears exactly those labels and the list.
    work[11] holds each queued pattern's last marked position (read only where written:
    never reset). `matrix._matrix` builds the same layout inside numba: change both.
    """
    return (np.zeros(n_stops, np.bool_), np.zeros(n_stops + 1, np.int32),
            np.full(n_patterns, -1, np.int32), np.zeros(n_patterns + 1, np.int32),
            np.zeros(n_stops, np.bool_), np.zeros(n_stops + 1, np.int32),
            np.zeros(n_stops, np.bool_),
            np.full(n_stops, NO_BOARD, np.int32),
            np.zeros(n_stops, np.bool_), np.zeros(n_stops, np.int32), np.zeros(1, np.int64),
            np.zeros(n_patterns, np.int32))


def reset_touched(bus: np.ndarray, walk: np.ndarray, work: tuple) -> None:
    """Labels of the stops the last runs touched back to INF; the touched list emptied."""
    kernels().reset_touched(bus, walk, work[8], work[9], work[10])


def collect_touched(bus: np.ndarray, walk: np.ndarray, ent: np.ndarray | None, n_rows: int,
                    work: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """(stops, bus rows, walk rows, entry rows or None) of the touched stops, then reset.

    The labels come out as (n_rows, n touched) arrays in the order the run reached them.
    """
    m = int(work[10][0])
    stops = np.empty(m, np.int32)
    out = np.empty((3 if ent is not None else 2, n_rows, m), np.int32)
    out_ent = out[2] if ent is not None else _NO_COLUMNS
    kernels().collect_touched(bus, walk, ent if ent is not None else bus, work[8], work[9],
                              work[10], stops, out[0], out[1], out_ent)
    return stops, out[0], out[1], (out[2] if ent is not None else None)


_NO_COLUMNS = np.zeros((1, 0), np.int32)


def touched(work: tuple) -> np.ndarray:
    """The stops whose labels the runs since the last reset wrote (a view of scratch)."""
    return work[9][:int(work[10][0])]


def iterate(pack: tuple, n_rounds: int, min_change: int, dep0: int, limit: int,
            acc_stops: np.ndarray, acc_time: np.ndarray, labels: tuple, work: tuple,
            record: bool, log: tuple, changed: np.ndarray) -> int:
    """One RAPTOR iteration through the fastest available kernel (AOT, else JIT).

    Without `record`, labels may be just (bus, walk) and `log` is not read.
    """
    k = kernels()
    if not record:  # the lean entry point: no log or entry arrays to pass or test
        return int(k.run_times_flat(*pack, n_rounds, min_change, dep0, limit, acc_stops,
                                    acc_time, labels[0], labels[1], *work, changed))
    bus, walk, bus_ent, walk_ent = labels
    return int(k.run_iteration_flat(
        *pack, n_rounds, min_change, dep0, limit, acc_stops, acc_time, bus, walk, bus_ent,
        walk_ent, *work, record, *log, changed))


def search_times(pack: tuple, n_rounds: int, min_change: int, dep0: int, limit: int,
                 acc_stops: np.ndarray, acc_time: np.ndarray, bus: np.ndarray,
                 walk: np.ndarray, work: tuple,
                 dense: bool) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """One times-only query: (touched stops, bus rows, walk rows).

    dense: fresh labels, rows indexed by stop, stops None (one kernel call). Otherwise
    the run uses the scratch (bus, walk, work), then the touched stops' labels are
    copied out and reset.
    """
    k = kernels()
    if dense:
        out = np.empty((2, n_rounds + 1, bus.shape[1]), np.int32)
        k.search_times_flat(*pack, n_rounds, min_change, dep0, limit, acc_stops, acc_time,
                            bus, walk, *work, True, out)
        return None, out[0], out[1]
    try:
        k.search_times_flat(*pack, n_rounds, min_change, dep0, limit, acc_stops, acc_time,
                            bus, walk, *work, False, _NO_BLOCK)
        stops, b, w, _ = collect_touched(bus, walk, None, n_rounds + 1, work)
    except BaseException:  # the scratch goes back clean whatever happened
        reset_touched(bus, walk, work)
        raise
    return stops, b, w


_NO_BLOCK = np.zeros((2, 1, 0), np.int32)


def __getattr__(name: str) -> Any:
    """The JIT kernels under their old names (imports numba on first use)."""
    if name in ("run_iteration", "run_profile", "_log", "_improve"):
        from app.routing import kernels as _k

        return getattr(_k, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
