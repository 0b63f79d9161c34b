"""Isochrones: stops reached by walk + bus within N minutes, and the area walkable from them."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import mapping

from app.routing.raptor import INF, QueryParams
from app.routing.walk import DEFAULT_DETOUR
from app.services.transit.places import QueryPlace
from app.services.transit.plans import clock
from app.services.transit.router import TransitRouter


def reach_polygon(lat0: float, lon0: float, lats: np.ndarray, lons: np.ndarray,
                  radii_m: np.ndarray) -> dict[str, Any] | None:
    """GeoJSON (lon/lat) union of circles of radii_m around the points; None if empty."""
    keep = radii_m > 0
    if not keep.any():
        return None
    # An azimuthal equidistant projection centred on the origin keeps metres true nearby.
    local = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m"
    fwd = Transformer.from_crs("EPSG:4326", local, always_xy=True)
    back = Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    x, y = fwd.transform(lons[keep], lats[keep])
    circles = shapely.buffer(shapely.points(np.column_stack([x, y])), radii_m[keep],
                             quad_segs=8)
    area = shapely.union_all(circles)
    area = shapely.transform(area, lambda xy: np.column_stack(back.transform(xy[:, 0],
                                                                            xy[:, 1])))
    return dict(mapping(shapely.set_precision(area, 1e-6)))


def isochrone(tr: TransitRouter, origin: QueryPlace, depart_s: int, minutes: int,
              params: QueryParams) -> dict[str, Any]:
    """Reached stops with arrival times, plus the polygon of places walkable in the time left."""
    wp = params.walk
    limit = depart_s + minutes * 60
    speed = wp.speed_kmh / 3.6
    # Walk legs are capped at max_walk_m in the routing model, so circles are too.
    cap = wp.max_walk_m / DEFAULT_DETOUR
    access, _ = tr.walker.access(origin.lat, origin.lon, wp.max_walk_m)
    res = tr.engine.earliest_arrival(origin.lat, origin.lon, depart_s, params)
    times = res.stop_times()
    by_bus = res.bus_times() <= times
    tt = tr.timetable
    reached = np.flatnonzero((times < INF) & (times <= limit))
    order = reached[np.argsort(times[reached], kind="stable")]
    left = (limit - times[order]).astype(np.float64)
    radii = np.minimum(left * speed / DEFAULT_DETOUR, cap)
    lats = np.r_[origin.lat, tt.stop_lat[order]]
    lons = np.r_[origin.lon, tt.stop_lon[order]]
    radii_all = np.r_[min(minutes * 60 * speed / DEFAULT_DETOUR, cap), radii]
    polygon = reach_polygon(origin.lat, origin.lon, lats, lons, radii_all)
    stops = [{
        "stop_id": str(tt.stop_ids[s]), "name": str(tt.stop_names[s]),
        "lat": float(tt.stop_lat[s]), "lon": float(tt.stop_lon[s]),
        "arrive_at": clock(int(times[s])), "minutes": int((times[s] - depart_s) // 60),
        "by_bus": bool(by_bus[s]),
    } for s in order]
    out: dict[str, Any] = {
        "found": bool(len(stops)),
        "stops": stops,
        "stop_count": len(stops),
        "polygon": polygon,
        "method": (f"union of walking circles: around the start, and around each reached stop "
                   f"with radius = minutes left x {wp.speed_kmh} km/h / detour "
                   f"{DEFAULT_DETOUR}, capped at max_walk_m / detour ({cap:.0f} m)"),
    }
    if not len(access):
        out["reason"] = (f"No bus stop is within {wp.max_walk_m:.0f} m walk of the start; "
                         "only the walking area around it is shown.")
        out["reason_code"] = "no_stop_near_origin"
    return out
