"""A deliberately simple reference router: Dijkstra over time-expanded stop events.

Written independently of app/routing's RAPTOR, from the Feed DataFrames directly: its own
calendar logic, its own walking arithmetic, no FIFO assumption (every departure is a
separate boarding option). Slow but obviously correct; only used in tests.

States are (kind, k, stop): kind "walk" = standing at the stop after an access walk
(k=0) or a transfer walk (after k buses); kind "bus" = just got off the k-th bus there.
Walks are never chained: transfer walks start only from "bus" states.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from app.routing.feed import Feed

R = 6_371_008.8
DETOUR = 1.3
DAYNAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def hav(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle metres (plain math)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * R * math.asin(math.sqrt(min(a, 1.0)))


def walk_time(metres: float, kmh: float) -> int:
    """ceil(distance / speed) whole seconds (same 1e-9 float tolerance as documented)."""
    return math.ceil(metres * 3.6 / kmh - 1e-9)


def services_on(feed: Feed, day: dt.date) -> set[str]:
    """Service ids running on day."""
    out = set()
    for r in feed.calendar.to_dict("records"):
        if r[DAYNAMES[day.weekday()]] and r["start_date"] <= day <= r["end_date"]:
            out.add(r["service_id"])
    for r in feed.calendar_dates.to_dict("records"):
        if r["date"] == day:
            if r["exception_type"] == 1:
                out.add(r["service_id"])
            else:
                out.discard(r["service_id"])
    return out


@dataclass
class RefNetwork:
    """Trips of one service date and walking neighbours, prepared once per feed."""

    stop_ids: list[str]
    lat: np.ndarray
    lon: np.ndarray
    stop_wc: dict[str, int]
    trips: list[tuple[list[str], list[int], list[int], int]]  # stops, arr, dep, wheelchair
    departures: dict[str, list[tuple[int, int, int]]]  # stop -> sorted (dep, trip, pos)
    neighbours: dict[str, list[tuple[str, float]]]  # transfer radius neighbours, walking m


def build_network(feed: Feed, day: dt.date, transfer_radius: float) -> RefNetwork:
    """Collect the trips of `day` (plus day-1 trips past midnight, shifted) and neighbours."""
    stops = feed.stops[(feed.stops["location_type"] == 0) & feed.stops["lat"].notna()]
    stop_ids = list(stops["stop_id"])
    lat = stops["lat"].to_numpy(float)
    lon = stops["lon"].to_numpy(float)
    wc = dict(zip(stops["stop_id"], stops["wheelchair_boarding"].astype(int), strict=True))
    today = services_on(feed, day)
    yday = services_on(feed, day - dt.timedelta(days=1))
    st = feed.stop_times.sort_values(["trip_id", "stop_sequence"])
    by_trip = dict(list(st.groupby("trip_id", sort=False)))
    trips = []
    for r in feed.trips.to_dict("records"):
        g = by_trip.get(r["trip_id"])
        if g is None or len(g) < 2:
            continue
        s = list(g["stop_id"])
        a = [int(x) for x in g["arrival_s"]]
        d = [int(x) for x in g["departure_s"]]
        w = int(r["wheelchair_accessible"])
        if r["service_id"] in today:
            trips.append((s, a, d, w))
        if r["service_id"] in yday and max(a) >= 86400:
            trips.append((s, [x - 86400 for x in a], [x - 86400 for x in d], w))
    departures: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for ti, (s, _a, d, _w) in enumerate(trips):
        for pos in range(len(s) - 1):
            departures[s[pos]].append((d[pos], ti, pos))
    for v in departures.values():
        v.sort()
    # Neighbours by brute force in numpy (own formula), then exact check in plain math.
    neighbours: dict[str, list[tuple[str, float]]] = defaultdict(list)
    rl, rn = np.radians(lat), np.radians(lon)
    for i, sid in enumerate(stop_ids):
        a = (np.sin((rl - rl[i]) / 2) ** 2
             + np.cos(rl[i]) * np.cos(rl) * np.sin((rn - rn[i]) / 2) ** 2)
        approx = 2 * R * np.arcsin(np.sqrt(np.minimum(a, 1.0))) * DETOUR
        for j in np.flatnonzero(approx <= transfer_radius + 1.0):
            if j == i:
                continue
            m = hav(lat[i], lon[i], lat[j], lon[j]) * DETOUR
            if m <= transfer_radius:
                neighbours[sid].append((stop_ids[j], m))
    return RefNetwork(stop_ids, lat, lon, wc, trips, dict(departures), dict(neighbours))


def reference_earliest(net: RefNetwork, lat: float, lon: float, t0: int, max_buses: int,
                       speed_kmh: float, max_walk_m: float, min_change_s: int,
                       wheelchair: bool, horizon_s: int) -> dict[int, dict[str, int]]:
    """Earliest arrival at every stop for each bus limit 1..max_buses, up to t0+horizon_s.

    Returns {K: {stop_id: arrival}}; stops not reached by t0+horizon_s are absent.
    """
    end = t0 + horizon_s
    heap: list[tuple[int, int, int, str]] = []  # (time, k, kind 0 walk / 1 bus, stop)
    for i, sid in enumerate(net.stop_ids):
        m = hav(lat, lon, net.lat[i], net.lon[i]) * DETOUR
        if m <= max_walk_m:
            t = t0 + walk_time(m, speed_kmh)
            if t <= end:
                heapq.heappush(heap, (t, 0, 0, sid))
    settled: dict[tuple[int, int, str], int] = {}
    boarded: dict[tuple[int, int], int] = {}  # (trip, k) -> earliest boarding position

    def usable_stop(sid: str) -> bool:
        return not wheelchair or net.stop_wc.get(sid, 0) != 2

    while heap:
        t, k, kind, sid = heapq.heappop(heap)
        if (kind, k, sid) in settled:
            continue
        # Dominated by the same kind of state with fewer buses and no later time?
        if any(settled.get((kind, j, sid), end + 1) <= t for j in range(k)):
            continue
        settled[(kind, k, sid)] = t
        if kind == 1:
            for nb, m in net.neighbours.get(sid, ()):
                t2 = t + walk_time(m, speed_kmh)
                if t2 <= end and (0, k, nb) not in settled:
                    heapq.heappush(heap, (t2, k, 0, nb))
        if k >= max_buses or not usable_stop(sid):
            continue
        thr = t + min_change_s if kind == 1 else t
        for dep, ti, pos in net.departures.get(sid, ()):
            if dep < thr:
                continue
            if dep > end:
                break
            stops, arr, _d, w = net.trips[ti]
            if wheelchair and w != 1:
                continue
            if boarded.get((ti, k + 1), 1 << 30) <= pos:
                continue
            boarded[(ti, k + 1)] = pos
            for j in range(pos + 1, len(stops)):
                if arr[j] <= end and usable_stop(stops[j]):
                    heapq.heappush(heap, (arr[j], k + 1, 1, stops[j]))
    out: dict[int, dict[str, int]] = {}
    for limit in range(1, max_buses + 1):
        best: dict[str, int] = {}
        for (_kind, k, sid), t in settled.items():
            if k <= limit and t < best.get(sid, 1 << 40):
                best[sid] = t
        out[limit] = best
    return out
