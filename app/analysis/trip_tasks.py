"""The gap batch's units of work, pure enough to run on any Dask worker (or in process).

Per service date of the run:

- `search_task`: the venue searches of a group of sessions (whole venues, so no search
  is repeated), capped at the largest budget and kept sparse (reached stops only), with
  the "free with a bus pass" entries marked on the worker;
- `index_task`: the date's searches turned stop-major once, for every part of the map.

Per part of the map (whole LSOAs of one district), over every date:

- `part_task` (pass 1): the legs from the part's origins to the sessions that can be
  reached from it, reduced at once to per-LSOA measures, E2SFCA demand and details; the
  client gathers only `summary_of` it (no origins x sessions matrix leaves the worker);
- `score_task` (pass 2): E2SFCA per LSOA from the ratios of the summed demand, for
  the parts one worker holds.

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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from app.analysis.gap_parts import (
    Key,
    PartLegs,
    PartMetrics,
    PartState,
    RunSpec,
    pack_arrays,
    packed_rows,
    part_metrics,
    part_scores,
    stacked,
    unpack_arrays,
)
from app.osmwalk.graph import PedestrianGraph
from app.osmwalk.walker import OsmWalker
from app.routing.cache import TimetableCache
from app.routing.raptor import QueryParams, Router
from app.routing.roundtrip_venue import (
    SearchLists,
    VenueSearches,
    candidate_sessions,
    direct_walks,
    origin_access,
    part_round_trips,
    sparse_searches,
    stop_index,
    walk_reach_m,
)
from app.routing.venue_session import VenueSession
from app.routing.walk import CrowFlyWalker, Walker

# (first boarding, last boarding) service seconds -> True where the journey is free
FreeRuleFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


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
    """The sparse venue searches of a group of sessions (reverse and forward)."""

    rev: SearchLists
    fwd: SearchLists
    rev_of: np.ndarray  # int32 per session, into rev
    fwd_of: np.ndarray
    worker: str
    seconds: float
    searches: int


@dataclass(frozen=True)
class DayIndex:
    """One date's searches, stop-major, and who ran them (worker, seconds, searches)."""

    searches: VenueSearches
    search_stats: list[tuple[str, float, int]]
    worker: str
    seconds: float


@dataclass
class PartSummary:
    """What the client gathers of a part after pass 1 (small: per-LSOA values)."""

    part: int
    area_ids: np.ndarray  # the part's LSOAs (global indices)
    metrics: PartMetrics
    worker: str
    seconds: float
    origins: int  # origins x dates routed
    sessions: int  # candidate sessions kept, summed over dates
    state_bytes: int  # what the part keeps on its worker for pass 2
    rss_mib: float  # the worker process's peak resident memory so far
    cpu_seconds: float  # CPU time of the task's thread (wall seconds minus waiting)


@dataclass
class PartOut:
    """A part after pass 1: the summary and the state pass 2 needs (stays on the worker)."""

    summary: PartSummary
    state: PartState


@dataclass
class PartScores:
    """A part after pass 2: E2SFCA per LSOA for every key."""

    part: int
    values: dict[tuple[str, str, int, str, str], np.ndarray]
    worker: str
    seconds: float
    cpu_seconds: float

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with the per-LSOA scores in one buffer (see `pack_arrays`)."""
        kept = {k: v for k, v in self.__dict__.items() if k != "_rows"}  # rebuilt on arrival
        return {**kept, "values": pack_arrays(self.values)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """The scores unpacked into the same dict (and kept as rows, `score_rows`)."""
        self.__dict__.update({**state, "values": unpack_arrays(state["values"])})
        self._rows = packed_rows(state["values"])

    def score_rows(self, order: Sequence[tuple[str, str, int, str, str]]) -> np.ndarray:
        """The scores of each key of order, as rows of one matrix."""
        return stacked(self.values, getattr(self, "_rows", None), order)


def peak_rss_mib() -> float:
    """Peak resident memory of this process (MiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
                buffer_s: int, free: FreeRuleFn | None) -> SearchPart:
    """The sparse venue searches of some sessions on the ref's date, free entries marked."""
    t0 = time.perf_counter()
    router = load_router(ref)
    rev, fwd, rev_of, fwd_of, rev_t, fwd_t = sparse_searches(router, sessions, query, buffer_s)
    if free is not None:
        # Outward: first boarding at the stop, last before the deadline S - b; return:
        # first boarding after E + b, last before the arrival at the stop (free_searches).
        t_r = np.repeat(np.asarray(rev_t, np.int64), np.diff(rev.ptr))
        t_f = np.repeat(np.asarray(fwd_t, np.int64), np.diff(fwd.ptr))
        rev = replace(rev, free=np.asarray(free(rev.time, t_r), dtype=bool))
        fwd = replace(fwd, free=np.asarray(free(t_f, fwd.time), dtype=bool))
    return SearchPart(rev, fwd, rev_of, fwd_of, worker_name(), time.perf_counter() - t0,
                      len(rev_t) + len(fwd_t))


def index_task(ref: TimetableRef, parts: Sequence[SearchPart],
               sessions: Sequence[VenueSession]) -> DayIndex:
    """One date's searches, stop-major, for every part of the map (built once per date).

    `sessions` are the groups' sessions concatenated in group order.
    """
    t0 = time.perf_counter()
    n_stops = load_router(ref).tt.n_stops
    rev_of, fwd_of = [], []
    n_rev = n_fwd = 0
    for p in parts:
        rev_of.append(p.rev_of + n_rev)
        fwd_of.append(p.fwd_of + n_fwd)
        n_rev += len(p.rev.ptr) - 1
        n_fwd += len(p.fwd.ptr) - 1
    vs = VenueSearches(
        stop_index([p.rev for p in parts], n_stops), stop_index([p.fwd for p in parts], n_stops),
        np.concatenate(rev_of).astype(np.int32), np.concatenate(fwd_of).astype(np.int32),
        np.array([s.start_s for s in sessions], np.int64),
        np.array([s.end_s for s in sessions], np.int64),
        np.array([s.lat for s in sessions], np.float64),
        np.array([s.lon for s in sessions], np.float64), n_rev, n_fwd)
    stats = [(p.worker, p.seconds, p.searches) for p in parts]
    return DayIndex(vs, stats, worker_name(), time.perf_counter() - t0)


def index_stats(day: DayIndex) -> tuple[list[tuple[str, float, int]], int, str, float]:
    """Who ran a date's searches, the bytes of its stop-major index, who built it and how long."""
    return day.search_stats, day.searches.nbytes, day.worker, day.seconds


def _band_positions(run: RunSpec) -> tuple[np.ndarray, np.ndarray]:
    """Per run slot: its band's number and its position among the band's sessions."""
    n = max((int(b.slots.max()) + 1 for b in run.bands if len(b.slots)), default=0)
    band = np.full(n, -1, np.int64)
    pos = np.full(n, -1, np.int64)
    for i, b in enumerate(run.bands):
        band[b.slots] = i
        pos[b.slots] = np.arange(len(b.slots))
    return band, pos


def part_task(part: int, days: Sequence[tuple[TimetableRef, DayIndex, np.ndarray]],
              lat: np.ndarray, lon: np.ndarray, area_ids: np.ndarray, area_local: np.ndarray,
              weight: np.ndarray, query: QueryParams, buffer_s: int, run: RunSpec) -> PartOut:
    """Pass 1 for one part of the map over every date: legs, then per-LSOA reductions.

    days: (timetable, that date's search index, run slot of each of its sessions).
    Only the sessions reachable from the part are routed (`candidate_sessions`), and
    those whose legs are all beyond the largest budget are dropped before the metrics.
    """
    t0, c0 = time.perf_counter(), time.thread_time()
    max_b = float(run.max_budget)
    slot_band, slot_pos = _band_positions(run)
    pieces: dict[int, list[tuple[np.ndarray, list[np.ndarray]]]] = {}
    n_cols = 0
    for ref, day, slots in days:
        router = load_router(ref)
        vs = day.searches
        access = origin_access(router, lat, lon, query)
        cand, near = candidate_sessions(vs, access, lat, lon, walk_reach_m(router, query))
        direct = direct_walks(router, lat, lon, vs.lat[cand[near]], vs.lon[cand[near]], query)
        trips = part_round_trips(vs, access, direct, cand, buffer_s, near)
        useful = np.flatnonzero(((trips.out <= max_b) | (trips.back <= max_b)).any(axis=0))
        run_slots = slots[trips.sessions[useful]]
        n_cols += len(useful)
        for i in np.unique(slot_band[run_slots]).tolist():
            mine = useful[slot_band[run_slots] == i]
            pieces.setdefault(i, []).append((
                slot_pos[slots[trips.sessions[mine]]],
                [m[:, mine] for m in (trips.out, trips.back, trips.free_out, trips.free_back)]))
    n_o = len(lat)
    legs: dict[str, PartLegs] = {}
    for i, spec in enumerate(run.bands):
        got = pieces.get(i, [])
        cols = np.concatenate([c for c, _ in got]) if got else np.zeros(0, np.int64)
        order = np.argsort(cols, kind="stable")
        mats = [np.ascontiguousarray(np.concatenate([m[j] for _, m in got], axis=1)[:, order])
                if got else np.zeros((n_o, 0)) for j in range(4)]
        legs[spec.band] = PartLegs(cols[order], *mats)
    metrics, state = part_metrics(run, legs, area_ids, area_local, weight)
    summary = PartSummary(part, area_ids, metrics, worker_name(), time.perf_counter() - t0,
                          n_o * len(days), n_cols, state.nbytes, peak_rss_mib(),
                          time.thread_time() - c0)
    return PartOut(summary, state)


def summary_of(out: PartOut) -> PartSummary:
    """The part's pass-1 results for the client (its pass-2 state stays on the worker)."""
    return out.summary


def score_task(outs: Sequence[PartOut], run: RunSpec, ratios: dict[Key, np.ndarray]
               ) -> list[PartScores]:
    """Pass 2 for parts (those one worker holds): E2SFCA per LSOA from the summed ratios.

    One task per worker, not per part: a score takes milliseconds, so per-part tasks were
    stolen by whichever worker finished pass 1 first, and fetching a part's state from a
    busy worker took far longer than scoring it there (pass 2 at s = 1: 9-12 s wall for
    3 s of work).
    """
    done = []
    for out in outs:
        t0, c0 = time.perf_counter(), time.thread_time()
        values = part_scores(run, out.state, ratios)
        done.append(PartScores(out.summary.part, values, worker_name(),
                               time.perf_counter() - t0, time.thread_time() - c0))
    return done

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
