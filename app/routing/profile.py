"""Range queries (rRAPTOR): Pareto sets of (departure, arrival, buses) per stop.

A forward profile from a point covers departures in a window; a reverse profile to a
point covers arrivals in a window and is computed on the mirrored timetable. Both are
reported in forward time: for a forward profile `dep` is leaving the origin point and
`arr` is getting off a bus at the stop; for a reverse profile `dep` is boarding a bus at
the stop and `arr` is reaching the destination point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numba as nb
import numpy as np

from app.routing import raptor_core as core
from app.routing.journey import Leg, Place, egress_leg, legs_from_log, mirror_legs
from app.routing.kernels import run_profile, run_profile_times
from app.routing.raptor import INF, QueryParams, Router, _Side
from app.routing.walk import walk_seconds_array


@dataclass
class Profile:
    """Per-stop Pareto sets, CSR by stop, each sorted by departure descending."""

    side: _Side
    params: QueryParams
    origin: Place
    log: tuple[np.ndarray, ...]  # see `journeys`
    access_m: dict[int, float]
    ptr: np.ndarray  # int64 (n_stops+1)
    dep: np.ndarray  # int64, forward time
    arr: np.ndarray  # int64, forward time
    n_buses: np.ndarray  # int8
    entry: np.ndarray  # int32 log entry of the bus label
    n_iterations: int
    journeys: bool = True  # False: `log` holds the bus entries only (no parents)
    replay: Callable[[], tuple[tuple[np.ndarray, ...], np.ndarray]] | None = field(
        default=None, repr=False)
    _full: tuple[tuple[np.ndarray, ...], np.ndarray] | None = field(default=None, repr=False)

    def full_log(self) -> tuple[tuple[np.ndarray, ...], np.ndarray | None]:
        """The log with parents, and the map from `log` entries to its entries (None when
        `log` is that log already); recorded now by one re-run if the profile was lean."""
        if self.journeys:
            return self.log, None
        if self._full is None:
            if self.replay is None:
                raise RuntimeError("times-only profile without a replay")
            self._full = self.replay()
        return self._full

    @property
    def reverse(self) -> bool:
        """True for a profile towards the point (computed on the mirror)."""
        return self.side.mirrored

    def at_stop(self, stop: int | str) -> list[tuple[int, int, int]]:
        """The Pareto set (dep, arr, n_buses) at a stop index or stop id."""
        s = self.side.tt.stop_index(stop) if isinstance(stop, str) else int(stop)
        a, b = self.ptr[s], self.ptr[s + 1]
        return [(int(self.dep[i]), int(self.arr[i]), int(self.n_buses[i])) for i in range(a, b)]

    def legs(self, i: int, point: Place, walk_m: float) -> list[Leg]:
        """Forward legs of Pareto entry i, completed with the walk between its stop and point."""
        tt = self.side.tt
        e = int(self.entry[i])
        wp = self.params.walk
        log, to_full = self.full_log()
        ef = e if to_full is None else int(to_full[e])
        legs = legs_from_log(tt, log, ef, self.origin, self.access_m,
                             self.side.transfer_metres(wp.transfer_radius_m))
        s = int(self.log[1][e])
        legs.append(egress_leg(tt, s, int(self.log[3][e]), point, walk_m, wp.speed_kmh))
        return mirror_legs(legs) if self.reverse else legs


@nb.njit(cache=True)
def _pareto(stop: np.ndarray, dep: np.ndarray, arr: np.ndarray, k: np.ndarray,
            n_rounds: int) -> np.ndarray:
    """Keep-mask of 3-criteria Pareto entries; input sorted by stop, dep desc, arr, k."""
    n = stop.shape[0]
    keep = np.zeros(n, np.bool_)
    best = np.empty(n_rounds + 1, np.int64)  # best[j]: min arr kept so far with <= j buses
    cur = -1
    for i in range(n):
        if stop[i] != cur:
            cur = stop[i]
            best[:] = 1 << 62
        if arr[i] < best[k[i]]:
            keep[i] = True
            for j in range(k[i], n_rounds + 1):
                if arr[i] < best[j]:
                    best[j] = arr[i]
    return keep


def _departure_events(side: _Side, pack: tuple, acc: np.ndarray, acc_t: np.ndarray,
                      t_from: int, t_to: int) -> np.ndarray:
    """Distinct departures from the point that catch some bus, in [t_from, t_to], descending."""
    tt = side.tt
    trip_ok = pack[9]
    stop_ok = pack[10]
    times = []
    for s, w in zip(acc.tolist(), acc_t.tolist(), strict=True):
        if len(stop_ok) and not stop_ok[s]:  # an empty mask blocks no stop
            continue
        for x in range(tt.stop_pat_ptr[s], tt.stop_pat_ptr[s + 1]):
            p = tt.stop_pat[x]
            pos = tt.stop_pat_pos[x]
            t0, t1 = tt.pat_trip_ptr[p], tt.pat_trip_ptr[p + 1]
            d = tt.dep[tt.trip_time_off[t0:t1] + pos].astype(np.int64) - w
            times.append(d[trip_ok[t0:t1]])
    if not times:
        return np.zeros(0, np.int64)
    allt = np.unique(np.concatenate(times))
    allt = allt[(allt >= t_from) & (allt <= t_to)]
    return allt[::-1].copy()


def _search(side: _Side, pack: tuple, q: QueryParams, deps: np.ndarray, acc: np.ndarray,
            acc_t: np.ndarray, journeys: bool) -> tuple[np.ndarray, ...]:
    """The profile's log: every label improvement with parents (journeys), or only the
    bus improvements without them (times only, on this thread's reused scratch)."""
    time_cap = INF if q.max_minutes is None else 60 * q.max_minutes
    k1 = q.max_buses + 1
    capacity = 1 << 18 if journeys else 1 << 16
    while True:
        log = core.new_log(capacity)
        if journeys:
            # The thread's scratch too (reset where written): fresh labels the size of a
            # national network would cost more than a capped search itself.
            bus, walk, bus_ent, walk_ent, work = side.scratch(True)
            try:
                run_profile(pack, q.max_buses, q.walk.min_change_s, deps, acc, acc_t,
                            (bus[:k1], walk[:k1], bus_ent[:k1], walk_ent[:k1]), work, log,
                            time_cap)
            finally:
                core.reset_touched(bus, walk, work)
        else:
            bus, walk, _, _, work = side.scratch(False)
            try:
                run_profile_times(pack, q.max_buses, q.walk.min_change_s, deps, acc, acc_t,
                                  bus[:k1], walk[:k1], work, log, time_cap)
            finally:
                core.reset_touched(bus, walk, work)
        if not log[9][1]:
            cnt = int(log[9][0])
            return tuple(a[:cnt] for a in log[:9])
        capacity *= 4


def _run(side: _Side, lat: float, lon: float, t_from: int, t_to: int, q: QueryParams,
         name: str, journeys: bool = False) -> Profile:
    pack = side.pack(q)
    acc, dist = side.access(lat, lon, q.walk.max_walk_m)
    acc = np.ascontiguousarray(acc, np.int32)
    acc_t = np.ascontiguousarray(walk_seconds_array(dist, q.walk.speed_kmh), np.int32)
    deps = _departure_events(side, pack, acc, acc_t, t_from, t_to).astype(np.int32)
    n = side.tt.n_stops
    log = _search(side, pack, q, deps, acc, acc_t, journeys)
    kind, stop, rnd, time, dep0 = log[:5]
    bus = np.flatnonzero(kind == core.BUS)
    s = stop[bus].astype(np.int64)
    if side.mirrored:  # back to forward time: boarding at the stop, arrival at the point
        fdep, farr = -time[bus].astype(np.int64), -dep0[bus].astype(np.int64)
    else:
        fdep, farr = dep0[bus].astype(np.int64), time[bus].astype(np.int64)
    k = rnd[bus].astype(np.int64)
    order = np.lexsort((k, farr, -fdep, s))
    keep = order[_pareto(s[order], fdep[order], farr[order], k[order], q.max_buses)]
    counts = np.bincount(s[keep], minlength=n)

    def replay() -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        # Same departures, same kernel: the full log's bus entries are the lean log's, in
        # the same order, so lean entry j is full entry bus_idx[j].
        full = _search(side, pack, q, deps, acc, acc_t, True)
        return full, np.flatnonzero(full[0] == core.BUS)

    return Profile(
        side=side, params=q, origin=Place(name, lat, lon), log=log,
        access_m={int(a): float(b) for a, b in zip(acc, dist, strict=True)},
        ptr=np.r_[0, np.cumsum(counts)].astype(np.int64), dep=fdep[keep], arr=farr[keep],
        n_buses=k[keep].astype(np.int8), entry=bus[keep].astype(np.int32),
        n_iterations=len(deps), journeys=journeys, replay=None if journeys else replay,
    )


def forward_profile(router: Router, lat: float, lon: float, t_from: int, t_to: int,
                    params: QueryParams | None = None, name: str = "origin",
                    journeys: bool = False) -> Profile:
    """Pareto sets for leaving (lat, lon) at any time in [t_from, t_to].

    Times only unless `journeys` is True: `legs()` re-runs the search with the full log
    on first use (as `earliest_arrival` does).
    """
    return _run(router.forward, lat, lon, int(t_from), int(t_to), params or QueryParams(), name,
                journeys)


def reverse_profile(router: Router, lat: float, lon: float, arrive_from: int, arrive_to: int,
                    params: QueryParams | None = None, name: str = "destination",
                    journeys: bool = False) -> Profile:
    """Pareto sets for reaching (lat, lon) at any time in [arrive_from, arrive_to]
    (times only unless `journeys`, as `forward_profile`)."""
    return _run(router.mirror, lat, lon, -int(arrive_to), -int(arrive_from),
                params or QueryParams(), name, journeys)
