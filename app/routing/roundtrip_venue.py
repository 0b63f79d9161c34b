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
from dataclasses import dataclass

import numpy as np

from app.routing.geo import haversine_m
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
