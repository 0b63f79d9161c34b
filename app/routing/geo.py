"""Great-circle distance, the one distance formula the whole engine uses."""

from __future__ import annotations

from typing import Any

import numpy as np

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius; fixed so every figure is comparable
# (app.routing.kernels repeats it for its numba copy of the formula)


def haversine_m(lat1: np.ndarray | float, lon1: np.ndarray | float,
                lat2: np.ndarray | float, lon2: np.ndarray | float) -> np.ndarray:
    """Haversine distance in metres between points given in degrees (numpy broadcasting)."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0))))


def __getattr__(name: str) -> Any:
    """`haversine_scalar` (the numba twin of `haversine_m`) now lives in `kernels`."""
    if name == "haversine_scalar":
        from app.routing.kernels import haversine_scalar

        return haversine_scalar
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
