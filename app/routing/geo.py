"""Great-circle distance, the one distance formula the whole engine uses."""

from __future__ import annotations

import math

import numba as nb
import numpy as np

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius; fixed so every figure is comparable


def haversine_m(lat1: np.ndarray | float, lon1: np.ndarray | float,
                lat2: np.ndarray | float, lon2: np.ndarray | float) -> np.ndarray:
    """Haversine distance in metres between points given in degrees (numpy broadcasting)."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0))))


@nb.njit(cache=True)
def haversine_scalar(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres for one pair (numba, same formula as `haversine_m`)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2.0) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(a, 1.0)))
