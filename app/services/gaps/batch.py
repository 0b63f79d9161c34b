"""The gap batch: route every band's round trips in process or on Dask, then store the run.

`run_batch` is the public entry (`ingest gaps` and `bench` call it). With a Dask
scheduler the origin x session round trips run as tasks (`app.analysis.trip_tasks`):
venue searches per group of venues, then one task per part of the map (whole LSOAs of
one district) and date. Workers map the compiled timetables from the shared cache
path; only this process reads the database and writes the results, in one transaction.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection
from tqdm import tqdm

from app.analysis.bands import BAND_NAMES
from app.analysis.trip_tasks import (
    AreaPart,
    SearchPart,
    TimetableRef,
    area_parts,
    area_task,
    search_task,
    venue_groups,
)
from app.errors import InvalidInput
from app.osmwalk.graph import graph_path
from app.osmwalk.walker import OsmWalker
from app.routing.venue_session import VenueSession
from app.services.gaps.compute import (
    BUFFER_S,
    BandResult,
    Context,
    GapParams,
    SlotTrips,
    area_need_rows,
    band_slots,
    build_context,
    compute_band,
)
from app.services.gaps.free_pass import FreeRule, fare_model, free_searches
from app.services.gaps.inputs import Slot
from app.services.gaps.store import current_bands, data_versions, save_matrices, save_run
from app.services.transit.router import timetable_file
from app.settings import get_settings

if TYPE_CHECKING:
    from distributed import Client
    from sqlalchemy import Engine

INLINE, LOCAL = "inline", "local"


def resolve_scheduler(choice: str | None = None) -> str:
    """'inline', 'local' or a scheduler address: the choice, else the settings.

    DASK_SCHEDULER_ADDRESS, when set, replaces the default 'local'.
    """
    s = get_settings()
    value = (choice or s.gaps_scheduler or LOCAL).strip()
    if value == LOCAL and not choice and s.dask_scheduler_address:
        value = s.dask_scheduler_address.strip()
    if value not in (INLINE, LOCAL) and "://" not in value:
        raise InvalidInput(f"scheduler must be 'inline', 'local' or an address such as "
                           f"tcp://host:8786, not {value!r}", field="scheduler")
    return value


@contextmanager
def dask_client(scheduler: str, workers: int | None = None) -> Iterator[Client | None]:
    """A Dask client for the scheduler (None for 'inline'); a LocalCluster is closed after."""
    if scheduler == INLINE:
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler == LOCAL:
        n = workers or get_settings().gaps_workers or os.cpu_count() or 1
        # Loopback and random ports (the HTTP status server too): nothing is exposed and
        # nothing collides with another cluster or service.
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          host="127.0.0.1", scheduler_port=0, dashboard_address="127.0.0.1:0",
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
    else:
        with Client(scheduler, timeout="30s") as client:
            yield client


@dataclass
class WorkerLoad:
    """What one worker did: tasks, origins routed (origin x date) and busy seconds."""

    tasks: int = 0
    origins: int = 0
    area_seconds: float = 0.0
    searches: int = 0
    search_seconds: float = 0.0

    @property
    def origins_per_s(self) -> float:
        """Origins per second of area work on this worker."""
        return self.origins / self.area_seconds if self.area_seconds > 0 else 0.0


@dataclass
class BatchStats:
    """How the routing of a run went: where, how many tasks, and each worker's load."""

    scheduler: str
    tasks: int = 0
    seconds: float = 0.0
    workers: dict[str, WorkerLoad] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The summary printed at the end of `ingest gaps`."""
        if not self.workers:
            return [f"routing: {self.scheduler}, {self.seconds:.1f} s"]
        total = sum(w.origins for w in self.workers.values())
        out = [f"routing: {self.scheduler}, {self.tasks} tasks on {len(self.workers)} "
               f"workers, {self.seconds:.1f} s, {total / max(self.seconds, 1e-9):,.0f} "
               "origins/s overall (origin x date)"]
        for name, w in sorted(self.workers.items()):
            out.append(f"  worker {name}: {w.tasks} tasks, {w.searches} venue searches in "
                       f"{w.search_seconds:.1f} s, {w.origins:,} origins in "
                       f"{w.area_seconds:.1f} s = {w.origins_per_s:,.0f} origins/s")
        return out


def free_view(rule: FreeRule, buffer_s: int, sessions: Sequence[VenueSession],
              latest: np.ndarray, earliest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The searches kept only where the trip is free with the pass (runs on workers)."""
    return free_searches(rule, latest, earliest, np.array([s.start_s for s in sessions]),
                         np.array([s.end_s for s in sessions]), buffer_s)


def publish_file(local: Path, cache_dir: Path, url: str) -> str:
    """The file's path relative to the cache, copied to a remote cache URL if needed."""
    rel = local.relative_to(cache_dir).as_posix()
    if "://" in url and not url.startswith("file://"):
        import fsspec

        fs, root = fsspec.core.url_to_fs(url)
        target = f"{root.rstrip('/')}/{rel}"
        # Names carry a content hash, so a file already there is the same file.
        if not fs.exists(target):
            fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
            fs.put_file(str(local), target)
    return rel


def timetable_ref(conn: Connection, ctx: Context, wd: int) -> TimetableRef:
    """Where workers find the timetable and walking graph of a weekday of the run."""
    s = get_settings()
    cache_dir = s.cache_dir
    url = s.dask_cache_url or str(cache_dir)
    day = ctx.week[wd]
    router = ctx.router(conn, day)
    tt_path = timetable_file(conn, day, cache_dir=cache_dir)
    tt_rel = publish_file(tt_path, cache_dir, url)
    publish_file(tt_path.with_suffix(".names"), cache_dir, url)  # the store's second file
    graph = None
    if isinstance(router.walker, OsmWalker):
        graph = publish_file(graph_path(cache_dir, router.walker.g.sha256), cache_dir, url)
    return TimetableRef(url, tt_rel, graph)


def dask_trips(client: Client, conn: Connection, ctx: Context, slots: list[Slot],
               stats: BatchStats, show: bool) -> SlotTrips:
    """Leg minutes of all slots (origins x slots) from tasks on the Dask cluster."""
    from distributed import as_completed

    n_o = len(ctx.origins)
    mats = [np.full((n_o, len(slots)), np.inf) for _ in range(4)]
    parts = area_parts(ctx.origin_area, ctx.areas.lad_codes,
                       get_settings().gaps_partition_origins)
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    lat, lon = ctx.origins.lat, ctx.origins.lon
    model = fare_model()
    free_from: dict[int, str | None] = {}
    futures: list[Any] = []
    where: dict[Any, np.ndarray] = {}  # area task key -> the slot columns of its sessions
    for wd in sorted({s.weekday for s in slots}):
        cols = [k for k, s in enumerate(slots) if s.weekday == wd]
        ref = timetable_ref(conn, ctx, wd)
        sessions = [VenueSession(slots[k].lat, slots[k].lon, ctx.week[wd], slots[k].start_s,
                                 slots[k].end_s) for k in cols]
        rule = FreeRule(model, ctx.week[wd])
        free_from[wd] = rule.free_from()
        mask = partial(free_view, rule, BUFFER_S)
        groups = venue_groups(sessions, 2 * n_workers)
        order = [k for g in groups for k in g]
        searches = [client.submit(search_task, ref, [sessions[k] for k in g], ctx.query,
                                  BUFFER_S, mask, pure=False) for g in groups]
        ordered = [sessions[k] for k in order]
        for idx in parts:
            fut = client.submit(area_task, ref, idx, lat[idx], lon[idx], ordered, ctx.query,
                                BUFFER_S, searches, pure=False)
            where[fut.key] = np.array([cols[k] for k in order], dtype=np.int64)
            futures.append(fut)
        futures.extend(searches)
    stats.tasks += len(futures)
    with tqdm(total=len(futures), unit="task", desc="gaps", disable=not show) as bar:
        for fut in as_completed(futures):
            res = fut.result()
            load = stats.workers.setdefault(res.worker, WorkerLoad())
            load.tasks += 1
            if isinstance(res, SearchPart):
                load.searches += 2 * len(res.latest)
                load.search_seconds += res.seconds
            elif isinstance(res, AreaPart):
                load.origins += len(res.origins)
                load.area_seconds += res.seconds
                rows = np.ix_(res.origins, where[fut.key])
                for m, v in zip(mats, (res.out, res.back, res.free_out, res.free_back),
                                strict=True):
                    m[rows] = v
            bar.update(1)
            rates = [f"{w.origins_per_s:,.0f}" for _, w in sorted(stats.workers.items())
                     if w.area_seconds]
            if rates:
                bar.set_postfix_str(f"{', '.join(rates)} origins/s per worker")
    return SlotTrips(mats[0], mats[1], mats[2], mats[3], free_from)


@dataclass
class Prepared:
    """A run's inputs and what is stored already (to skip unchanged bands)."""

    ctx: Context
    versions: dict[str, Any]
    stored: dict[str, dict[str, Any]]
    seconds: float


@dataclass
class BatchRun:
    """The outcome of `run_batch`."""

    ctx: Context
    results: list[BandResult]
    timings: dict[str, float]  # band -> seconds of its metrics (and routing, inline)
    routing: BatchStats
    run_id: int | None
    inputs_seconds: float
    seconds: float


def prepare(engine: Engine, params: GapParams) -> Prepared:
    """Load the run's inputs (areas, origins, week, listings) and the stored bands."""
    t0 = time.perf_counter()
    with engine.connect() as conn:
        ctx = build_context(conn, params)
        versions = data_versions(conn)
        stored = current_bands(conn)
    return Prepared(ctx, versions, stored, time.perf_counter() - t0)


def run_batch(params: GapParams, bands: Sequence[str] | None = None, *,
              scheduler: str | None = None, workers: int | None = None, store: bool = True,
              progress: bool = True, engine: Engine | None = None,
              prepared: Prepared | None = None) -> BatchRun:
    """Compute bands (default all) and, with `store`, save them as one run.

    scheduler: 'inline' (this process), 'local' (a LocalCluster of `workers` processes,
    default the setting, else one per core) or a Dask scheduler address; default from the
    settings (GAPS_SCHEDULER, DASK_SCHEDULER_ADDRESS). Results are identical either way.
    """
    from app.db import get_engine

    started = time.perf_counter()
    engine = engine or get_engine()
    prep = prepared or prepare(engine, params)
    ctx = prep.ctx
    todo = list(bands if bands is not None else BAND_NAMES)
    chosen = resolve_scheduler(scheduler)
    stats = BatchStats(chosen)
    results: list[BandResult] = []
    timings: dict[str, float] = {}
    t_route = time.perf_counter()
    with engine.connect() as conn:
        if chosen == INLINE or not todo:
            total = sum(len(band_slots(ctx, b)) for b in todo)
            with tqdm(total=total, unit="session", desc="gaps",
                      disable=not progress or not todo) as bar:
                for band in todo:
                    bar.set_postfix_str(band)
                    t0 = time.perf_counter()
                    results.append(compute_band(conn, ctx, band, bar.update))
                    timings[band] = time.perf_counter() - t0
            stats.seconds = time.perf_counter() - t_route
        else:
            slots = [s for b in todo for s in band_slots(ctx, b)]
            with dask_client(chosen, workers) as client:
                assert client is not None
                n = len(client.scheduler_info().get("workers", {}))
                stats.scheduler = f"{chosen} ({n} workers)"
                trips = dask_trips(client, conn, ctx, slots, stats, progress)
            stats.seconds = time.perf_counter() - t_route
            start = 0
            for band in todo:
                mine = band_slots(ctx, band)
                cols = list(range(start, start + len(mine)))
                start += len(mine)
                t0 = time.perf_counter()
                part = trips.columns(cols, {s.weekday for s in mine})
                results.append(compute_band(conn, ctx, band, trips=part))
                timings[band] = time.perf_counter() - t0
    def elapsed() -> float:  # the inputs' load counts, whether done here or by the caller
        return time.perf_counter() - started + (prep.seconds if prepared else 0.0)

    run_id = None
    if store and results:
        n_origins: dict[str, int] = {}
        for code in ctx.origins.area_codes.tolist():
            n_origins[code] = n_origins.get(code, 0) + 1
        with engine.begin() as conn:  # one transaction for the whole run
            run_id = save_run(conn, ctx, results, ctx.params, elapsed(),
                              area_need_rows(ctx.areas, n_origins))
        for res in results:
            save_matrices(get_settings().cache_dir, ctx, res, run_id)
    return BatchRun(ctx, results, timings, stats, run_id, prep.seconds, elapsed())
