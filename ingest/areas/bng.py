"""British National Grid (EPSG:27700) <-> WGS84 (EPSG:4326), vectorised with pyproj."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
from pyproj import Transformer

# Generous bounds of the National Grid over Great Britain and its islands (metres).
MAX_EASTING = 700_000
MAX_NORTHING = 1_300_000


@lru_cache(maxsize=2)
def _transformer(inverse: bool) -> Transformer:
    src, dst = (4326, 27700) if inverse else (27700, 4326)
    return Transformer.from_crs(src, dst, always_xy=True)


def to_lonlat(eastings: npt.ArrayLike, northings: npt.ArrayLike
              ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Convert arrays of eastings/northings (metres) to longitudes/latitudes (degrees)."""
    e = np.asarray(eastings, dtype=np.float64)
    n = np.asarray(northings, dtype=np.float64)
    lon, lat = _transformer(False).transform(e, n)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def to_bng(lons: npt.ArrayLike, lats: npt.ArrayLike
           ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Convert arrays of longitudes/latitudes to eastings/northings (used by the sample region)."""
    e, n = _transformer(True).transform(np.asarray(lons, dtype=np.float64),
                                        np.asarray(lats, dtype=np.float64))
    return np.asarray(e, dtype=np.float64), np.asarray(n, dtype=np.float64)
