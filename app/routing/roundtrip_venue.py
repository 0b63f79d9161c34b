"""Round trips from every origin to every session, from two searches per session (venue side).

The other strategy, `roundtrip`, plans from one home with two profiles; this one serves
batches (the planner's gap analysis): for a session at venue v from S to E, with a buffer
b (arrive b before the start, leave b after the end), a search backwards from v with
deadline S-b gives, for every stop, the latest departure that still reaches v in time
(`latest_dep`), and a search forwards from v leaving at E+b gives the earliest arrival
at every stop (`earliest_arr`); both include the walk between the venue and the stop.
Walking is symmetric, so for an origin o with access stops i (walk w_oi):

    out(o)  = S - max(max_i(latest_dep[i] - w_oi), S - b - walk(o, v))  leave home .. start
    back(o) = min(min_i(earliest_arr[i] + w_oi), E + b + walk(o, v)) - E  end .. home

This is exactly what a forward profile from o and a reverse profile into o would give
for the same session, but needs 2 searches per session instead of 2 per origin. Every
origin's answer depends on its own access stops alone, so origins can be split into
parts (e.g. by area) and computed apart with identical results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numba import njit

from app.routing.geo import EARTH_RADIUS_M, haversine_m
from app.routing.raptor import QueryParams, Router
from app.routing.venue_session import VenueSession
from app.routing.walk import CrowFlyWalker, walk_seconds_array

NO_DEP = -(2**30)  # sentinel: stop cannot reach the venue in time
NO_ARR = 2**30  # sentinel: stop cannot be reached from the venue
DAY_END_S = 86_400  # "home the same day": back by midnight


@dataclass(frozen=True)
class OriginAccess:
    """Stops within walking distance of each origin, as CSR arrays (walk in whole seconds)."""

    ptr: np.ndarray  # int64 (n_origins + 1)
    stop: np.ndarray  # int32
    walk_s: np.ndarray  # int32

    @property
    def n_origins(self) -> int:
        """Number of origins."""
        return len(self.ptr) - 1


def _segment_reduce(values: np.ndarray, ptr: np.ndarray, ufunc: np.ufunc,
                    empty: float) -> np.ndarray:
    """Reduce `values` (K x E) over the CSR segments of axis 1, `empty` for empty segments."""
    n = len(ptr) - 1
    out = np.full((values.shape[0], n), empty, dtype=np.float64)
    nonempty = np.flatnonzero(np.diff(ptr) > 0)
    if len(nonempty) and values.shape[1]:
        red = ufunc.reduceat(values, ptr[:-1][nonempty], axis=1)
        out[:, nonempty] = red
    return out


def round_trip_minutes(latest_dep: np.ndarray, earliest_arr: np.ndarray, start_s: np.ndarray,
                       end_s: np.ndarray, access: OriginAccess, direct_walk_s: np.ndarray,
                       buffer_s: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(out, back) minutes, shape (n_origins, n_sessions); inf where the leg is impossible.

    latest_dep, earliest_arr: (n_sessions, n_stops) int seconds with NO_DEP / NO_ARR
    sentinels; start_s, end_s: (n_sessions,); direct_walk_s: (n_origins, n_sessions)
    seconds of walking origin->venue, inf beyond the walking limit; buffer_s as above
    (the searches must already have used S - buffer_s and E + buffer_s).
    The return leg must reach home by midnight, else it counts as impossible.
    """
    ld = np.asarray(latest_dep, dtype=np.float64)
    ea = np.asarray(earliest_arr, dtype=np.float64)
    ld[ld <= NO_DEP] = -np.inf
    ea[ea >= NO_ARR] = np.inf
    w = access.walk_s.astype(np.float64)
    dep_home = _segment_reduce(ld[:, access.stop] - w, access.ptr, np.maximum, -np.inf)
    arr_home = _segment_reduce(ea[:, access.stop] + w, access.ptr, np.minimum, np.inf)
    s = np.asarray(start_s, dtype=np.float64)[:, None]
    e = np.asarray(end_s, dtype=np.float64)[:, None]
    direct = np.asarray(direct_walk_s, dtype=np.float64).T  # (K, O)
    dep_home = np.maximum(dep_home, s - buffer_s - direct)
    arr_home = np.minimum(arr_home, e + buffer_s + direct)
    arr_home[arr_home > DAY_END_S] = np.inf
    out = (s - dep_home) / 60.0
    back = (arr_home - e) / 60.0
    return out.T.copy(), back.T.copy()


def direct_walk_seconds(o_lat: np.ndarray, o_lon: np.ndarray, v_lat: np.ndarray,
                        v_lon: np.ndarray, detour: float, max_walk_m: float,
                        speed_kmh: float) -> np.ndarray:
    """(origins x venues) whole seconds of walking, inf beyond max_walk_m.

    Same convention as the crow-fly walker: haversine x detour, ceil(distance / speed).
    """
    d = haversine_m(np.asarray(o_lat)[:, None], np.asarray(o_lon)[:, None],
                    np.asarray(v_lat)[None, :], np.asarray(v_lon)[None, :]) * detour
    secs = np.ceil(d * 3.6 / speed_kmh - 1e-9)
    return np.where(d <= max_walk_m, secs, np.inf)


def origin_access(router: Router, lats: np.ndarray, lons: np.ndarray,
                  params: QueryParams) -> OriginAccess:
    """Stops within the walking limit of every origin, with walking seconds."""
    ptr, idx, dist = router.walker.access_many(lats, lons, params.walk.max_walk_m)
    return OriginAccess(ptr=ptr, stop=idx.astype(np.int32),
                        walk_s=walk_seconds_array(dist, params.walk.speed_kmh))


def direct_walks(router: Router, lats: np.ndarray, lons: np.ndarray, v_lat: np.ndarray,
                 v_lon: np.ndarray, params: QueryParams) -> np.ndarray:
    """(origins x venues) seconds of walking with no bus, inf beyond the walking limit."""
    wp = params.walk
    walker = router.walker
    if isinstance(walker, CrowFlyWalker):
        return direct_walk_seconds(lats, lons, v_lat, v_lon, walker.detour, wp.max_walk_m,
                                   wp.speed_kmh)
    # Other walkers (street network): ask only for pairs within the limit as the crow flies.
    out = np.full((len(lats), len(v_lat)), np.inf)
    crow = haversine_m(np.asarray(lats)[:, None], np.asarray(lons)[:, None],
                       np.asarray(v_lat)[None, :], np.asarray(v_lon)[None, :])
    for i, j in zip(*np.nonzero(crow <= wp.max_walk_m), strict=True):
        d = walker.direct(float(lats[i]), float(lons[i]), float(v_lat[j]), float(v_lon[j]))
        if d <= wp.max_walk_m:
            out[i, j] = float(walk_seconds_array(np.array([d]), wp.speed_kmh)[0])
    return out


def session_searches(router: Router, sessions: Sequence[VenueSession], params: QueryParams,
                     buffer_s: int, progress: Callable[[int], None] | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(latest boarding, earliest arrival) per session x stop on this router's date.

    Two searches per distinct (venue, start) and (venue, end): a latest-departure search
    into the venue by the start minus the buffer and an earliest-arrival search out of it
    from the end plus the buffer. The router's date is the sessions' date.
    """
    b = buffer_s
    n_stops = router.tt.n_stops
    rev: dict[tuple[float, float, int], np.ndarray] = {}
    fwd: dict[tuple[float, float, int], np.ndarray] = {}
    latest = np.empty((len(sessions), n_stops), dtype=np.int64)
    earliest = np.empty((len(sessions), n_stops), dtype=np.int64)
    for k, s in enumerate(sessions):
        key_r = (s.lat, s.lon, s.start_s)
        if key_r not in rev:
            rev[key_r] = router.latest_departure(s.lat, s.lon, s.start_s - b,
                                                 params).bus_times()
        key_f = (s.lat, s.lon, s.end_s)
        if key_f not in fwd:
            fwd[key_f] = router.earliest_arrival(s.lat, s.lon, s.end_s + b,
                                                 params).bus_times()
        latest[k] = rev[key_r]
        earliest[k] = fwd[key_f]
        if progress:
            progress(1)
    return latest, earliest


def session_direct_walks(router: Router, sessions: Sequence[VenueSession], lats: np.ndarray,
                         lons: np.ndarray, params: QueryParams) -> np.ndarray:
    """(origins x sessions) seconds of walking straight to each session's venue."""
    return direct_walks(router, lats, lons, np.array([s.lat for s in sessions]),
                        np.array([s.lon for s in sessions]), params)


def session_minutes(sessions: Sequence[VenueSession], latest: np.ndarray, earliest: np.ndarray,
                    access: OriginAccess, direct: np.ndarray, buffer_s: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(out, back) minutes for every origin x session from the venue-side searches."""
    return round_trip_minutes(latest, earliest, np.array([s.start_s for s in sessions]),
                              np.array([s.end_s for s in sessions]), access, direct, buffer_s)


def session_round_trips(router: Router, sessions: Sequence[VenueSession], access: OriginAccess,
                        lats: np.ndarray, lons: np.ndarray, params: QueryParams, buffer_s: int,
                        progress: Callable[[int], None] | None = None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(out, back) minutes for every origin x session on this router's date."""
    latest, earliest = session_searches(router, sessions, params, buffer_s, progress)
    return session_minutes(sessions, latest, earliest, access,
                           session_direct_walks(router, sessions, lats, lons, params), buffer_s)


# --- National size: sparse venue searches and the per-part join (issue 14) ---------------
#
# A dense (sessions x stops) search matrix is ~2.2 MB per session on a 275k-stop network,
# and (origins x sessions) matrices of a whole country do not fit anywhere. The batch keeps
# each search as the stops it reached within the time cap, indexed stop-major, and joins a
# part of the map's access stops against it: work proportional to what is reachable.


@dataclass(frozen=True)
class StopIndex:
    """Per-stop times of many searches, stop-major (CSC): stop i owns ptr[i]:ptr[i+1].

    `free` marks the entries whose journey is free with the older person's bus pass.
    """

    ptr: np.ndarray  # int64 (n_stops + 1)
    search: np.ndarray  # int32 search id
    time: np.ndarray  # int64 seconds: latest boarding (reverse) / earliest arrival (forward)
    free: np.ndarray  # bool

    @property
    def n_entries(self) -> int:
        """Stored (stop, search) pairs."""
        return len(self.search)


@dataclass(frozen=True)
class SearchLists:
    """Search-major reached stops of some searches: search s owns ptr[s]:ptr[s+1]."""

    ptr: np.ndarray  # int64 (n_searches + 1)
    stop: np.ndarray  # int32
    time: np.ndarray  # int64
    free: np.ndarray  # bool


@dataclass(frozen=True)
class VenueSearches:
    """The venue-side searches of a date's sessions: reverse and forward, sparse."""

    latest: StopIndex  # one reverse search per distinct (venue, start)
    earliest: StopIndex  # one forward search per distinct (venue, end)
    rev_of: np.ndarray  # int32 per session: its reverse search
    fwd_of: np.ndarray  # int32 per session: its forward search
    start_s: np.ndarray  # int64 per session
    end_s: np.ndarray
    lat: np.ndarray  # float64 per session: the venue
    lon: np.ndarray
    n_rev: int
    n_fwd: int

    @property
    def nbytes(self) -> int:
        """Memory held by the index arrays."""
        return sum(a.nbytes for ix in (self.latest, self.earliest)
                   for a in (ix.ptr, ix.search, ix.time, ix.free))


def capped(params: QueryParams, max_minutes: int) -> QueryParams:
    """The query with a time cap of max_minutes (kept if it already caps tighter)."""
    m = params.max_minutes
    return replace(params, max_minutes=max_minutes if m is None else min(m, max_minutes))


def sparse_searches(router: Router, sessions: Sequence[VenueSession], params: QueryParams,
                    buffer_s: int) -> tuple[SearchLists, SearchLists, np.ndarray, np.ndarray,
                                            list[int], list[int]]:
    """The distinct venue searches of some sessions as reached-stop lists, within the cap.

    Returns (reverse lists, forward lists, reverse id per session, forward id per session,
    the reverse searches' deadlines S - b, the forward searches' departures E + b). Only
    reached stops within `params.max_minutes` of the search time are kept; any stop beyond
    the cap makes a leg longer than the cap, so no budget up to the cap can use it.
    """
    b = buffer_s
    rev: dict[tuple[float, float, int], int] = {}
    fwd: dict[tuple[float, float, int], int] = {}
    rev_t: list[int] = []
    fwd_t: list[int] = []
    lists: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"rev": [], "fwd": []}
    rev_of = np.empty(len(sessions), np.int32)
    fwd_of = np.empty(len(sessions), np.int32)
    cap_s = None if params.max_minutes is None else 60 * params.max_minutes
    for k, s in enumerate(sessions):
        key_r = (s.lat, s.lon, s.start_s)
        if key_r not in rev:
            t0 = s.start_s - b
            idx, t = router.latest_departure(s.lat, s.lon, t0, params).bus_reached()
            if cap_s is not None:
                keep = t >= t0 - cap_s
                idx, t = idx[keep], t[keep]
            lists["rev"].append((idx, t))
            rev[key_r] = len(rev)
            rev_t.append(t0)
        key_f = (s.lat, s.lon, s.end_s)
        if key_f not in fwd:
            t0 = s.end_s + b
            idx, t = router.earliest_arrival(s.lat, s.lon, t0, params).bus_reached()
            if cap_s is not None:
                keep = t <= t0 + cap_s
                idx, t = idx[keep], t[keep]
            lists["fwd"].append((idx, t))
            fwd[key_f] = len(fwd)
            fwd_t.append(t0)
        rev_of[k] = rev[key_r]
        fwd_of[k] = fwd[key_f]

    def pack(items: list[tuple[np.ndarray, np.ndarray]]) -> SearchLists:
        sizes = np.array([len(i) for i, _ in items], dtype=np.int64)
        ptr = np.zeros(len(items) + 1, np.int64)
        np.cumsum(sizes, out=ptr[1:])
        stop = np.concatenate([i for i, _ in items]) if items else np.zeros(0, np.int32)
        time = np.concatenate([t for _, t in items]) if items else np.zeros(0, np.int64)
        return SearchLists(ptr, stop, time, np.ones(len(stop), bool))

    return pack(lists["rev"]), pack(lists["fwd"]), rev_of, fwd_of, rev_t, fwd_t


def stop_index(parts: Sequence[SearchLists], n_stops: int) -> StopIndex:
    """Stop-major index of the searches of several groups, numbered in group order."""
    ptrs, stops, times, frees, sids = [], [], [], [], []
    base = 0
    for p in parts:
        n = len(p.ptr) - 1
        sids.append(np.repeat(np.arange(base, base + n, dtype=np.int32), np.diff(p.ptr)))
        stops.append(p.stop)
        times.append(p.time)
        frees.append(p.free)
        ptrs.append(n)
        base += n
    stop = np.concatenate(stops) if stops else np.zeros(0, np.int32)
    search = np.concatenate(sids) if sids else np.zeros(0, np.int32)
    order = np.argsort(stop, kind="stable")  # by stop, searches ascending within a stop
    ptr = np.zeros(n_stops + 1, np.int64)
    np.cumsum(np.bincount(stop, minlength=n_stops), out=ptr[1:])
    time = np.concatenate(times) if times else np.zeros(0, np.int64)
    free = np.concatenate(frees) if frees else np.zeros(0, bool)
    return StopIndex(ptr, search[order], time[order], free[order])


def _touched(ix: StopIndex, stops: np.ndarray) -> np.ndarray:
    """Distinct searches with an entry at any of these stops."""
    lo, hi = ix.ptr[stops], ix.ptr[stops + 1]
    n = hi - lo
    if not n.sum():
        return np.zeros(0, np.int32)
    pos = np.repeat(lo - np.cumsum(np.r_[0, n[:-1]]), n) + np.arange(n.sum())
    return np.unique(ix.search[pos])


def candidate_sessions(vs: VenueSearches, access: OriginAccess, lats: np.ndarray,
                       lons: np.ndarray, reach_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Sessions that can be finite for any of these origins, and which of them are near.

    Returns (ascending session indices, bool per candidate: its venue may be within
    walking distance of an origin). A leg is finite only through a search entry at one of
    the origins' access stops, or by the direct walk, which needs the venue within reach_m
    as the crow flies (the walking limit over the walker's smallest detour factor), so
    every other session is impossible both ways for every origin here: dropping it changes
    nothing, and only near venues need a direct walk.
    """
    stops = np.unique(access.stop).astype(np.int64)
    hit_r = np.zeros(vs.n_rev, bool)
    hit_r[_touched(vs.latest, stops)] = True
    hit_f = np.zeros(vs.n_fwd, bool)
    hit_f[_touched(vs.earliest, stops)] = True
    near = np.zeros(len(vs.rev_of), bool)
    if len(lats):
        # Inside the origins' box widened by the reach (1% spare on the degree conversion,
        # so no venue on the edge is lost).
        dlat = np.degrees(reach_m / EARTH_RADIUS_M) * 1.01
        top = min(89.0, float(np.max(np.abs(lats))) + dlat)
        dlon = dlat / np.cos(np.radians(top))
        near = ((vs.lat >= lats.min() - dlat) & (vs.lat <= lats.max() + dlat)
                & (vs.lon >= lons.min() - dlon) & (vs.lon <= lons.max() + dlon))
    cand = np.flatnonzero(hit_r[vs.rev_of] | hit_f[vs.fwd_of] | near)
    return cand, near[cand]


def walk_reach_m(router: Router, params: QueryParams) -> float:
    """How far as the crow flies a direct walk within the limit can reach."""
    detour = getattr(router.walker, "detour", 1.0)
    return params.walk.max_walk_m / min(1.0, float(detour))


@njit(cache=True, nogil=True)
def _join(acc_ptr, acc_stop, acc_w, r_ptr, r_search, r_time, r_free, n_rev, f_ptr,
          f_search, f_time, f_free, n_fwd, rev_of, fwd_of, start, end, direct, direct_col,
          buffer_s, day_end, out, back, free_out, free_back):  # pragma: no cover - numba
    """Per origin: best boarding/arrival per search from its access stops, then each leg.

    Same arithmetic as `round_trip_minutes` (float64 of whole seconds), one origin at a
    time, so the answers are identical and memory is (origins x candidate sessions).
    """
    n_o = len(acc_ptr) - 1
    n_k = len(rev_of)
    dep = np.full(n_rev, -np.inf)
    dep_f = np.full(n_rev, -np.inf)
    arr = np.full(n_fwd, np.inf)
    arr_f = np.full(n_fwd, np.inf)
    for o in range(n_o):
        for a in range(acc_ptr[o], acc_ptr[o + 1]):
            u = acc_stop[a]
            w = float(acc_w[a])
            for e in range(r_ptr[u], r_ptr[u + 1]):
                s = r_search[e]
                v = float(r_time[e]) - w
                if v > dep[s]:
                    dep[s] = v
                if r_free[e] and v > dep_f[s]:
                    dep_f[s] = v
            for e in range(f_ptr[u], f_ptr[u + 1]):
                s = f_search[e]
                v = float(f_time[e]) + w
                if v < arr[s]:
                    arr[s] = v
                if f_free[e] and v < arr_f[s]:
                    arr_f[s] = v
        for k in range(n_k):
            st = float(start[k])
            en = float(end[k])
            dw = direct[o, direct_col[k]] if direct_col[k] >= 0 else np.inf
            walk_dep = st - buffer_s - dw
            walk_arr = en + buffer_s + dw
            for view in range(2):
                d = dep[rev_of[k]] if view == 0 else dep_f[rev_of[k]]
                r = arr[fwd_of[k]] if view == 0 else arr_f[fwd_of[k]]
                d = max(d, walk_dep)
                r = min(r, walk_arr)
                if r > day_end:
                    r = np.inf
                if view == 0:
                    out[o, k] = (st - d) / 60.0
                    back[o, k] = (r - en) / 60.0
                else:
                    free_out[o, k] = (st - d) / 60.0
                    free_back[o, k] = (r - en) / 60.0
        # reset only what this origin touched
        for a in range(acc_ptr[o], acc_ptr[o + 1]):
            u = acc_stop[a]
            for e in range(r_ptr[u], r_ptr[u + 1]):
                dep[r_search[e]] = -np.inf
                dep_f[r_search[e]] = -np.inf
            for e in range(f_ptr[u], f_ptr[u + 1]):
                arr[f_search[e]] = np.inf
                arr_f[f_search[e]] = np.inf


@dataclass(frozen=True)
class PartTrips:
    """Leg minutes from some origins to the sessions that can be finite for them."""

    sessions: np.ndarray  # int64 session indices (ascending) of the columns
    out: np.ndarray  # (origins x sessions) float64 minutes, inf = impossible
    back: np.ndarray
    free_out: np.ndarray
    free_back: np.ndarray


def part_round_trips(vs: VenueSearches, access: OriginAccess, direct: np.ndarray,
                     cand: np.ndarray, buffer_s: int,
                     near: np.ndarray | None = None) -> PartTrips:
    """Both views' legs from these origins to the candidate sessions `cand`.

    direct: seconds of walking straight to each venue (inf beyond the limit), origins x
    cand, or origins x the near candidates only when `near` (bool per candidate) says
    which (the others are beyond walking distance). Identical to `round_trip_minutes` on
    dense searches for these columns.
    """
    if near is None:
        near = np.ones(len(cand), bool)
    direct_col = np.full(len(cand), -1, np.int64)
    direct_col[near] = np.arange(int(near.sum()))
    if direct.shape[1] != int(near.sum()):
        direct = direct[:, near]
    n_o, n_k = access.n_origins, len(cand)
    mats = [np.empty((n_o, n_k)) for _ in range(4)]
    if n_o and n_k:
        ri, fi = vs.latest, vs.earliest
        _join(access.ptr, access.stop.astype(np.int64), access.walk_s, ri.ptr, ri.search,
              ri.time, ri.free, vs.n_rev, fi.ptr, fi.search, fi.time, fi.free, vs.n_fwd,
              vs.rev_of[cand], vs.fwd_of[cand], vs.start_s[cand], vs.end_s[cand],
              np.ascontiguousarray(direct, dtype=np.float64), direct_col, float(buffer_s),
              float(DAY_END_S), *mats)
    return PartTrips(cand.astype(np.int64), *mats)
