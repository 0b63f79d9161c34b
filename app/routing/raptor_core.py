"""Numba kernels of RAPTOR: one departure-time iteration over all rounds.

Labels persist between calls so the same kernel serves a single earliest-arrival query
(fresh labels) and range RAPTOR (labels of later departures reused as upper bounds).

Label arrays have shape (K+1, n_stops):
- bus[k, s]: earliest arrival at s getting off a bus, with at most k buses;
- walk[k, s]: earliest arrival at s on foot after at most k buses (k=0: the access walk).
Both are kept non-increasing in k ("at most k") by writing an improvement into every
higher round too; that is what makes per-round pruning valid across iterations.

Optional log (record=True): every label improvement is appended as an entry so journeys
can be rebuilt after the search (parents point at earlier entries).
"""

from __future__ import annotations

import numba as nb
import numpy as np

INF = np.int32(1 << 30)  # "unreached"; far beyond any time of day

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
    """Fresh label arrays (bus, walk, bus_entry, walk_entry)."""
    shape = (n_rounds + 1, n_stops)
    return (np.full(shape, INF, np.int32), np.full(shape, INF, np.int32),
            np.full(shape, -1, np.int32), np.full(shape, -1, np.int32))


@nb.njit(cache=True, inline="always")
def _log(log: tuple, kind: int, stop: int, rnd: int, time: int, dep0: int, trip: int,
         bpos: int, apos: int, parent: int) -> int:
    """Append a log entry; returns its index or -1 (and sets the overflow flag) when full."""
    cnt = log[9]
    i = cnt[0]
    if i >= log[0].shape[0]:
        cnt[1] = 1
        return -1
    log[0][i] = kind
    log[1][i] = stop
    log[2][i] = rnd
    log[3][i] = time
    log[4][i] = dep0
    log[5][i] = trip
    log[6][i] = bpos
    log[7][i] = apos
    log[8][i] = parent
    cnt[0] = i + 1
    return i


@nb.njit(cache=True, inline="always")
def _improve(lab: np.ndarray, ent: np.ndarray, k: int, s: int, a: int, e: int) -> None:
    """Write arrival a (entry e) into rounds k..K while it is better (labels fall with k)."""
    n_r = lab.shape[0]
    for j in range(k, n_r):
        if a < lab[j, s]:
            lab[j, s] = a
            ent[j, s] = e
        else:
            break


@nb.njit(cache=True)
def run_iteration(tt: tuple, n_rounds: int, min_change: int, dep0: int, limit: int,
                  acc_stops: np.ndarray, acc_time: np.ndarray,
                  bus: np.ndarray, walk: np.ndarray, bus_ent: np.ndarray, walk_ent: np.ndarray,
                  work: tuple, record: bool, log: tuple, bus_k_changed: np.ndarray) -> int:
    """One RAPTOR run departing at dep0 on top of the given labels.

    Arrivals later than `limit` are ignored. Stops whose final-round bus label improved
    are appended to `bus_k_changed` (returns how many), so callers can update egress.
    """
    pat_stop_ptr, pat_stops, pat_trip_ptr, trip_time_off, arr, dep = tt[0:6]
    stop_pat_ptr, stop_pat, stop_pat_pos = tt[6:9]
    trip_ok, stop_ok, tr_ptr, tr_to, tr_time = tt[9:14]
    marked, mark_list, q_pos, q_list, bus_flag, bus_list, kflag, can_board = work
    n_k = 0
    n_marked = 0
    # Round 0: access walks from the origin.
    for j in range(acc_stops.shape[0]):
        s = acc_stops[j]
        a = dep0 + acc_time[j]
        if a < walk[0, s] and a <= limit:
            e = -1
            if record:
                e = _log(log, ACCESS, s, 0, a, dep0, -1, -1, -1, -1)
            _improve(walk, walk_ent, 0, s, a, e)
            if not marked[s]:
                marked[s] = True
                mark_list[n_marked] = s
                n_marked += 1
    for k in range(1, n_rounds + 1):
        if n_marked == 0:
            break
        # Collect the patterns through marked stops, each from its earliest marked position.
        n_q = 0
        for m in range(n_marked):
            s = mark_list[m]
            marked[s] = False
            can_board[s] = True
            for x in range(stop_pat_ptr[s], stop_pat_ptr[s + 1]):
                p = stop_pat[x]
                pos = stop_pat_pos[x]
                if q_pos[p] < 0:
                    q_pos[p] = pos
                    q_list[n_q] = p
                    n_q += 1
                elif pos < q_pos[p]:
                    q_pos[p] = pos
        n_prev = n_marked
        prev_list = mark_list
        n_marked = 0
        n_bus = 0
        for qi in range(n_q):
            p = q_list[qi]
            start = q_pos[p]
            q_pos[p] = -1
            ps = pat_stop_ptr[p]
            n_pos = pat_stop_ptr[p + 1] - ps
            t0 = pat_trip_ptr[p]
            t1 = pat_trip_ptr[p + 1]
            trip = -1
            bpos = -1
            bparent = -1
            for i in range(start, n_pos):
                s = pat_stops[ps + i]
                if not stop_ok[s]:
                    continue
                if trip >= 0:
                    a = arr[trip_time_off[trip] + i]
                    if a < bus[k, s] and a <= limit:
                        e = -1
                        if record:
                            e = _log(log, BUS, s, k, a, dep0, trip, bpos, i, bparent)
                        if bus[n_rounds, s] > a and not kflag[s]:
                            kflag[s] = True
                            bus_k_changed[n_k] = s
                            n_k += 1
                        _improve(bus, bus_ent, k, s, a, e)
                        if not bus_flag[s]:
                            bus_flag[s] = True
                            bus_list[n_bus] = s
                            n_bus += 1
                # Can we catch an earlier trip here with the previous round's labels?
                # Only stops improved in the previous round need the check: boarding from
                # an unchanged label was already done when that label was set.
                if not can_board[s]:
                    continue
                tb = bus[k - 1, s]
                thr_b = tb + min_change if tb < INF else INF
                thr_w = walk[k - 1, s]
                thr = min(thr_b, thr_w)
                if thr >= INF:
                    continue
                if trip >= 0 and dep[trip_time_off[trip] + i] < thr:
                    continue
                lo = t0
                hi = trip if trip >= 0 else t1
                while lo < hi:  # first trip departing at or after thr (FIFO pattern)
                    mid = (lo + hi) >> 1
                    if dep[trip_time_off[mid] + i] < thr:
                        lo = mid + 1
                    else:
                        hi = mid
                end = trip if trip >= 0 else t1
                while lo < end and not trip_ok[lo]:
                    lo += 1
                if lo < end:
                    trip = lo
                    bpos = i
                    d = dep[trip_time_off[lo] + i]
                    if record:
                        bparent = walk_ent[k - 1, s] if thr_w <= d else bus_ent[k - 1, s]
        for m in range(n_prev):
            can_board[prev_list[m]] = False
        # Foot transfers from stops just reached by bus (never chained after another walk).
        for b in range(n_bus):
            s = bus_list[b]
            bus_flag[s] = False
            if not marked[s]:
                marked[s] = True
                mark_list[n_marked] = s
                n_marked += 1
            base = bus[k, s]
            for x in range(tr_ptr[s], tr_ptr[s + 1]):
                s2 = tr_to[x]
                a = base + tr_time[x]
                if a < walk[k, s2] and a <= limit:
                    e = -1
                    if record:
                        e = _log(log, TRANSFER, s2, k, a, dep0, -1, s, -1, bus_ent[k, s])
                    _improve(walk, walk_ent, k, s2, a, e)
                    if not marked[s2]:
                        marked[s2] = True
                        mark_list[n_marked] = s2
                        n_marked += 1
    for m in range(n_marked):
        marked[mark_list[m]] = False
    for j in range(n_k):
        kflag[bus_k_changed[j]] = False
    return n_k


def new_work(n_stops: int, n_patterns: int) -> tuple[np.ndarray, ...]:
    """Scratch arrays for run_iteration (reusable across calls, left clean by it)."""
    return (np.zeros(n_stops, np.bool_), np.zeros(n_stops, np.int32),
            np.full(n_patterns, -1, np.int32), np.zeros(n_patterns, np.int32),
            np.zeros(n_stops, np.bool_), np.zeros(n_stops, np.int32), np.zeros(n_stops, np.bool_),
            np.zeros(n_stops, np.bool_))


@nb.njit(cache=True)
def run_profile(tt: tuple, n_rounds: int, min_change: int, deps: np.ndarray,
                acc_stops: np.ndarray, acc_time: np.ndarray, labels: tuple, work: tuple,
                log: tuple) -> None:
    """Range RAPTOR: iterate departures in decreasing order, reusing labels, logging all."""
    bus, walk, bus_ent, walk_ent = labels
    changed = np.zeros(bus.shape[1], np.int32)
    for j in range(deps.shape[0]):
        run_iteration(tt, n_rounds, min_change, int(deps[j]), int(INF), acc_stops, acc_time,
                      bus, walk, bus_ent, walk_ent, work, True, log, changed)
        if log[9][1]:
            return
