"""Direct walking time between many origins and many venues (crow-fly x detour factor)."""

from __future__ import annotations

import numpy as np

from app.routing.geo import haversine_m


def direct_walk_seconds(o_lat: np.ndarray, o_lon: np.ndarray, v_lat: np.ndarray,
                        v_lon: np.ndarray, detour: float, max_walk_m: float,
                        speed_kmh: float) -> np.ndarray:
    """(origins x venues) whole seconds of walking, inf beyond max_walk_m.

    Same convention as the routing engine's crow-fly walker: haversine x detour,
    ceil(distance / speed).
    """
    d = haversine_m(np.asarray(o_lat)[:, None], np.asarray(o_lon)[:, None],
                    np.asarray(v_lat)[None, :], np.asarray(v_lon)[None, :]) * detour
    secs = np.ceil(d * 3.6 / speed_kmh - 1e-9)
    return np.where(d <= max_walk_m, secs, np.inf)
