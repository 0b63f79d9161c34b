"""The numba kernels of the engine: RAPTOR iterations, profiles and stop lookups.

This is the only routing module that compiles code at import. Callers reach the kernels
through `app.routing.aot.kernels()`, which prefers an ahead-of-time compiled copy of the
single-query kernels (no numba import, no JIT start-up) and falls back to these JIT ones.
The `*_flat` functions take plain arrays instead of tuples so they can be exported AOT.

Labels (see raptor_core): bus[k, s] / walk[k, s], kept non-increasing in k. Optional
log (record=True): every label improvement is appended so journeys can be rebuilt.
"""

from __future__ import annotations

import math
from typing import Any

import numba as nb
import numpy as np

from app.routing.raptor_core import ACCESS, BUS, INF, NO_BOARD, TRANSFER

EARTH_RADIUS_M = 6_371_008.8  # same constant as app.routing.geo
# Array indices cast to unsigned: numba then emits no negative-index wraparound check, a
# measurable share of the kernel's time. (Typed Any so mypy takes the casts as ints.)
_u: Any = np.uint32


@nb.njit(cache=True)
def haversine_scalar(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres for one pair (same formula as `geo.haversine_m`)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2.0) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(a, 1.0)))


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
def _improve(lab: np.ndarray, ent: np.ndarray, k: int, s: int, a: int, e: int,
             record: bool = True) -> None:
    """Write arrival a (entry e, if recording) into rounds k..K while it is better."""
    n_r = lab.shape[0]
    for j in range(k, n_r):
        ju = _u(j)
        if a < lab[ju, s]:
            lab[ju, s] = a
            if record:
                ent[ju, s] = e
        else:
            break


@nb.njit(cache=True, inline="always")
def _append(flag: np.ndarray, lst: np.ndarray, n: int, s: Any) -> int:
    """`_mark` without a branch (whether s is listed already is unpredictable; this made
    the Porto Alegre kernel about 4% faster). lst needs a spare slot past n_stops: a stop
    already listed is written at n and overwritten by the next append."""
    lst[_u(n)] = s
    new = not flag[s]
    flag[s] = True
    return n + new


@nb.njit(cache=True, inline="always")
def _mark(flag: np.ndarray, lst: np.ndarray, n: int, s: Any) -> int:
    """Append stop s to a list unless its flag says it is there; returns the new length."""
    if flag[s]:
        return n
    flag[s] = True
    lst[_u(n)] = s
    return n + 1


@nb.njit(cache=True)
def _scan_patterns(k: int, limit: int, min_change: int, dep0: int, tt: tuple,
                   q_list: np.ndarray, n_q: int, q_pos: np.ndarray, q_end: np.ndarray,
                   board_thr: np.ndarray,
                   bus: np.ndarray, walk: np.ndarray, bus_ent: np.ndarray,
                   walk_ent: np.ndarray, bus_flag: np.ndarray, bus_list: np.ndarray,
                   seen: np.ndarray, touched: np.ndarray, nt: int, kflag: np.ndarray,
                   bus_k_changed: np.ndarray, n_k: int, record: bool, bus_log: bool,
                   log: tuple) -> tuple[int, int, int]:
    """Round k's route scans: ride each queued pattern from its earliest marked stop.

    Returns (stops improved by bus, listed in bus_list; n_k; nt). A function of its own,
    not inlined: the scan's loop then has the registers to itself (measurably faster).
    """
    pat_stop_ptr, pat_stops, pat_trip_ptr, trip_time_off, arr, dep = tt[0:6]
    trip_ok, stop_ok = tt[9:11]
    check_stops = stop_ok.shape[0] > 0  # empty: no stop is blocked (no per-stop check)
    track = bus_k_changed.shape[0] > 0
    touch = seen.shape[0] > 0
    n_bus = 0
    # Row views: 1-D indexing in the hot loops instead of 2-D.
    bus_k = bus[k]
    bus_last = bus[bus.shape[0] - 1]
    walk_prev = walk[k - 1]
    for qi in range(n_q):
        p = _u(q_list[qi])
        start = q_pos[p]
        q_pos[p] = -1
        ps = pat_stop_ptr[p]
        n_pos = pat_stop_ptr[p + 1] - ps
        t0 = pat_trip_ptr[p]
        t1 = pat_trip_ptr[p + 1]
        if t1 <= t0:
            continue
        # A pattern's trips are laid out back to back, n_pos times each (see
        # timetable.py), so trip g's times start at base + (g - t0) * n_pos.
        base = trip_time_off[t0]
        trip = -1
        toff = 0
        bpos = -1
        bparent = -1
        last = q_end[p]
        for i in range(start, n_pos):
            if i > last and (trip < 0 or arr[_u(toff + i)] > limit):
                break  # no stop on from here can board, and the trip is off or too late
            s = _u(pat_stops[_u(ps + i)])
            if check_stops and not stop_ok[s]:
                continue
            if trip >= 0:
                a = arr[_u(toff + i)]
                if a < bus_k[s] and a <= limit:
                    e = -1
                    if record:
                        e = _log(log, BUS, s, k, a, dep0, trip, bpos, i, bparent)
                    elif bus_log:
                        _log(log, BUS, s, k, a, dep0, trip, bpos, i, -1)
                    if track and bus_last[s] > a:
                        n_k = _mark(kflag, bus_k_changed, n_k, s)
                    _improve(bus, bus_ent, k, s, a, e, record)
                    if touch:
                        nt = _mark(seen, touched, nt, s)
                    n_bus = _append(bus_flag, bus_list, n_bus, s)
            # Can we catch an earlier trip here with the previous round's labels?
            # Only stops whose boarding time improved in the previous round need the
            # check: boarding from an unchanged one was done when it was set.
            thr = board_thr[s]
            if thr > limit:
                continue  # not marked (NO_BOARD), or any trip caught would be too late
            if trip >= 0:
                if dep[_u(toff + i)] < thr:
                    continue  # the trip we are on is the best we can do here
                if trip == t0 or dep[_u(toff - n_pos + i)] < thr:
                    continue  # the trip before it leaves too early (FIFO): no search
            lo = t0
            hi = trip if trip >= 0 else t1
            while lo < hi:  # first trip departing at or after thr (FIFO pattern)
                mid = (lo + hi) >> 1
                if dep[_u(base + (mid - t0) * n_pos + i)] < thr:
                    lo = mid + 1
                else:
                    hi = mid
            end = trip if trip >= 0 else t1
            while lo < end and not trip_ok[_u(lo)]:
                lo += 1
            if lo < end:
                trip = lo
                toff = base + (lo - t0) * n_pos
                bpos = i
                d = dep[_u(toff + i)]
                if record:
                    bparent = walk_ent[k - 1, s] if walk_prev[s] <= d else bus_ent[k - 1, s]
    return n_bus, n_k, nt


@nb.njit(cache=True, inline="always")
def _walk_to(k: int, s: Any, s2: Any, a: int, dep0: int, walk: np.ndarray,
             walk_ent: np.ndarray, bus_ent: np.ndarray, marked: np.ndarray,
             mark_list: np.ndarray, n_marked: int, seen: np.ndarray, touched: np.ndarray,
             nt: int, touch: bool, record: bool, log: tuple) -> tuple[int, int]:
    """Write the foot transfer s -> s2 arriving at a (an improvement) and mark s2."""
    e = -1
    if record:
        e = _log(log, TRANSFER, s2, k, a, dep0, -1, s, -1, bus_ent[k, s])
    _improve(walk, walk_ent, k, s2, a, e, record)
    if touch:
        nt = _mark(seen, touched, nt, s2)
    return _append(marked, mark_list, n_marked, s2), nt


# Inlined (unlike the scan): as a call of its own it made whole queries 5-8% slower in
# the AOT build, measured against ferrobus on both feeds.
@nb.njit(cache=True, inline="always")
def _relax_transfers(k: int, limit: int, min_change: int, dep0: int, tr_ptr: np.ndarray,
                     tr_to: np.ndarray, tr_time: np.ndarray, bus: np.ndarray,
                     walk: np.ndarray, bus_ent: np.ndarray, walk_ent: np.ndarray,
                     bus_flag: np.ndarray, bus_list: np.ndarray, n_bus: int,
                     marked: np.ndarray, mark_list: np.ndarray, seen: np.ndarray,
                     touched: np.ndarray, nt: int, record: bool,
                     log: tuple, cand: np.ndarray) -> tuple[int, int]:
    """Round k's foot transfers, from the stops just reached by bus (never chained after
    another walk), and the marks for round k + 1. Returns (n marked, nt).

    A stop is marked only when its boarding time, min(bus + min_change, walk), improved:
    boarding from an unchanged time was done in the round that set it, and finds
    nothing new (the same rule that skips transfers reaching no earlier than that).
    """
    touch = seen.shape[0] > 0
    bus_k = bus[k]
    walk_k = walk[k]
    n_marked = 0
    for b in range(n_bus):
        s = _u(bus_list[b])
        bus_flag[s] = False
        base = bus_k[s]
        if base + min_change < walk_k[s]:
            n_marked = _append(marked, mark_list, n_marked, s)
        rel = limit - base
        # Two passes over each stop's transfers (in chunks the size of `cand`): first
        # gather the walks that improve, without branching on whether each does (about
        # one in six does, unpredictably: gathering made the whole Porto Alegre kernel
        # about 10% faster), then write them in the same order, each rechecked, so the
        # labels come out as from one pass.
        x = tr_ptr[s]
        x1 = tr_ptr[s + 1]
        while x < x1:
            xe = min(x1, x + cand.shape[0])
            nc = 0
            while x < xe:
                xu = _u(x)
                w = tr_time[xu]
                if w > rel:  # transfers are sorted by walk time: none after is in time
                    x1 = x
                    break
                s2 = _u(tr_to[xu])
                a = base + w
                cand[_u(nc)] = x
                # A walk that reaches s2 no earlier than its bus label allows boarding
                # (bus + min_change) changes no answer: neither written nor marked.
                nc += (a < walk_k[s2]) & (a < bus_k[s2] + min_change)
                x += 1
            for c in range(nc):
                xu = _u(cand[_u(c)])
                s2 = _u(tr_to[xu])
                a = base + tr_time[xu]
                if a < walk_k[s2]:
                    n_marked, nt = _walk_to(k, s, s2, a, dep0, walk, walk_ent, bus_ent,
                                            marked, mark_list, n_marked, seen, touched, nt,
                                            touch, record, log)
    return n_marked, nt


@nb.njit(cache=True, inline="always")
def run_iteration(tt: tuple, n_rounds: int, min_change: int, dep0: int, limit: int,
                  acc_stops: np.ndarray, acc_time: np.ndarray,
                  bus: np.ndarray, walk: np.ndarray, bus_ent: np.ndarray, walk_ent: np.ndarray,
                  work: tuple, record: bool, log: tuple, bus_k_changed: np.ndarray,
                  bus_log: bool = False) -> int:
    """One RAPTOR run departing at dep0 on top of the given labels.

    With `bus_log` (and no `record`) only bus improvements are logged, without parents:
    what a times-only range profile reads.

    Arrivals later than `limit` are ignored. Stops whose final-round bus label improved
    are appended to `bus_k_changed` (returns how many), so callers can update egress;
    an empty `bus_k_changed` turns that bookkeeping off.
    """
    stop_pat_ptr, stop_pat, stop_pat_pos = tt[6:9]
    tr_ptr, tr_to, tr_time = tt[11:14]
    marked, mark_list, q_pos, q_list, bus_flag, bus_list, kflag, board_thr = work[0:8]
    seen, touched, n_touched, q_end = work[8:12]
    n_k = 0
    n_marked = 0
    # Stops whose labels this run writes are listed in `touched` (once each, `seen` flags
    # them), so a caller resets only those, never the whole network; an empty `seen`
    # turns the list off.
    touch = seen.shape[0] > 0
    nt = n_touched[0]
    cand = np.empty(128, np.int32)  # transfers of one stop that improve (see below)
    # Round 0: access walks from the origin.
    for j in range(acc_stops.shape[0]):
        s = acc_stops[j]
        a = dep0 + acc_time[j]
        if a < walk[0, s] and a <= limit:
            e = -1
            if record:
                e = _log(log, ACCESS, s, 0, a, dep0, -1, -1, -1, -1)
            _improve(walk, walk_ent, 0, s, a, e, record)
            if touch:
                nt = _mark(seen, touched, nt, s)
            n_marked = _mark(marked, mark_list, n_marked, s)
    for k in range(1, n_rounds + 1):
        if n_marked == 0:
            break
        # Collect the patterns through marked stops, each from its earliest marked position
        # (and the last one: past it no stop of the pattern can board).
        n_q = 0
        for m in range(n_marked):
            s = _u(mark_list[m])
            marked[s] = False
            # Its boarding time from round k - 1's labels (which round k never writes),
            # worked out once here rather than at each of its visits in the scans.
            board_thr[s] = min(min(bus[k - 1, s] + min_change, INF), walk[k - 1, s])
            for x in range(stop_pat_ptr[s], stop_pat_ptr[s + 1]):
                p = _u(stop_pat[_u(x)])
                pos = stop_pat_pos[_u(x)]
                # Without branches (whether p is queued yet is unpredictable; this made
                # the Porto Alegre kernel about 8% faster): q_list has a spare slot.
                qp = q_pos[p]
                new = qp < 0
                q_list[_u(n_q)] = p
                n_q += new
                q_pos[p] = pos if new else min(qp, pos)
                q_end[p] = pos if new else max(q_end[p], pos)
        n_bus, n_k, nt = _scan_patterns(k, limit, min_change, dep0, tt, q_list, n_q, q_pos,
                                        q_end, board_thr, bus, walk, bus_ent, walk_ent, bus_flag,
                                        bus_list, seen, touched, nt, kflag, bus_k_changed,
                                        n_k, record, bus_log, log)
        for m in range(n_marked):
            board_thr[_u(mark_list[m])] = NO_BOARD
        n_marked, nt = _relax_transfers(k, limit, min_change, dep0, tr_ptr, tr_to, tr_time,
                                        bus, walk, bus_ent, walk_ent, bus_flag, bus_list,
                                        n_bus, marked, mark_list, seen, touched, nt, record,
                                        log, cand)
    for m in range(n_marked):
        marked[mark_list[m]] = False
    for j in range(n_k):
        kflag[bus_k_changed[j]] = False
    if touch:
        n_touched[0] = nt
    return n_k


@nb.njit(cache=True)
def collect_touched(bus: np.ndarray, walk: np.ndarray, ent: np.ndarray, seen: np.ndarray,
                    touched: np.ndarray, n_touched: np.ndarray, out_stop: np.ndarray,
                    out_bus: np.ndarray, out_walk: np.ndarray, out_ent: np.ndarray) -> None:
    """Copy the touched stops' labels (rounds 0..out_bus.shape[0]-1; entries too when
    out_ent has columns) into the outputs, then reset those labels: O(touched)."""
    n_r = out_bus.shape[0]
    with_ent = out_ent.shape[1] > 0
    for j in range(n_touched[0]):
        ju = _u(j)
        s = _u(touched[ju])
        out_stop[ju] = s
        for k in range(n_r):
            ku = _u(k)
            out_bus[ku, ju] = bus[ku, s]
            out_walk[ku, ju] = walk[ku, s]
            if with_ent:
                out_ent[ku, ju] = ent[ku, s]
    reset_touched(bus, walk, seen, touched, n_touched)


@nb.njit(cache=True)
def reset_touched(bus: np.ndarray, walk: np.ndarray, seen: np.ndarray, touched: np.ndarray,
                  n_touched: np.ndarray) -> None:
    """Put the labels of the stops a run touched back to INF (scratch reuse, O(touched))."""
    n_r = bus.shape[0]
    for j in range(n_touched[0]):
        s = _u(touched[j])
        for k in range(n_r):
            bus[_u(k), s] = INF
            walk[_u(k), s] = INF
        seen[s] = False
    n_touched[0] = 0




@nb.njit(cache=True)
def run_profile(tt: tuple, n_rounds: int, min_change: int, deps: np.ndarray,
                acc_stops: np.ndarray, acc_time: np.ndarray, labels: tuple, work: tuple,
                log: tuple, cap: int) -> None:
    """Range RAPTOR: iterate departures in decreasing order, reusing labels, logging all.

    Each departure's search stops at dep + cap seconds (cap >= INF: no time cap).
    """
    bus, walk, bus_ent, walk_ent = labels
    changed = np.zeros(0, np.int32)  # no changed-stop list wanted
    for j in range(deps.shape[0]):
        lim = int(INF) if cap >= INF else int(deps[j]) + cap
        run_iteration(tt, n_rounds, min_change, int(deps[j]), lim, acc_stops, acc_time,
                      bus, walk, bus_ent, walk_ent, work, True, log, changed)
        if log[9][1]:
            return


@nb.njit(cache=True)
def run_profile_times(tt: tuple, n_rounds: int, min_change: int, deps: np.ndarray,
                      acc_stops: np.ndarray, acc_time: np.ndarray, bus: np.ndarray,
                      walk: np.ndarray, work: tuple, log: tuple, cap: int) -> None:
    """`run_profile` without journeys: only bus improvements are logged (no parents, no
    entry labels), which is all a Pareto set needs; journeys are rebuilt on demand."""
    ent = np.empty((1, 1), np.int32)  # never written without `record`
    changed = np.zeros(0, np.int32)
    for j in range(deps.shape[0]):
        lim = int(INF) if cap >= INF else int(deps[j]) + cap
        run_iteration(tt, n_rounds, min_change, int(deps[j]), lim, acc_stops, acc_time,
                      bus, walk, ent, ent, work, False, log, changed, True)
        if log[9][1]:
            return


@nb.njit(cache=True)
def run_iteration_flat(pat_stop_ptr: np.ndarray, pat_stops: np.ndarray,
                       pat_trip_ptr: np.ndarray, trip_time_off: np.ndarray, arr: np.ndarray,
                       dep: np.ndarray, stop_pat_ptr: np.ndarray, stop_pat: np.ndarray,
                       stop_pat_pos: np.ndarray, trip_ok: np.ndarray, stop_ok: np.ndarray,
                       tr_ptr: np.ndarray, tr_to: np.ndarray, tr_time: np.ndarray,
                       n_rounds: int, min_change: int, dep0: int, limit: int,
                       acc_stops: np.ndarray, acc_time: np.ndarray, bus: np.ndarray,
                       walk: np.ndarray, bus_ent: np.ndarray, walk_ent: np.ndarray,
                       w0: np.ndarray, w1: np.ndarray, w2: np.ndarray, w3: np.ndarray,
                       w4: np.ndarray, w5: np.ndarray, w6: np.ndarray, w7: np.ndarray,
                       w8: np.ndarray, w9: np.ndarray, w10: np.ndarray, w11: np.ndarray,
                       record: bool,
                       g0: np.ndarray, g1: np.ndarray, g2: np.ndarray, g3: np.ndarray,
                       g4: np.ndarray, g5: np.ndarray, g6: np.ndarray, g7: np.ndarray,
                       g8: np.ndarray, g9: np.ndarray,
                       changed: np.ndarray) -> int:
    """`run_iteration` with every tuple spelled out (the AOT-exportable form)."""
    tt = (pat_stop_ptr, pat_stops, pat_trip_ptr, trip_time_off, arr, dep, stop_pat_ptr,
          stop_pat, stop_pat_pos, trip_ok, stop_ok, tr_ptr, tr_to, tr_time)
    work = (w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11)
    return run_iteration(tt, n_rounds, min_change, dep0, limit, acc_stops, acc_time, bus,
                         walk, bus_ent, walk_ent, work, record,
                         (g0, g1, g2, g3, g4, g5, g6, g7, g8, g9), changed)


@nb.njit(cache=True)
def run_times_flat(pat_stop_ptr: np.ndarray, pat_stops: np.ndarray,
                   pat_trip_ptr: np.ndarray, trip_time_off: np.ndarray, arr: np.ndarray,
                   dep: np.ndarray, stop_pat_ptr: np.ndarray, stop_pat: np.ndarray,
                   stop_pat_pos: np.ndarray, trip_ok: np.ndarray, stop_ok: np.ndarray,
                   tr_ptr: np.ndarray, tr_to: np.ndarray, tr_time: np.ndarray,
                   n_rounds: int, min_change: int, dep0: int, limit: int,
                   acc_stops: np.ndarray, acc_time: np.ndarray, bus: np.ndarray,
                   walk: np.ndarray, w0: np.ndarray, w1: np.ndarray, w2: np.ndarray,
                   w3: np.ndarray, w4: np.ndarray, w5: np.ndarray, w6: np.ndarray,
                   w7: np.ndarray, w8: np.ndarray, w9: np.ndarray, w10: np.ndarray,
                   w11: np.ndarray,
                   changed: np.ndarray) -> int:
    """`run_iteration` without the journey log (times only).

    `record` is a constant here, so once run_iteration is inlined the compiler drops the
    log and entry arrays from the loops altogether (fewer live values, no branches).
    """
    tt = (pat_stop_ptr, pat_stops, pat_trip_ptr, trip_time_off, arr, dep, stop_pat_ptr,
          stop_pat, stop_pat_pos, trip_ok, stop_ok, tr_ptr, tr_to, tr_time)
    ent = np.empty((1, 1), np.int32)  # never written without a log
    log = (np.empty(1, np.int8), np.empty(1, np.int32), np.empty(1, np.int8),
           np.empty(1, np.int32), np.empty(1, np.int32), np.empty(1, np.int32),
           np.empty(1, np.int32), np.empty(1, np.int32), np.empty(1, np.int32),
           np.zeros(2, np.int64))
    work = (w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11)
    return run_iteration(tt, n_rounds, min_change, dep0, limit, acc_stops, acc_time, bus,
                         walk, ent, ent, work, False, log, changed)


@nb.njit(cache=True)
def search_times_flat(pat_stop_ptr: np.ndarray, pat_stops: np.ndarray,
                      pat_trip_ptr: np.ndarray, trip_time_off: np.ndarray, arr: np.ndarray,
                      dep: np.ndarray, stop_pat_ptr: np.ndarray, stop_pat: np.ndarray,
                      stop_pat_pos: np.ndarray, trip_ok: np.ndarray, stop_ok: np.ndarray,
                      tr_ptr: np.ndarray, tr_to: np.ndarray, tr_time: np.ndarray,
                      n_rounds: int, min_change: int, dep0: int, limit: int,
                      acc_stops: np.ndarray, acc_time: np.ndarray, bus: np.ndarray,
                      walk: np.ndarray, w0: np.ndarray, w1: np.ndarray, w2: np.ndarray,
                      w3: np.ndarray, w4: np.ndarray, w5: np.ndarray, w6: np.ndarray,
                      w7: np.ndarray, w8: np.ndarray, w9: np.ndarray, w10: np.ndarray,
                      w11: np.ndarray, dense: bool, out: np.ndarray) -> int:
    """A whole times-only query of rounds 0..n_rounds in one call; returns how many stops
    it listed as touched (0 when dense: nothing is listed there).

    dense: on fresh labels for every stop, written into `out` (2, n_rounds + 1, n_stops:
    bus rows, walk rows; filled here); what a small network wants, where a query reaches
    most stops. Otherwise on the reused scratch (bus, walk: INF everywhere), where the
    touched stops' labels stay for `collect_touched` (national networks; `out` unread).
    The caller owns the output: returning arrays from an AOT function costs about 1.4 us
    each, a tenth of a whole Mid-Notts query.
    """
    tt = (pat_stop_ptr, pat_stops, pat_trip_ptr, trip_time_off, arr, dep, stop_pat_ptr,
          stop_pat, stop_pat_pos, trip_ok, stop_ok, tr_ptr, tr_to, tr_time)
    ent = np.empty((1, 1), np.int32)  # never written without a log
    log = (np.empty(1, np.int8), np.empty(1, np.int32), np.empty(1, np.int8),
           np.empty(1, np.int32), np.empty(1, np.int32), np.empty(1, np.int32),
           np.empty(1, np.int32), np.empty(1, np.int32), np.empty(1, np.int32),
           np.zeros(2, np.int64))
    changed = np.zeros(0, np.int32)
    k1 = n_rounds + 1
    if dense:
        out.fill(INF)
        work = (w0, w1, w2, w3, w4, w5, w6, w7, np.zeros(0, np.bool_), w9, w10, w11)
        run_iteration(tt, n_rounds, min_change, dep0, limit, acc_stops, acc_time, out[0],
                      out[1], ent, ent, work, False, log, changed)
        return 0
    work = (w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11)
    run_iteration(tt, n_rounds, min_change, dep0, limit, acc_stops, acc_time, bus[:k1],
                  walk[:k1], ent, ent, work, False, log, changed)
    return w10[0]


@nb.njit(cache=True)
def near_many(sorted_lat: np.ndarray, order: np.ndarray, lat: np.ndarray, lon: np.ndarray,
              qlat: np.ndarray, qlon: np.ndarray, max_m: float, detour: float,
              max_abs_lat: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR of stops within max_m walking metres of each query point (batch lookup).

    Candidates come from a binary search on latitude-sorted stops inside a conservative
    lat/lon box; exact distances are haversine x detour. Per point, stops by index.
    """
    n = qlat.shape[0]
    counts = np.zeros(n + 1, np.int64)
    cap = 1024
    idx = np.empty(cap, np.int32)
    dist = np.empty(cap, np.float64)
    m = 0
    crow = max_m / detour
    dlat = np.degrees(crow / EARTH_RADIUS_M) * 1.001 + 1e-9
    for j in range(n):
        la = qlat[j]
        lo_ = qlon[j]
        coslat = np.cos(np.radians(min(89.0, max(abs(la), max_abs_lat) + dlat)))
        dlon = np.degrees(crow / (EARTH_RADIUS_M * max(coslat, 1e-6))) * 1.001 + 1e-9
        a = np.searchsorted(sorted_lat, la - dlat, side="left")
        b = np.searchsorted(sorted_lat, la + dlat, side="right")
        start = m
        for t in range(a, b):
            s = order[t]
            dl = abs(lon[s] - lo_)
            dl = min(dl, 360.0 - dl)
            if dl > dlon:
                continue
            d = haversine_scalar(la, lo_, lat[s], lon[s]) * detour
            if d <= max_m:
                if m >= cap:
                    cap *= 2
                    idx2 = np.empty(cap, np.int32)
                    dist2 = np.empty(cap, np.float64)
                    idx2[:m] = idx[:m]
                    dist2[:m] = dist[:m]
                    idx = idx2
                    dist = dist2
                idx[m] = s
                dist[m] = d
                m += 1
        # sort this point's stops by index so results are deterministic
        seg = np.argsort(idx[start:m], kind="mergesort")
        idx[start:m] = idx[start:m][seg]
        dist[start:m] = dist[start:m][seg]
        counts[j + 1] = m
    return counts, idx[:m].copy(), dist[:m].copy()
