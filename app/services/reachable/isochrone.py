"""The shaded 'reachable in N minutes' area for the finder map, without pinning the home.

Circles of the walking distance left are drawn around every stop reached in time (not
around the home itself: its centre would mark the address) and merged. Distances are
small (tens of km), so a local equirectangular projection is accurate to well under 1%
and avoids building a pyproj transformer per request.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping

from app.routing.raptor import INF, QueryParams, Router
from app.routing.walk import DEFAULT_DETOUR

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQ = 111_320.0


def circles_polygon(lat0: float, lats: np.ndarray, lons: np.ndarray, radii_m: np.ndarray
                    ) -> dict[str, Any] | None:
    """GeoJSON geometry (lon/lat) of the union of circles; None when there are none."""
    keep = radii_m > 1
    if not keep.any():
        return None
    kx = M_PER_DEG_LON_EQ * math.cos(math.radians(lat0))
    x = lons[keep] * kx
    y = lats[keep] * M_PER_DEG_LAT
    area = shapely.union_all(shapely.buffer(shapely.points(np.column_stack([x, y])),
                                            radii_m[keep], quad_segs=6))
    area = shapely.transform(area, lambda xy: np.column_stack([xy[:, 0] / kx,
                                                               xy[:, 1] / M_PER_DEG_LAT]))
    return dict(mapping(shapely.set_precision(area, 1e-5)))


def reach_area(engine: Router, lat: float, lon: float, depart_s: int, minutes: int,
               params: QueryParams) -> dict[str, Any] | None:
    """Area walkable from the stops reached by walk + bus within `minutes` of `depart_s`."""
    res = engine.earliest_arrival(lat, lon, depart_s, params, name="home")
    times = res.stop_times()
    limit = depart_s + minutes * 60
    reached = np.flatnonzero((times < INF) & (times <= limit))
    if not len(reached):
        return None
    metres_per_s = params.walk.speed_kmh / 3.6 / DEFAULT_DETOUR
    radii = np.minimum((limit - times[reached]) * metres_per_s,
                       params.walk.max_walk_m / DEFAULT_DETOUR)
    tt = engine.tt
    return circles_polygon(lat, tt.stop_lat[reached].astype(float),
                           tt.stop_lon[reached].astype(float), radii.astype(float))
