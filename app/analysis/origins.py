"""The origins rule: which postcode centroids stand for the residents of an LSOA."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ALL_ORIGINS = 0  # max_per_area = 0: every postcode of the area is an origin
DEFAULT_MAX_ORIGINS = ALL_ORIGINS


@dataclass(frozen=True)
class Origins:
    """Origin points grouped by area; `weight` sums to 1 within each area."""

    area_codes: np.ndarray  # U: the area (LSOA) of each origin
    postcodes: np.ndarray  # U: the postcode each origin is the centroid of
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    weight: np.ndarray  # float64, share of the area's residents this origin stands for

    def __len__(self) -> int:
        return len(self.lat)


def _hash_key(postcode: str) -> str:
    """A stable pseudo-random sort key: order by hash spreads the sample over the area."""
    return hashlib.sha256(postcode.encode()).hexdigest()


def sample_origins(area_codes: Sequence[str], postcodes: Sequence[str], lat: Sequence[float],
                   lon: Sequence[float], max_per_area: int = DEFAULT_MAX_ORIGINS) -> Origins:
    """Every postcode centroid of an area (max_per_area = 0, the default) or a hash sample.

    With max_per_area >= 1, an area with more postcodes keeps the `max_per_area` with the
    smallest SHA-256 of the postcode (spaces removed, upper case): deterministic,
    independent of input order and unrelated to geography, so it spreads across the area
    like a random sample would. Each chosen origin weighs 1/n of its area.
    """
    if max_per_area < 0:
        raise ValueError("max_per_area must be >= 0 (0 = every postcode)")
    groups: dict[str, list[tuple[str, str, float, float]]] = {}
    for a, p, la, lo in zip(area_codes, postcodes, lat, lon, strict=True):
        norm = p.replace(" ", "").upper()
        groups.setdefault(a, []).append((_hash_key(norm), norm, float(la), float(lo)))
    out_a: list[str] = []
    out_p: list[str] = []
    out_lat: list[float] = []
    out_lon: list[float] = []
    out_w: list[float] = []
    for area in sorted(groups):
        chosen = sorted(groups[area])
        if max_per_area:
            chosen = chosen[:max_per_area]
        chosen.sort(key=lambda r: r[1])  # report in postcode order
        for _, pcd, la, lo in chosen:
            out_a.append(area)
            out_p.append(pcd)
            out_lat.append(la)
            out_lon.append(lo)
            out_w.append(1.0 / len(chosen))
    return Origins(np.array(out_a, dtype=str), np.array(out_p, dtype=str),
                   np.array(out_lat, dtype=np.float64), np.array(out_lon, dtype=np.float64),
                   np.array(out_w, dtype=np.float64))
