"""Venue-side searches: for each session, latest departures to it and earliest arrivals back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.analysis.geo_walk import direct_walk_seconds
from app.analysis.roundtrip import OriginAccess, round_trip_minutes
from app.routing.geo import haversine_m
from app.routing.raptor import QueryParams, Router
from app.routing.roundtrip import BUFFER_S
from app.routing.walk import CrowFlyWalker, walk_seconds_array

# The round trip of docs/method.md#round-trip: the finder's buffers (BUFFER_S before the start
# and after the end) and at most 2 buses each way (the finder's default bus limit).
ROUND_TRIP_MAX_BUSES = 2


@dataclass(frozen=True)
class SessionSpot:
    """Where and when one session happens, on one service date's router."""

    lat: float
    lon: float
    start_s: int
    end_s: int


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


def session_searches(router: Router, spots: Sequence[SessionSpot], params: QueryParams,
                     progress: Callable[[int], None] | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(latest boarding, earliest arrival) per session x stop on this router's date.

    Two searches per distinct (venue, start) and (venue, end): a latest-departure search
    into the venue by the start minus the buffer and an earliest-arrival search out of it
    from the end plus the buffer.
    """
    b = BUFFER_S
    n_stops = router.tt.n_stops
    rev: dict[tuple[float, float, int], np.ndarray] = {}
    fwd: dict[tuple[float, float, int], np.ndarray] = {}
    latest = np.empty((len(spots), n_stops), dtype=np.int64)
    earliest = np.empty((len(spots), n_stops), dtype=np.int64)
    for k, s in enumerate(spots):
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


def spot_direct_walks(router: Router, spots: Sequence[SessionSpot], lats: np.ndarray,
                      lons: np.ndarray, params: QueryParams) -> np.ndarray:
    """(origins x sessions) seconds of walking straight to each session's venue."""
    return direct_walks(router, lats, lons, np.array([s.lat for s in spots]),
                        np.array([s.lon for s in spots]), params)


def spot_round_trips(spots: Sequence[SessionSpot], latest: np.ndarray, earliest: np.ndarray,
                     access: OriginAccess, direct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(out, back) minutes for every origin x session from the venue-side searches."""
    return round_trip_minutes(latest, earliest, np.array([s.start_s for s in spots]),
                              np.array([s.end_s for s in spots]), access, direct, BUFFER_S)


def session_round_trips(router: Router, spots: Sequence[SessionSpot], access: OriginAccess,
                        lats: np.ndarray, lons: np.ndarray, params: QueryParams,
                        progress: Callable[[int], None] | None = None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(out, back) minutes for every origin x session on this router's date."""
    latest, earliest = session_searches(router, spots, params, progress)
    return spot_round_trips(spots, latest, earliest, access,
                            spot_direct_walks(router, spots, lats, lons, params))
