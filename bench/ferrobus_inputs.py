"""Inputs for ferrobus built from the engine's own compiled timetable and walking rules.

ferrobus reads a GTFS directory and an OSM .pbf. To compare like with like it is given:

- **the same timetable**: the engine's compiled `Timetable` for the day written back out
  as GTFS (one service on that date, one route per pattern, every stop time explicit, so
  both engines see the same interpolated times; positions before midnight of trips of the
  previous day are left out: no query at or after 00:00 can reach them);
- **the same walking**: a synthetic footway network in which every allowed walk of the
  engine (stop to stop within the walk limit, which covers the transfer radius; query
  point to stop within the walk limit) is one way whose length is the engine's walking
  distance (crow-fly x 1.3: the way bends at a middle node so its length is 1.3 x the
  straight line). Any other path between two nodes is at least as long as the direct
  way (triangle inequality), so ferrobus's time limits, set to the engine's distances at
  its walking speed, admit the same walks.
  Components are tied together by ways tens of kilometres long (never walkable within the
  limits) because ferrobus keeps one connected street network.
"""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import numpy as np

from app.routing.geo import EARTH_RADIUS_M
from app.routing.gtfs_time import format_hms
from app.routing.timetable import Timetable
from app.routing.walk import CrowFlyWalker

BRIDGE_DEG = 0.3  # ~30 km detour of a bridging way: never walkable within any limit


def write_gtfs(tt: Timetable, out: Path) -> None:
    """The compiled timetable as a GTFS directory (stop ids s<i>, trips t<g>)."""
    out.mkdir(parents=True, exist_ok=True)
    day = tt.service_date.replace("-", "")
    (out / "agency.txt").write_text(
        "agency_id,agency_name,agency_url,agency_timezone\nA,Bench,https://example.org,UTC\n")
    (out / "calendar.txt").write_text(
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
        f"end_date\nD,1,1,1,1,1,1,1,{day},{day}\n")
    with open(out / "stops.txt", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["stop_id", "stop_name", "stop_lat", "stop_lon"])
        for i in range(tt.n_stops):
            w.writerow([f"s{i}", f"s{i}", f"{tt.stop_lat[i]:.8f}", f"{tt.stop_lon[i]:.8f}"])
    pattern = tt.trip_pattern()
    with open(out / "routes.txt", "w") as fh:
        fh.write("route_id,agency_id,route_short_name,route_type\n")
        fh.writelines(f"p{p},A,p{p},3\n" for p in range(tt.n_patterns))
    trips: list[str] = []
    times: list[str] = []
    for g in range(tt.n_trips):
        p = int(pattern[g])
        a, b = int(tt.pat_stop_ptr[p]), int(tt.pat_stop_ptr[p + 1])
        off = int(tt.trip_time_off[g])
        keep = [i for i in range(b - a) if tt.arr[off + i] >= 0 and tt.dep[off + i] >= 0]
        if len(keep) < 2:
            continue
        trips.append(f"p{p},D,t{g}\n")
        times.extend(f"t{g},{format_hms(int(tt.arr[off + i]))},{format_hms(int(tt.dep[off + i]))},"
                     f"s{int(tt.pat_stops[a + i])},{i + 1}\n" for i in keep)
    (out / "trips.txt").write_text("route_id,service_id,trip_id\n" + "".join(trips))
    (out / "stop_times.txt").write_text(
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "".join(times))


def _bend(lat1: float, lon1: float, lat2: float, lon2: float, detour: float) -> tuple[float, float]:
    """The middle node making the way A-M-B `detour` times the straight line (local plane)."""
    k = math.cos(math.radians((lat1 + lat2) / 2))
    x = math.radians(lon2 - lon1) * EARTH_RADIUS_M * k
    y = math.radians(lat2 - lat1) * EARTH_RADIUS_M
    h = math.sqrt(max((detour / 2) ** 2 - 0.25, 0.0))  # in units of the straight line
    mx, my = x / 2 - y * h, y / 2 + x * h
    return (lat1 + math.degrees(my / EARTH_RADIUS_M),
            lon1 + math.degrees(mx / (EARTH_RADIUS_M * k)))


def write_osm(path: Path, tt: Timetable, point_lat: np.ndarray, point_lon: np.ndarray,
              transfer_m: float, walk_m: float, detour: float = 1.3) -> dict[str, int]:
    """The synthetic footway network (see module docstring); returns its counts."""
    import osmium

    walker = CrowFlyWalker(tt.stop_lat, tt.stop_lon, detour)
    n = tt.n_stops
    lat = list(map(float, tt.stop_lat)) + list(map(float, point_lat))
    lon = list(map(float, tt.stop_lon)) + list(map(float, point_lon))
    edges: list[tuple[int, int]] = []
    ptr, to, _ = walker.transfers(max(transfer_m, walk_m))
    for s in range(n):
        edges.extend((s, int(t)) for t in to[ptr[s]:ptr[s + 1]] if t > s)
    pp, ps, _ = walker.access_many(np.asarray(point_lat, float), np.asarray(point_lon, float),
                                   walk_m)
    for j in range(len(point_lat)):
        edges.extend((n + j, int(s)) for s in ps[pp[j]:pp[j + 1]])
    parent = list(range(len(lat)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in edges:
        parent[find(a)] = find(b)
    roots = sorted({find(i) for i in range(len(lat))})
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    loc = osmium.osm.Location
    node = osmium.osm.mutable.Node
    way = osmium.osm.mutable.Way
    for i in range(len(lat)):
        writer.add_node(node(id=i + 1, location=loc(lon[i], lat[i])))
    next_node = len(lat) + 1
    next_way = 1
    tags = {"highway": "footway"}
    bends = []
    for a, b in edges:
        mlat, mlon = _bend(lat[a], lon[a], lat[b], lon[b], detour)
        writer.add_node(node(id=next_node, location=loc(mlon, mlat)))
        bends.append((a, next_node, b))
        next_node += 1
    for a, m, b in bends:
        writer.add_way(way(id=next_way, nodes=[a + 1, m, b + 1], tags=tags))
        next_way += 1
    for r1, r2 in itertools.pairwise(roots):
        writer.add_node(node(id=next_node, location=loc(lon[r1], lat[r1] + BRIDGE_DEG)))
        writer.add_way(way(id=next_way, nodes=[r1 + 1, next_node, r2 + 1], tags=tags))
        next_node += 1
        next_way += 1
    writer.close()
    return {"nodes": next_node - 1, "ways": next_way - 1, "walks": len(edges),
            "components": len(roots)}
