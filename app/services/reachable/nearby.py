"""Where to look in a national directory: the sessions within what the client can reach.

A national directory holds ~50,000 listings, and a request from one home must not look at
them all. The forward profile out of home (capped at the time limit) reaches a set of
stops; no way there can end farther from home than the farthest of them plus a walk, so
the listings farther than that (and than FINDER_LIST_KM, which keeps nearby sessions that
cannot be reached listed with their reasons) are left out before any routing. With
FINDER_LIST_KM = 0 every session is listed, as before.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from app.directory.occurrences import DatedSession
from app.routing.geo import haversine_m
from app.routing.roundtrip import HomeProfile, home_profile
from app.services.reachable.evaluate import EvalParams
from app.services.transit.router import TransitRouter

M_PER_DEG_LAT = 110_574.0
MARGIN = 1.01  # rounding of stop coordinates and of the haversine


@dataclass
class Nearby:
    """The listing radius around home and the forward profiles that set it (per date)."""

    lat: float
    lon: float
    radius_m: float
    list_km: float
    profiles: dict[dt.date, HomeProfile] = field(default_factory=dict)

    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) around the circle, for the directory query."""
        dlat = self.radius_m / M_PER_DEG_LAT
        coslat = max(0.01, math.cos(math.radians(min(89.0, abs(self.lat) + dlat))))
        dlon = self.radius_m / (111_320.0 * coslat)
        return (self.lon - dlon, self.lat - dlat, self.lon + dlon, self.lat + dlat)

    def keep(self, sessions: list[DatedSession]) -> list[DatedSession]:
        """The sessions inside the radius (and those without a location, as before)."""
        located = [s for s in sessions if s.lat is not None and s.lon is not None]
        if not located:
            return sessions
        d = haversine_m(self.lat, self.lon, np.array([s.lat for s in located], float),
                        np.array([s.lon for s in located], float))
        far = {id(s) for s, m in zip(located, d, strict=True) if m > self.radius_m}
        return [s for s in sessions if id(s) not in far]


def profile_window(p: EvalParams) -> tuple[int, int]:
    """Departures from home that any session inside the client's hours may use.

    A session inside the hours starts at or after hours_from and ends by hours_to, so its
    way there leaves no earlier than hours_from - buffer - lookback and arrives by
    hours_to - buffer (see plan_round_trips).
    """
    rt = p.round_trip()
    return (p.hours_from_s - p.arrival_buffer_s - rt.lookback_s,
            p.hours_to_s - p.arrival_buffer_s)


def reach_radius(tr: TransitRouter, lat: float, lon: float, p: EvalParams
                 ) -> tuple[float, HomeProfile]:
    """Metres from home beyond which no way there within the limits can end, on one date.

    The caller holds `tr.lock`.
    """
    t_from, t_to = profile_window(p)
    prof = home_profile(tr.engine, lat, lon, t_from, t_to, p.round_trip())
    stops = prof.reached_stops()
    tt = tr.engine.tt
    far = float(haversine_m(lat, lon, tt.stop_lat[stops], tt.stop_lon[stops]).max()) \
        if len(stops) else 0.0
    return (far + p.max_walk_m) * MARGIN, prof


def walk_radius(p: EvalParams) -> float:
    """Metres a walk within the time limit can cover (crow-fly is never longer)."""
    assert p.max_minutes is not None
    return p.max_minutes * 60 * p.speed_kmh / 3.6 * MARGIN + 1.0
