"""RAPTOR queries: earliest arrival, latest departure (reverse) and range profiles.

Reverse queries run the same forward kernel on the time-mirrored timetable
(`Timetable.time_reversed`), so there is one algorithm to trust, not two.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.routing import raptor_core as core
from app.routing.errors import RoutingError
from app.routing.journey import (
    Journey,
    Place,
    egress_leg,
    legs_from_log,
    mirror_legs,
    walk_only,
)
from app.routing.timetable import Timetable
from app.routing.walk import (
    CrowFlyWalker,
    Walker,
    WalkParams,
    adopt_stored_transfers,
    search_transfers,
    walk_seconds_array,
)

INF = int(core.INF)
MAX_BUSES = 4
_NO_ENTRIES = np.full((1, 1), -1, np.int32)  # bus_ent of a times-only search (see replay)
_NO_ENTRIES.flags.writeable = False
_EMPTY_LOG = (*(a[:0] for a in core.new_log(1)[:9]), np.zeros(2, np.int64))  # nothing logged
MAX_MINUTES = 48 * 60  # a time cap longer than two days caps nothing
# Up to this many stops a times-only query runs on fresh labels for every stop and keeps
# them as they are: a query there reaches most stops, and listing, copying out and
# resetting each one costs more than filling the arrays (~20% of a Porto Alegre query).
# Beyond it (national networks, where a query reaches a few thousand of 275,000 stops)
# the reused scratch and its touched list win.
DENSE_MAX_STOPS = 20_000


@dataclass(frozen=True)
class QueryParams:
    """Options shared by all queries.

    `max_minutes` caps the journey time: a search stops at the departure time plus the
    cap (arrival time minus it, for a latest-departure search), and any answer beyond it
    is unreached. Answers within the cap are those of an uncapped search.
    """

    max_buses: int = MAX_BUSES
    wheelchair: bool = False
    walk: WalkParams = field(default_factory=WalkParams)
    max_minutes: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.max_buses <= MAX_BUSES:
            raise RoutingError("max_buses", f"must be between 1 and {MAX_BUSES}")
        m = self.max_minutes
        if m is not None and (isinstance(m, bool) or not isinstance(m, int)
                              or not 1 <= m <= MAX_MINUTES):
            raise RoutingError("max_minutes",
                               f"must be a whole number of minutes from 1 to {MAX_MINUTES}")

    def limit(self, t0: int) -> int:
        """The latest search-side time a search from t0 may reach (INF without a cap)."""
        return INF if self.max_minutes is None else int(t0) + 60 * self.max_minutes


class _Side:
    """One direction of search: the timetable (forward or mirrored) and packed arrays."""

    def __init__(self, tt: Timetable, walker: Walker, mirrored: bool,
                 stored: dict[str, np.ndarray]) -> None:
        self.tt = tt
        self.walker = walker
        self.mirrored = mirrored
        self.stored = stored  # transfers from the compiled store (`walk.stored_transfers`)
        self._transfers: dict[float, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._packs: dict[tuple[bool, float, float], tuple] = {}
        self._transfer_m: dict[float, dict[tuple[int, int], float]] = {}
        self._memo_lock = threading.Lock()
        self._egress_memo: list[tuple[tuple[int, float, float], np.ndarray, np.ndarray,
                                      tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]] = []
        self._scratch = threading.local()
        self._unreached: np.ndarray | None = None

    def scratch(self, record: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                             tuple[np.ndarray, ...]]:
        """This thread's reusable labels (all INF), entry arrays and work arrays.

        Allocated once per thread and side: a query writes labels only at the stops it
        reaches and `reset_touched` puts exactly those back, so no query allocates or
        clears anything the size of the network.
        """
        sc = self._scratch
        if not hasattr(sc, "work"):
            n = self.tt.n_stops
            sc.bus, sc.walk = core.new_time_labels(MAX_BUSES, n)
            sc.work = core.new_work(n, self.tt.n_patterns)
            sc.ent = None
        if record and sc.ent is None:
            block = np.full((2, MAX_BUSES + 1, self.tt.n_stops), -1, np.int32)
            sc.ent = (block[0], block[1])  # read only where this run wrote a label: no reset
        ent = sc.ent or (_NO_ENTRIES, _NO_ENTRIES)
        return sc.bus, sc.walk, ent[0], ent[1], sc.work

    def unreached_row(self) -> np.ndarray:
        """The per-stop answer of a search that reached nothing (read-only, made once)."""
        row = self._unreached
        if row is None:
            row = np.full(self.tt.n_stops, -INF if self.mirrored else INF, np.int64)
            row.flags.writeable = False
            self._unreached = row
        return row

    @property
    def dense(self) -> bool:
        """Whether times-only queries here run on fresh dense labels (small networks)."""
        return self.tt.n_stops <= DENSE_MAX_STOPS

    def transfers(self, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Transfer CSR in search direction (transposed on the mirror side), each stop's
        transfers sorted by distance, so by walk time (the kernel stops at the limit).

        Read from the compiled store when it holds them for this walk (a national
        timetable's take a second to build), else built once per radius."""
        hit = self._transfers.get(radius)
        if hit is None:
            hit = adopt_stored_transfers(self.stored, self.walker, self.tt.n_stops, radius,
                                         self.mirrored)
            if hit is None:
                hit = search_transfers(*self.walker.transfers(radius), self.mirrored)
            self._transfers[radius] = hit
        return hit

    def transfer_metres(self, radius: float) -> dict[tuple[int, int], float]:
        """(from, to) -> metres, in search direction, for journey legs."""
        if radius not in self._transfer_m:
            ptr, to, dist = self.transfers(radius)
            src = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
            self._transfer_m[radius] = {
                (int(a), int(b)): float(d) for a, b, d in zip(src, to, dist, strict=True)}
        return self._transfer_m[radius]

    def pack(self, q: QueryParams) -> tuple:
        """Timetable tuple for the numba kernels under these query options."""
        key = (q.wheelchair, q.walk.speed_kmh, q.walk.transfer_radius_m)
        if key not in self._packs:
            tt = self.tt
            if q.wheelchair:
                trip_ok = (tt.trip_wheelchair == 1)[tt.source_trips()]
                stop_ok = tt.stop_wheelchair != 2
            else:
                trip_ok = np.ones(tt.n_trips, np.bool_)
                stop_ok = np.ones(tt.n_stops, np.bool_)
            if stop_ok.all():  # the kernel reads an empty mask as "no stop blocked"
                stop_ok = np.zeros(0, np.bool_)
            ptr, to, dist = self.transfers(q.walk.transfer_radius_m)
            # One dtype per array, whatever built the timetable: the AOT kernel's
            # signature is exact (int32 indices and times, bool masks).
            i4 = np.int32
            self._packs[key] = tuple(np.ascontiguousarray(a, dt) for a, dt in (
                (tt.pat_stop_ptr, i4), (tt.pat_stops, i4), (tt.pat_trip_ptr, i4),
                (tt.trip_time_off, i4), (tt.arr, i4), (tt.dep, i4), (tt.stop_pat_ptr, i4),
                (tt.stop_pat, i4), (tt.stop_pat_pos, i4), (trip_ok, np.bool_),
                (stop_ok, np.bool_), (ptr, i4), (to, i4),
                (walk_seconds_array(dist, q.walk.speed_kmh), i4)))
        return self._packs[key]

    def access(self, lat: float, lon: float, max_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Stops reachable from the search origin point (egress stops on the mirror)."""
        if self.mirrored:
            return self.walker.egress(lat, lon, max_m)
        return self.walker.access(lat, lon, max_m)

    def egress_many(self, lats: np.ndarray, lons: np.ndarray,
                    max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Stops from which each target point is reached (access stops on the mirror)."""
        if self.mirrored:
            return self.walker.access_many(lats, lons, max_m)
        return self.walker.egress_many(lats, lons, max_m)

    def egress_times(self, lats: np.ndarray, lons: np.ndarray, max_m: float,
                     speed_kmh: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """`egress_many` plus walk seconds, remembered for the last few target sets
        (isochrone grids and all-stop answers ask for the same targets again and again).

        A remembered set is found by comparing the coordinates themselves (two vector
        compares, microseconds), not by hashing their bytes (36 µs for Mid-Notts' 990
        stops, 160 µs for Porto Alegre's 3,986: a tenth of an all-stop answer)."""
        la = np.ascontiguousarray(lats, np.float64)
        lo = np.ascontiguousarray(lons, np.float64)
        params = (len(la), float(max_m), float(speed_kmh))
        with self._memo_lock:
            hit = next((h for p, a, b, h in self._egress_memo
                        if p == params and np.array_equal(a, la) and np.array_equal(b, lo)),
                       None)
        if hit is None:
            ptr, idx, dist = self.egress_many(la, lo, max_m)
            hit = (ptr, idx, dist, walk_seconds_array(dist, speed_kmh).astype(np.int64))
            with self._memo_lock:
                if len(self._egress_memo) >= 4:
                    self._egress_memo.pop(0)
                self._egress_memo.append((params, la.copy(), lo.copy(), hit))
        return hit


@dataclass
class SearchResult:
    """Labels of one earliest-arrival search (forward) or latest-departure search (mirror).

    Either only the stops the search reached are held (`stops`, with their labels per
    round), or, for a small network, rows for every stop (`stops` None: row position =
    stop); full per-stop arrays are built on request. On the mirror all times are
    negated: use the accessor methods, which undo that.
    """

    side: _Side
    params: QueryParams
    origin: Place
    depart_s: int  # search time on the search side (negated on the mirror)
    stops: np.ndarray | None  # int32 stops whose labels the search wrote; None: all stops
    r_bus: np.ndarray  # int32 (K+1, len(stops) or n_stops): bus labels of those stops
    r_walk: np.ndarray  # int32 (K+1, ...): walk labels
    r_ent: np.ndarray | None  # int32 (K+1, ...) bus entries, with a log
    log: tuple[np.ndarray, ...] | None  # None: a times-only search (journeys on demand)
    access: tuple[np.ndarray, np.ndarray]  # access stops and their walking metres
    replay: Callable[[], tuple[np.ndarray, tuple[np.ndarray, ...]]] | None = field(default=None,
                                                                       repr=False)
    _order: np.ndarray | None = field(default=None, repr=False)
    _access_m: dict[int, float] | None = field(default=None, repr=False)
    _reached: np.ndarray | None = field(default=None, repr=False)

    @property
    def reached(self) -> np.ndarray:
        """The stops whose labels the search wrote (int32; search order, or by stop)."""
        if self.stops is not None:
            return self.stops
        if self._reached is None:
            k = self.r_bus.shape[0] - 1  # the last row holds every stop's best label
            hit = (self.r_bus[k] < INF) | (self.r_walk[k] < INF)
            self._reached = np.flatnonzero(hit).astype(np.int32)
        return self._reached

    @property
    def access_m(self) -> dict[int, float]:
        """Access stop -> walking metres (built when a journey needs it)."""
        if self._access_m is None:
            self._access_m = {int(s): float(d) for s, d in zip(*self.access, strict=True)}
        return self._access_m

    @property
    def mirrored(self) -> bool:
        """True for reverse (latest-departure) searches."""
        return self.side.mirrored

    def _full(self, rows: np.ndarray, fill: int) -> np.ndarray:
        if self.stops is None:
            return rows.copy()
        out = np.full((rows.shape[0], self.side.tt.n_stops), fill, np.int32)
        out[:, self.stops] = rows
        return out

    @property
    def bus(self) -> np.ndarray:
        """bus[k, s] for every stop (search side; INF where unreached), built on request."""
        return self._full(self.r_bus, INF)

    @property
    def walk(self) -> np.ndarray:
        """walk[k, s] for every stop (search side), built on request."""
        return self._full(self.r_walk, INF)

    @property
    def bus_ent(self) -> np.ndarray:
        """Log entry of bus[k, s] for every stop (-1: none); records the log if needed."""
        self.journey_log()
        assert self.r_ent is not None
        return self._full(self.r_ent, -1)

    def _lookup(self, stops: np.ndarray) -> np.ndarray:
        """Position of each stop in the rows, or -1 (binary search on a sorted copy)."""
        stops = np.asarray(stops)
        if self.stops is None:
            return stops.astype(np.int64)
        if len(self.stops) == 0:
            return np.full(len(stops), -1, np.int64)
        if self._order is None:
            self._order = np.argsort(self.stops, kind="stable")
        srt = self.stops[self._order]
        i = np.minimum(np.searchsorted(srt, stops), len(srt) - 1)
        return np.where(srt[i] == stops, self._order[i], -1)

    def _bus_k_at(self, stops: np.ndarray) -> np.ndarray:
        """Final-round bus label (int64, search side) at each stop; INF if unreached."""
        stops = np.asarray(stops)
        k = self.params.max_buses
        if self.stops is None:
            return self.r_bus[k][stops].astype(np.int64)
        if len(self.stops) == 0:
            return np.full(len(stops), INF, np.int64)
        n = self.side.tt.n_stops
        if len(stops) * 8 >= n:  # many lookups (all-stop answers): one dense row is cheaper
            row = np.full(n, INF, np.int64)
            row[self.stops] = self.r_bus[k]
            return row[stops]
        pos = self._lookup(stops)
        vals = self.r_bus[k][np.maximum(pos, 0)].astype(np.int64)
        return np.where(pos >= 0, vals, INF)

    def _best_search(self) -> np.ndarray:
        k = self.params.max_buses
        best = np.minimum(self.r_bus[k], self.r_walk[k]).astype(np.int64)
        if self.stops is None:
            return best
        out = np.full(self.side.tt.n_stops, INF, np.int64)
        out[self.stops] = best
        return out

    def reached_times(self) -> tuple[np.ndarray, np.ndarray]:
        """(stops, times) of the reached stops only, sorted by stop: `stop_times` without
        building an array over the whole network (what a national batch wants)."""
        k = self.params.max_buses
        if self.stops is None:
            stops = self.reached  # by stop already
            t = np.minimum(self.r_bus[k][stops], self.r_walk[k][stops]).astype(np.int64)
        else:
            order = np.argsort(self.stops, kind="stable")
            stops = self.stops[order]
            t = np.minimum(self.r_bus[k], self.r_walk[k]).astype(np.int64)[order]
        return stops, (-t if self.mirrored else t)

    def stop_times(self) -> np.ndarray:
        """Per stop: earliest arrival (forward) or latest departure (reverse).

        Unreached stops hold INF (forward) or -INF (reverse). A stop counts as reached
        by bus or on foot (access walk or a transfer walk). When nothing was reached the
        array is a shared read-only one (a national network has 200k stops, and filling
        them costs more than the search from a point with no stop nearby).
        """
        if self.stops is not None and len(self.stops) == 0:
            return self.side.unreached_row()
        return -self._best_search() if self.mirrored else self._best_search()

    def bus_times(self) -> np.ndarray:
        """Like `stop_times` but only arrivals by bus (forward) / boardings (reverse)."""
        row = self.r_bus[self.params.max_buses]
        if self.stops is None:
            b = row.astype(np.int64)
        else:
            b = np.full(self.side.tt.n_stops, INF, np.int64)
            b[self.stops] = row
        return -b if self.mirrored else b

    def bus_reached(self) -> tuple[np.ndarray, np.ndarray]:
        """(stops, times) of the stops reached by bus only, sorted by stop: `bus_times`
        without a row over the whole network (what a national batch of searches wants)."""
        row = self.r_bus[self.params.max_buses]
        if self.stops is None:
            stops = np.flatnonzero(row < INF).astype(np.int32)
            t = row[stops].astype(np.int64)
        else:
            # Only the stops the search wrote: O(reached), not O(network), per search.
            hit = np.flatnonzero(row < INF)
            order = hit[np.argsort(self.stops[hit], kind="stable")]
            stops = self.stops[order].astype(np.int32)
            t = row[order].astype(np.int64)
        return stops, (-t if self.mirrored else t)

    def _targets(self, lats: np.ndarray, lons: np.ndarray,
                 via: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Best search-side time and egress entry (-1: none, -2: direct walk) per target;
        with via=False only the times (the entries are left at -1)."""
        wp = self.params.walk
        ptr, idx, _, walk_t = self.side.egress_times(lats, lons, wp.max_walk_m, wp.speed_kmh)
        t = self._bus_k_at(idx)
        t = np.where(t >= INF, INF, t + walk_t)
        n = len(lats)
        best = np.full(n, INF, np.int64)
        entry = np.full(n, -1, np.int64)
        counts = np.diff(ptr)
        has = counts > 0
        if has.any():
            # Per target the fastest egress, and its first position on ties (as argmin).
            best[has] = np.minimum.reduceat(t, ptr[:-1][has])
            if via:
                seg = np.repeat(np.arange(n), counts)
                pos = np.flatnonzero((t == best[seg]) & (t < INF))
                first_seg, first = np.unique(seg[pos], return_index=True)
                entry[first_seg] = pos[first]
        # The direct walk, with no bus, is its own option.
        direct = self.side.walker.direct_many(self.origin.lat, self.origin.lon, lats, lons)
        ok = direct <= wp.max_walk_m
        w = self.depart_s + walk_seconds_array(np.where(ok, direct, 0.0), wp.speed_kmh)
        walk_wins = ok & (w <= best)
        best = np.where(walk_wins, w, best)
        entry = np.where(walk_wins, -2, entry)
        if self.params.max_minutes is not None:  # nothing beyond the time cap
            over = best > self.params.limit(self.depart_s)
            best = np.where(over, INF, best)
            entry = np.where(over, -1, entry)
        return best, entry

    def journey_log(self) -> tuple[np.ndarray, ...]:
        """The journey log, recorded now by re-running the search if it was times-only.

        The kernel is deterministic and the log changes no label, so the re-run finds
        exactly the labels this result already holds.
        """
        if self.log is None:
            if self.replay is None:
                raise RuntimeError("times-only search without a replay")
            self.r_ent, log = self.replay()
            self.log = log
            return log
        return self.log

    def at_targets(self, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """Earliest arrival at each target point (forward), or latest departure from each
        point (reverse); INF / -INF when impossible."""
        best, _ = self._targets(np.asarray(lats, float), np.asarray(lons, float), via=False)
        return -best if self.mirrored else best

    def journey(self, lat: float, lon: float, name: str = "target") -> Journey | None:
        """The best journey to (forward) or from (reverse) the point, or None."""
        lats, lons = np.array([lat], float), np.array([lon], float)
        best, via = self._targets(lats, lons)
        if best[0] >= INF:
            return None
        point = Place(name, lat, lon)
        wp = self.params.walk
        if via[0] == -2:
            d = float(self.side.walker.direct_many(self.origin.lat, self.origin.lon, lats, lons)[0])
            j = walk_only(self.origin, point, self.depart_s, d, wp.speed_kmh)
            return Journey(mirror_legs(j.legs)) if self.mirrored else j
        _, idx, dist = self.side.egress_many(lats, lons, wp.max_walk_m)
        s = int(idx[via[0]])
        k = self.params.max_buses
        log = self.journey_log()
        assert self.r_ent is not None
        pos = int(self._lookup(np.array([s], np.int32))[0])
        legs = legs_from_log(self.side.tt, log, int(self.r_ent[k, pos]), self.origin,
                             self.access_m, self.side.transfer_metres(wp.transfer_radius_m))
        legs.append(egress_leg(self.side.tt, s, int(self.r_bus[k, pos]), point,
                               float(dist[via[0]]), wp.speed_kmh))
        return Journey(mirror_legs(legs)) if self.mirrored else Journey(legs)


class Router:
    """Queries over one compiled timetable with one walker."""

    def __init__(self, tt: Timetable, walker: Walker | None = None) -> None:
        self.tt = tt
        self.walker = walker or CrowFlyWalker(tt.stop_lat, tt.stop_lon)
        self.forward = _Side(tt, self.walker, mirrored=False, stored=tt.stored_transfers)
        self._mirror: _Side | None = None

    @property
    def mirror(self) -> _Side:
        """The time-reversed side, built on first use."""
        if self._mirror is None:
            self._mirror = _Side(self.tt.time_reversed(), self.walker, mirrored=True,
                                 stored=self.tt.stored_transfers)
        return self._mirror

    def _search(self, side: _Side, lat: float, lon: float, t0: int,
                q: QueryParams, name: str, journeys: bool = False) -> SearchResult:
        acc, dist = side.access(lat, lon, q.walk.max_walk_m)
        origin = Place(name, lat, lon)
        if len(acc) == 0:  # no stop within walking distance: nothing to search
            empty = np.zeros(0, np.int32)
            rows = np.zeros((q.max_buses + 1, 0), np.int32)
            return SearchResult(side, q, origin, t0, empty, rows, rows, rows,
                                _EMPTY_LOG if journeys else None, (acc, dist),
                                lambda: (rows, _EMPTY_LOG))
        pack = side.pack(q)
        acc_t = np.ascontiguousarray(walk_seconds_array(dist, q.walk.speed_kmh), np.int32)
        acc = np.ascontiguousarray(acc, np.int32)
        limit = q.limit(t0)
        k1 = q.max_buses + 1
        dense = side.dense

        def run_logged() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                  tuple[np.ndarray, ...]]:
            bus, walk, bus_ent, walk_ent, work = side.scratch(True)
            labels = (bus[:k1], walk[:k1], bus_ent[:k1], walk_ent[:k1])
            changed = np.zeros(0, np.int32)  # no changed-stop list wanted
            cap = 1 << 15
            while True:
                log = core.new_log(cap)
                try:
                    core.iterate(pack, q.max_buses, q.walk.min_change_s, t0, limit, acc, acc_t,
                                 labels, work, True, log, changed)
                    stops, r_bus, r_walk, r_ent = core.collect_touched(bus, walk, bus_ent, k1,
                                                                       work)
                finally:  # after an error too: the scratch goes back clean
                    core.reset_touched(bus, walk, work)
                if not log[9][1]:
                    assert r_ent is not None
                    return stops, r_bus, r_walk, r_ent, log
                cap *= 4

        def replay() -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
            stops, _, _, ent, log = run_logged()
            if dense:  # the times-only rows were by stop: give the entries that layout
                full = np.full((k1, side.tt.n_stops), -1, np.int32)
                full[:, stops] = ent
                ent = full
            return ent, log

        if journeys:
            stops, r_bus, r_walk, r_ent, log = run_logged()
            return SearchResult(side, q, origin, t0, stops, r_bus, r_walk, r_ent, log,
                                (acc, dist), replay)
        bus, walk, _, _, work = side.scratch(False)
        touched, r_bus, r_walk = core.search_times(pack, q.max_buses, q.walk.min_change_s, t0,
                                                   limit, acc, acc_t, bus, walk, work, dense)
        return SearchResult(side, q, origin, t0, touched, r_bus, r_walk, None, None,
                            (acc, dist), replay)

    def earliest_arrival(self, lat: float, lon: float, depart_s: int,
                         params: QueryParams | None = None, name: str = "origin",
                         journeys: bool = False) -> SearchResult:
        """Earliest arrival at every stop and at any target from a point leaving at depart_s.

        The search records no journey log unless `journeys` is True: times are all most
        callers read, and `journey()` re-runs the search with the log on first use.
        """
        return self._search(self.forward, lat, lon, int(depart_s), params or QueryParams(), name,
                            journeys)

    def latest_departure(self, lat: float, lon: float, arrive_by_s: int,
                         params: QueryParams | None = None,
                         name: str = "destination", journeys: bool = False) -> SearchResult:
        """Latest departure from every stop / point that still reaches (lat, lon) by arrive_by_s.

        Times-only unless `journeys` is True, as for `earliest_arrival`.
        """
        return self._search(self.mirror, lat, lon, -int(arrive_by_s), params or QueryParams(),
                            name, journeys)
