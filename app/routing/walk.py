"""Walking model: parameters, walk times and the crow-fly Walker.

Conventions (also in docs/routing.md): walking distance = haversine x detour factor;
walk time = ceil(distance / speed) in whole seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from app.routing.errors import RoutingError
from app.routing.geo import haversine_m

DEFAULT_SPEED_KMH = 4.8
SLOW_SPEED_KMH = 3.2
MIN_SPEED_KMH = 2.0
DEFAULT_DETOUR = 1.3
DEFAULT_TRANSFER_M = 400.0
# Stored foot transfers (see `stored_transfers`) carry this number: bump it when the
# walking distance or the transfer lookup changes, and stored ones are ignored.
TRANSFER_VERSION = 1


@dataclass(frozen=True)
class WalkParams:
    """Per-query walking parameters."""

    speed_kmh: float = DEFAULT_SPEED_KMH
    max_walk_m: float = 800.0  # access and egress legs, and the direct walk
    transfer_radius_m: float = DEFAULT_TRANSFER_M  # foot transfers stop -> stop
    min_change_s: int = 0  # same-stop change: board needs dep >= arr + min_change_s

    def __post_init__(self) -> None:
        if not (self.speed_kmh >= MIN_SPEED_KMH) or not math.isfinite(self.speed_kmh):
            raise RoutingError("walk_speed_kmh", f"must be >= {MIN_SPEED_KMH} km/h")
        if not (self.max_walk_m >= 0) or not math.isfinite(self.max_walk_m):
            raise RoutingError("max_walk_m", "must be a non-negative number of metres")
        if not (self.transfer_radius_m >= 0) or not math.isfinite(self.transfer_radius_m):
            raise RoutingError("transfer_radius_m", "must be a non-negative number of metres")
        if self.min_change_s < 0:
            raise RoutingError("min_change_s", "must be >= 0")


def walk_seconds(distance_m: float, speed_kmh: float) -> int:
    """Whole seconds to walk distance_m at speed_kmh: ceil(distance / speed)."""
    # The 1e-9 s tolerance keeps float noise (e.g. 299.99999999999997 vs 300) from adding 1 s.
    return math.ceil(distance_m * 3.6 / speed_kmh - 1e-9)


def walk_seconds_array(distance_m: np.ndarray, speed_kmh: float) -> np.ndarray:
    """Vectorised `walk_seconds` (int32)."""
    d = np.asarray(distance_m, dtype=np.float64)
    return np.ceil(d * 3.6 / speed_kmh - 1e-9).astype(np.int32)


class Walker(Protocol):
    """Walking distances between points and stops; distances are walking metres."""

    def access(self, lat: float, lon: float, max_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Stops within max_m walking of the point: (stop indices int32, metres float64)."""
        ...

    def egress(self, lat: float, lon: float, max_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Stops from which the point is within max_m walking: (stop indices, metres)."""
        ...

    def access_many(self, lats: np.ndarray, lons: np.ndarray,
                    max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`access` for many points as CSR: (ptr int64, stop indices int32, metres float64)."""
        ...

    def egress_many(self, lats: np.ndarray, lons: np.ndarray,
                    max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`egress` for many points as CSR: (ptr int64, stop indices int32, metres float64)."""
        ...

    def transfers(self, max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Foot transfers between distinct stops within max_m: CSR (ptr, to-stop, metres)."""
        ...

    def direct(self, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        """Walking metres from point 1 to point 2."""
        ...

    def direct_many(self, lat: float, lon: float, lats: np.ndarray,
                    lons: np.ndarray) -> np.ndarray:
        """Walking metres from one point to many points (float64 array)."""
        ...


class CrowFlyWalker:
    """Walker using haversine distance times a detour factor; spatial lookup by sorted latitude."""

    def __init__(self, stop_lat: np.ndarray, stop_lon: np.ndarray,
                 detour_factor: float = DEFAULT_DETOUR) -> None:
        self.lat = np.ascontiguousarray(stop_lat, dtype=np.float64)
        self.lon = np.ascontiguousarray(stop_lon, dtype=np.float64)
        self.detour = float(detour_factor)
        self._order = np.argsort(self.lat, kind="stable").astype(np.int64)
        self._sorted_lat = self.lat[self._order]
        self._max_abs_lat = float(np.max(np.abs(self.lat))) if len(self.lat) else 0.0
        self._transfer_cache: dict[float, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def access(self, lat: float, lon: float, max_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Stops within max_m walking metres of the point, sorted by stop index."""
        # One code path with access_many, so single and batch lookups agree to the bit.
        _, idx, dist = self.access_many(np.array([lat]), np.array([lon]), max_m)
        return idx, dist

    def egress(self, lat: float, lon: float, max_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Crow-fly walking is symmetric, so egress equals access."""
        return self.access(lat, lon, max_m)

    def access_many(self, lats: np.ndarray, lons: np.ndarray,
                    max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`access` for many points as CSR arrays (numba batch lookup)."""
        from app.routing.aot import kernels

        return kernels().near_many(
            self._sorted_lat, self._order, self.lat, self.lon,
            np.ascontiguousarray(lats, dtype=np.float64),
            np.ascontiguousarray(lons, dtype=np.float64), float(max_m), self.detour,
            self._max_abs_lat)

    def egress_many(self, lats: np.ndarray, lons: np.ndarray,
                    max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Symmetric: same as `access_many`."""
        return self.access_many(lats, lons, max_m)

    def transfers(self, max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Foot transfers between distinct stops within max_m walking metres (cached)."""
        if max_m not in self._transfer_cache:
            ptr, idx, dist = self.access_many(self.lat, self.lon, max_m)
            src = np.repeat(np.arange(len(self.lat)), np.diff(ptr))
            keep = idx != src
            counts = np.bincount(src[keep], minlength=len(self.lat))
            self._transfer_cache[max_m] = (np.r_[0, np.cumsum(counts)].astype(np.int64),
                                           idx[keep].astype(np.int32), dist[keep])
        return self._transfer_cache[max_m]

    def direct(self, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        """Walking metres point to point."""
        return float(haversine_m(lat1, lon1, lat2, lon2)) * self.detour

    def direct_many(self, lat: float, lon: float, lats: np.ndarray,
                    lons: np.ndarray) -> np.ndarray:
        """Walking metres from one point to many."""
        return haversine_m(lat, lon, np.asarray(lats, float), np.asarray(lons, float)) * self.detour


def search_transfers(ptr: np.ndarray, to: np.ndarray, dist: np.ndarray,
                     transpose: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A transfer CSR in search direction (transposed for the time-mirrored search), each
    stop's transfers sorted by distance, so by walk time (the kernel stops at its limit)."""
    n = len(ptr) - 1
    src = np.repeat(np.arange(n, dtype=np.int32), np.diff(ptr))
    to = np.asarray(to, np.int32)
    if transpose:
        src, to = to, src
    order = np.lexsort((dist, src))
    counts = np.bincount(src, minlength=n)
    return np.r_[0, np.cumsum(counts)].astype(np.int64), to[order], np.asarray(dist)[order]


def stored_transfers(lat: np.ndarray, lon: np.ndarray,
                     radius: float = DEFAULT_TRANSFER_M,
                     detour: float = DEFAULT_DETOUR) -> dict[str, np.ndarray]:
    """The crow-fly foot transfers of these stops in both search directions, as arrays
    to store beside a compiled timetable (`transfers.meta` names what they were built
    with, so a reader uses them only for the same walk)."""
    ptr, to, dist = CrowFlyWalker(lat, lon, detour).transfers(radius)
    out = {"transfers.meta": np.array([TRANSFER_VERSION, radius, detour, len(lat)], np.float64)}
    for side, transpose in (("fwd", False), ("mir", True)):
        for name, arr in zip(("ptr", "to", "dist"), search_transfers(ptr, to, dist, transpose),
                             strict=True):
            out[f"transfers.{side}.{name}"] = arr
    return out


def transfers_current(arrays: dict[str, np.ndarray]) -> bool:
    """Whether stored transfer arrays are of the current `TRANSFER_VERSION`."""
    meta = arrays.get("transfers.meta")
    return meta is not None and int(meta[0]) == TRANSFER_VERSION


def adopt_stored_transfers(arrays: dict[str, np.ndarray], walker: Walker, n_stops: int,
                           radius: float, transpose: bool
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The stored transfers in that search direction if they are what `walker` would build
    for `radius` (same version, radius, crow-fly detour and stop count), else None."""
    meta = arrays.get("transfers.meta")
    if meta is None or not isinstance(walker, CrowFlyWalker):
        return None
    version, r, detour, n = (float(x) for x in meta)
    if (version, r, detour, n) != (TRANSFER_VERSION, float(radius), walker.detour, n_stops):
        return None
    side = "mir" if transpose else "fwd"
    return tuple(arrays[f"transfers.{side}.{k}"] for k in ("ptr", "to", "dist"))  # type: ignore[return-value]
