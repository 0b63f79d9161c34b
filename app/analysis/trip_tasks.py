"""The gap batch's units of work, pure enough to run on any Dask worker (or in process).

Two kinds of task per service date, both computed with the engine's venue-side round
trip (`app.routing.roundtrip_venue`):

- `search_task`: the two venue searches of a group of sessions (whole venues, so no
  search is repeated), with the "free with a bus pass" mask applied on the worker;
- `area_task`: the round-trip minutes from one part of the origins (whole LSOAs of one
  district) to every session of the date, from the searches' per-stop times.

A worker never receives a timetable through the scheduler: a `TimetableRef` names the
compiled file in the shared cache (a local path or any fsspec URL), and the worker maps it
once per process (copy-on-write memory map, shared between processes on one machine).
Every origin's answer depends only on its own access stops, so any partition of the
origins gives the same numbers as one in-process pass.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.osmwalk.graph import PedestrianGraph
from app.osmwalk.walker import OsmWalker
from app.routing.cache import TimetableCache
from app.routing.raptor import QueryParams, Router
from app.routing.roundtrip_venue import (
    origin_access,
    session_direct_walks,
    session_minutes,
    session_searches,
)
from app.routing.venue_session import VenueSession
from app.routing.walk import CrowFlyWalker, Walker

# (sessions, latest, earliest) -> (latest, earliest) kept only where the trip is free
SearchMask = Callable[[Sequence[VenueSession], np.ndarray, np.ndarray],
                      tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class TimetableRef:
    """Where a worker finds one date's compiled timetable and walking graph.

    `cache_url` is the cache folder (a path or fsspec URL); `timetable` and `graph` are
    paths inside it (graph None: crow-fly walking, as the in-process router uses).
    """

    cache_url: str
    timetable: str  # e.g. "timetables/<key>.npz"
    graph: str | None = None  # e.g. "osm/pedestrian-<sha>.npz"


@dataclass(frozen=True)
class SearchPart:
    """Per-stop times of a group of sessions: every trip, and trips free with the pass."""

    latest: np.ndarray  # (sessions x stops) int64
    earliest: np.ndarray
    free_latest: np.ndarray
    free_earliest: np.ndarray
    worker: str
    seconds: float


@dataclass(frozen=True)
class AreaPart:
    """Leg minutes from one part of the origins to every session of a date."""

    origins: np.ndarray  # int64 indices into the run's origins
    out: np.ndarray  # (origins x sessions) float64 minutes, inf = impossible
    back: np.ndarray
    free_out: np.ndarray
    free_back: np.ndarray
    worker: str
    seconds: float


def worker_name() -> str:
    """host:pid of the process running a task (for per-worker throughput)."""
    return f"{socket.gethostname()}:{os.getpid()}"


_ROUTERS: dict[TimetableRef, Router] = {}
_ROUTERS_LOCK = threading.Lock()  # a threaded worker runs several tasks at once


def register_router(ref: TimetableRef, router: Router) -> None:
    """Use an already built router for a ref in this process (the in-process path)."""
    with _ROUTERS_LOCK:
        _ROUTERS[ref] = router


def _is_local(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def _local_copy(url: str, rel: str) -> Path:
    """A local file for `rel` under the cache URL: the file itself, or a fetched copy."""
    if _is_local(url):
        return Path(url.removeprefix("file://")) / rel
    import fsspec  # only remote caches need it

    # Files are named by content hash, so a copy fetched once stays right.
    dest = Path(tempfile.gettempdir()) / "within-reach-worker" / rel
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(f"{dest.name}.{os.getpid()}.part")
        with fsspec.open(f"{url.rstrip('/')}/{rel}", "rb") as src, open(part, "wb") as out:
            shutil.copyfileobj(src, out, length=1 << 22)
        os.replace(part, dest)
    return dest


def load_router(ref: TimetableRef) -> Router:
    """The engine router of a ref, mapped from the cache once per process."""
    with _ROUTERS_LOCK:
        hit = _ROUTERS.get(ref)
        if hit is not None:
            return hit
        path = _local_copy(ref.cache_url, ref.timetable)
        # A compiled date is two files: the arrays (.npz) and the ids and names (.names).
        _local_copy(ref.cache_url, ref.timetable.removesuffix(".npz") + ".names")
        tt = TimetableCache(path.parent).load(path.stem)
        if tt is None:
            raise FileNotFoundError(f"no compiled timetable at {ref.cache_url}/{ref.timetable}")
        walker: Walker
        if ref.graph is None:
            walker = CrowFlyWalker(tt.stop_lat, tt.stop_lon)
        else:
            graph = PedestrianGraph.load(_local_copy(ref.cache_url, ref.graph))
            walker = OsmWalker(graph, tt.stop_lat, tt.stop_lon)
        router = Router(tt, walker)
        _ROUTERS[ref] = router
        return router


def search_task(ref: TimetableRef, sessions: Sequence[VenueSession], query: QueryParams,
                buffer_s: int, free_mask: SearchMask) -> SearchPart:
    """The venue searches of some sessions on the ref's date, with the free-pass view."""
    t0 = time.perf_counter()
    router = load_router(ref)
    latest, earliest = session_searches(router, sessions, query, buffer_s)
    f_lat, f_ear = free_mask(sessions, latest, earliest)
    return SearchPart(latest, earliest, f_lat, f_ear, worker_name(), time.perf_counter() - t0)


def area_task(ref: TimetableRef, origins: np.ndarray, lat: np.ndarray, lon: np.ndarray,
              sessions: Sequence[VenueSession], query: QueryParams, buffer_s: int,
              searches: Sequence[SearchPart]) -> AreaPart:
    """Leg minutes from some origins to every session of the date (searches in order)."""
    t0 = time.perf_counter()
    router = load_router(ref)
    latest = np.concatenate([s.latest for s in searches])
    earliest = np.concatenate([s.earliest for s in searches])
    f_lat = np.concatenate([s.free_latest for s in searches])
    f_ear = np.concatenate([s.free_earliest for s in searches])
    access = origin_access(router, lat, lon, query)
    direct = session_direct_walks(router, sessions, lat, lon, query)
    out, back = session_minutes(sessions, latest, earliest, access, direct, buffer_s)
    free_out, free_back = session_minutes(sessions, f_lat, f_ear, access, direct, buffer_s)
    return AreaPart(origins, out, back, free_out, free_back, worker_name(),
                    time.perf_counter() - t0)


def venue_groups(sessions: Sequence[VenueSession], n_groups: int) -> list[list[int]]:
    """Session indices in up to n_groups groups of whole venues, balanced by count.

    A venue's sessions stay together so its searches are shared; groups keep the input
    order inside them, and the concatenated groups are a permutation the caller undoes.
    """
    by_venue: dict[tuple[float, float], list[int]] = {}
    for k, s in enumerate(sessions):
        by_venue.setdefault((s.lat, s.lon), []).append(k)
    groups: list[list[int]] = [[] for _ in range(max(1, min(n_groups, len(by_venue))))]
    # Largest venues first onto the smallest group: a greedy balance, deterministic.
    for idx in sorted(by_venue.values(), key=lambda v: (-len(v), v[0])):
        min(groups, key=len).extend(idx)
    return [sorted(g) for g in groups if g]


def area_parts(area_of_origin: np.ndarray, district_of_area: Sequence[str],
               max_origins: int) -> list[np.ndarray]:
    """Origin indices in parts: whole areas of one district, about max_origins each.

    Origins are expected grouped by area (as the origins rule returns them); a part never
    splits an area, and never mixes districts, so a part is a piece of the map.
    """
    by_district: dict[str, list[int]] = {}
    areas, first = np.unique(area_of_origin, return_index=True)
    for a in areas[np.argsort(first)].tolist():
        by_district.setdefault(district_of_area[int(a)], []).append(int(a))
    order = np.argsort(area_of_origin, kind="stable")
    bounds = np.searchsorted(area_of_origin[order], np.arange(len(district_of_area) + 1))
    parts: list[np.ndarray] = []
    for district in sorted(by_district):
        current: list[np.ndarray] = []
        size = 0
        for a in by_district[district]:
            idx = order[bounds[a]:bounds[a + 1]]
            if size and size + len(idx) > max_origins:
                parts.append(np.concatenate(current))
                current, size = [], 0
            current.append(idx)
            size += len(idx)
        if current:
            parts.append(np.concatenate(current))
    return parts
