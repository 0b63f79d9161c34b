"""The gap batch: route and reduce every band by parts of the map, then store the run.

`run_batch` is the public entry (`ingest gaps` and `bench` call it). The same tasks
(`app.analysis.trip_tasks`) run in this process ('inline') or on Dask: sparse venue
searches per group of venues and date, one stop-major index per date, then per part of
the map (whole LSOAs of one district) pass 1 (legs to the reachable sessions, reduced to
per-LSOA values and E2SFCA demand) and pass 2 (E2SFCA scores). Workers map the compiled
timetables from the shared cache path; only this process reads the database and writes
the results, in one transaction.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection
from tqdm import tqdm

from app.analysis.bands import BAND_NAMES
from app.analysis.gap_parts import ratios_of
from app.analysis.trip_tasks import (
    TimetableRef,
    area_parts,
    index_stats,
    index_task,
    part_task,
    register_router,
    score_task,
    search_task,
    summary_of,
    venue_groups,
)
from app.errors import InvalidInput
from app.osmwalk.graph import graph_path
from app.osmwalk.walker import OsmWalker
from app.routing.roundtrip_venue import capped
from app.routing.venue_session import VenueSession
from app.services.gaps.assemble import band_results, run_spec, summed_demand, with_free_from
from app.services.gaps.compute import (
    BUFFER_S,
    BandResult,
    Context,
    GapParams,
    area_need_rows,
    band_slots,
    build_context,
)
from app.services.gaps.free_pass import FreeRule, fare_model
from app.services.gaps.heap import results_held
from app.services.gaps.store import current_bands, data_versions, save_matrices, save_run
from app.services.transit.router import timetable_file
from app.settings import get_settings

if TYPE_CHECKING:
    from distributed import Client, LocalCluster
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
    from distributed import Client

    if scheduler == LOCAL:
        n = workers or get_settings().gaps_workers or os.cpu_count() or 1
        # Straight from the workers (all on loopback): by default a client's results go
        # through the scheduler, which here is this process too, so every summary of a part
        # was read, written and read again in this process.
        with (local_cluster(n, dashboard="127.0.0.1:0") as cluster,
              Client(cluster, direct_to_workers=True) as client):
            yield client
    else:
        with Client(scheduler, timeout="30s") as client:
            yield client


# Dask's nannies give every worker MALLOC_TRIM_THRESHOLD_=65536, so glibc hands freed memory
# back at once and stops raising its mmap threshold: each temporary array over 128 KiB is a
# fresh mmap whose pages fault in again. The part tasks allocate many (origins x sessions)
# temporaries, and ran 1.8x slower in a worker process than in this one (68.8 against 35.3 s
# at s = 0.25). Unset, glibc keeps its default, as in every other process of the app; a
# worker's memory stays bounded by one part of the map.
WORKER_ENVIRON = {"MALLOC_TRIM_THRESHOLD_": None}


@contextmanager
def local_cluster(n_workers: int, dashboard: str | None = None) -> Iterator[LocalCluster]:
    """A LocalCluster of single-threaded worker processes on loopback, random ports."""
    import dask
    from distributed import LocalCluster

    # Loopback and random ports (the HTTP status server too): nothing is exposed and
    # nothing collides with another cluster or service.
    env = {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in WORKER_ENVIRON.items()}
    with dask.config.set(env), LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            scheduler_port=0, dashboard_address=dashboard,
            silence_logs=logging.ERROR) as cluster:
        yield cluster


@dataclass
class WorkerLoad:
    """What one worker did: tasks, origins routed (origin x date) and busy seconds."""

    tasks: int = 0
    origins: int = 0
    area_seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the part tasks (area_seconds minus waiting)
    searches: int = 0
    search_seconds: float = 0.0
    index_seconds: float = 0.0  # building the dates' stop-major search indexes
    score_seconds: float = 0.0  # pass 2 (E2SFCA scores), included in area_seconds
    state_bytes: int = 0  # largest pass-2 state of one part held on this worker
    rss_mib: float = 0.0  # the worker process's peak resident memory

    @property
    def origins_per_s(self) -> float:
        """Origins per second of area work on this worker."""
        return self.origins / self.area_seconds if self.area_seconds > 0 else 0.0


@dataclass
class BatchStats:
    """How the routing of a run went: where, how many tasks, and each worker's load."""

    scheduler: str
    tasks: int = 0
    seconds: float = 0.0  # routing and reduction, from a ready cluster
    start_seconds: float = 0.0  # starting or connecting to the cluster
    client_cpu_seconds: float = 0.0  # this process's CPU during the run (all its threads)
    index_bytes: list[int] = field(default_factory=list)  # each date's search index
    workers: dict[str, WorkerLoad] = field(default_factory=dict)
    # (phase, wall s, this process's CPU s), in order: where the run's time went
    phases: list[tuple[str, float, float]] = field(default_factory=list)
    _mark: tuple[float, float] = (0.0, 0.0)

    def phase(self, name: str | None = None) -> None:
        """End the current phase as `name` (None: only start timing from now)."""
        now = (time.perf_counter(), time.process_time())
        if name is not None:
            self.phases.append((name, now[0] - self._mark[0], now[1] - self._mark[1]))
        self._mark = now

    def rates(self) -> str:
        """Origins per second of every worker so far (progress bar text)."""
        rates = [f"{w.origins_per_s:,.0f}" for _, w in sorted(self.workers.items())
                 if w.area_seconds]
        return f"{', '.join(rates)} origins/s per worker" if rates else ""

    def lines(self) -> list[str]:
        """The summary printed at the end of `ingest gaps`."""
        if not self.workers:
            return [f"routing: {self.scheduler}, {self.seconds:.1f} s"]
        start = f" (+ {self.start_seconds:.1f} s to start it)" if self.start_seconds else ""
        total = sum(w.origins for w in self.workers.values())
        out = [f"routing: {self.scheduler}, {self.tasks} tasks on {len(self.workers)} "
               f"workers, {self.seconds:.1f} s{start}, client CPU "
               f"{self.client_cpu_seconds:.1f} s, "
               f"{total / max(self.seconds, 1e-9):,.0f} "
               "origins/s overall (origin x date); search index per date "
               f"{max(self.index_bytes, default=0) / 2**20:,.1f} MiB at most"]
        if self.phases:
            out.append("  phases (wall / this process's CPU): " + "; ".join(
                f"{n} {w:.1f}/{c:.1f} s" for n, w, c in self.phases))
        for name, w in sorted(self.workers.items()):
            out.append(f"  worker {name}: {w.tasks} tasks, {w.searches} venue searches in "
                       f"{w.search_seconds:.1f} s, indexes {w.index_seconds:.1f} s, "
                       f"{w.origins:,} origins in "
                       f"{w.area_seconds:.1f} s ({w.cpu_seconds:.1f} s CPU; scores "
                       f"{w.score_seconds:.1f} s) = "
                       f"{w.origins_per_s:,.0f} origins/s "
                       f"(peak RSS {w.rss_mib:,.0f} MiB, largest part state "
                       f"{w.state_bytes / 2**20:,.1f} MiB)")
        return out


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


class Runner:
    """Runs the batch's tasks in this process, eagerly: the same code as on Dask."""

    def __init__(self, ctx: Context, conn: Connection) -> None:
        self.ctx, self.conn = ctx, conn

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run fn now; its value stands for the future."""
        return fn(*args)

    def share(self, value: Any) -> Any:
        """A value every task reads (on Dask: scattered once to every worker)."""
        return value

    def gather(self, handles: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """(position, value) of every handle, as they finish."""
        yield from enumerate(handles)

    def release(self, handles: Sequence[Any]) -> None:
        """Let go of results no longer needed."""

    def workers(self) -> int:
        """Worker processes (1 in process)."""
        return 1

    def by_holder(self, handles: Sequence[Any]) -> list[list[int]]:
        """Positions of handles grouped by the worker holding each result (in process: one)."""
        return [list(range(len(handles)))] if handles else []

    def ref(self, wd: int) -> TimetableRef:
        """The weekday's timetable for the tasks (in process: the already built router)."""
        ref = timetable_ref(self.conn, self.ctx, wd)
        register_router(ref, self.ctx.router(self.conn, self.ctx.week[wd]))
        return ref


class DaskRunner(Runner):
    """Runs the batch's tasks on a Dask cluster; only small results come back."""

    def __init__(self, ctx: Context, conn: Connection, client: Client) -> None:
        super().__init__(ctx, conn)
        self.client = client

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """A future of fn(*args) on the cluster (futures among args resolve there)."""
        return self.client.submit(fn, *args, pure=False)

    def share(self, value: Any) -> Any:
        """Scattered to every worker once, not shipped with every task."""
        return self.client.scatter(value, broadcast=True, hash=False)

    def gather(self, handles: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """(position, value) of every future as it finishes."""
        from distributed import as_completed

        where = {f.key: i for i, f in enumerate(handles)}
        for fut in as_completed(list(handles)):
            yield where[fut.key], fut.result()

    def release(self, handles: Sequence[Any]) -> None:
        """Release futures (their data leaves the workers' memory)."""
        for f in handles:
            f.release()

    def workers(self) -> int:
        """Workers connected to the scheduler."""
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def by_holder(self, handles: Sequence[Any]) -> list[list[int]]:
        """Positions of finished futures grouped by the first worker holding each."""
        who = self.client.who_has(list(handles))
        groups: dict[str, list[int]] = {}
        for i, f in enumerate(handles):
            held = who.get(f.key) or ("",)  # lost: any worker recomputes it
            groups.setdefault(sorted(held)[0], []).append(i)
        return [groups[w] for w in sorted(groups)]

    def ref(self, wd: int) -> TimetableRef:
        """The weekday's timetable, published to the cache the workers read."""
        return timetable_ref(self.conn, self.ctx, wd)


def keep_matrices(ctx: Context, bands: Sequence[str]) -> bool:
    """Whether this run keeps the what-if matrices: origins x sessions within the setting."""
    cells = max((len(ctx.origins) * len(band_slots(ctx, b)) for b in bands), default=0)
    return cells <= get_settings().gaps_whatif_max_cells


def parted_run(runner: Runner, ctx: Context, bands: Sequence[str], stats: BatchStats,
               show: bool) -> list[BandResult]:
    """Every band of the run by parts of the map: searches, pass 1, E2SFCA ratios, pass 2.

    Memory is bounded by a part: the searches are sparse and capped at the largest budget,
    a part routes only the sessions it can reach, and only per-LSOA values come back.
    """
    stats.phase()
    run, slots = run_spec(ctx, bands, keep_matrices(ctx, bands))
    query = capped(ctx.query, run.max_budget)
    parts = area_parts(ctx.origin_area, ctx.areas.lad_codes,
                       get_settings().gaps_partition_origins)
    n_workers = runner.workers()
    model = fare_model()
    free_from: dict[int, str | None] = {}
    days: list[tuple[TimetableRef, Any, np.ndarray]] = []
    n_searches = 0
    for wd in sorted({s.weekday for s in slots}):
        cols = [k for k, s in enumerate(slots) if s.weekday == wd]
        ref = runner.ref(wd)
        sessions = [VenueSession(slots[k].lat, slots[k].lon, ctx.week[wd], slots[k].start_s,
                                 slots[k].end_s) for k in cols]
        rule = FreeRule(model, ctx.week[wd])
        free_from[wd] = rule.free_from()
        groups = venue_groups(sessions, 2 * n_workers)
        order = [k for g in groups for k in g]
        n_searches += len(groups)
        searches = [runner.submit(search_task, ref, [sessions[k] for k in g], query,
                                  BUFFER_S, rule.free) for g in groups]
        index = runner.submit(index_task, ref, searches, [sessions[k] for k in order])
        days.append((ref, index, np.array([cols[k] for k in order], dtype=np.int64)))
    run = with_free_from(run, slots, free_from)  # the parts write their details whole
    shared = runner.share(run)
    lat, lon, w = ctx.origins.lat, ctx.origins.lon, ctx.origins.weight
    outs, sums = [], []
    for i, idx in enumerate(parts):
        area_ids, area_local = np.unique(ctx.origin_area[idx], return_inverse=True)
        outs.append(runner.submit(part_task, i, days, lat[idx], lon[idx], area_ids,
                                  area_local.astype(np.int64), w[idx], query, BUFFER_S,
                                  shared))
        # Submitted right after its part, a summary outranks the next part, so summaries
        # reach the client while the parts run, not all at once after the last one.
        sums.append(runner.submit(summary_of, outs[-1]))
    stats.phase("submit")
    stats.tasks += n_searches + len(days) + 2 * len(parts)  # searches, indexes, parts, sums
    summaries: list[Any] = [None] * len(parts)
    with results_held() as keep:  # the summaries, the scores and the assembly
        with tqdm(total=2 * len(parts), unit="part", desc="gaps", disable=not show) as bar:
            first = True
            for i, s in runner.gather(sums):
                if first:  # until then: the venue searches, the indexes and the first part
                    stats.phase("to first part")
                    first = False
                summaries[i] = s
                keep()  # held to the end and acyclic: no full collection need walk it again
                load = stats.workers.setdefault(s.worker, WorkerLoad())
                load.tasks += 1
                load.origins += s.origins
                load.area_seconds += s.seconds
                load.cpu_seconds += s.cpu_seconds
                load.state_bytes = max(load.state_bytes, s.state_bytes)
                load.rss_mib = max(load.rss_mib, s.rss_mib)
                bar.update(1)
                bar.set_postfix_str(stats.rates())
            stats.phase("pass 1")
            ratios = runner.share(ratios_of(run, summed_demand(run, [s.metrics
                                                                     for s in summaries])))
            stats.phase("ratios")
            scores: list[Any] = [None] * len(parts)
            # One task per worker over the parts it holds: nothing to steal, nothing to move.
            held = runner.by_holder(outs)
            stats.tasks += len(held)
            for g, batch in runner.gather([runner.submit(score_task, [outs[i] for i in group],
                                                         shared, ratios) for group in held]):
                for i, sc in zip(held[g], batch, strict=True):
                    scores[i] = sc
                    load = stats.workers.setdefault(sc.worker, WorkerLoad())
                    load.area_seconds += sc.seconds
                    load.score_seconds += sc.seconds
                    load.cpu_seconds += sc.cpu_seconds
                stats.workers[batch[0].worker].tasks += 1
                bar.update(len(batch))
        stats.phase("pass 2")
        for _, (found, nbytes, built_by, built_s) in runner.gather(
                [runner.submit(index_stats, day) for _, day, _ in days]):
            stats.index_bytes.append(nbytes)
            builder = stats.workers.setdefault(built_by, WorkerLoad())
            builder.index_seconds += built_s
            for name, secs, n in found:
                load = stats.workers.setdefault(name, WorkerLoad())
                load.tasks += 1
                load.searches += n
                load.search_seconds += secs
        runner.release([*outs, *sums])
        keep()
        results = band_results(ctx, run, slots, parts, summaries, scores)
    stats.phase("assemble")
    return results


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
        if todo:
            with dask_client(chosen, workers) as client:
                runner = Runner(ctx, conn) if client is None else DaskRunner(ctx, conn, client)
                stats.scheduler = (chosen if client is None
                                   else f"{chosen} ({runner.workers()} workers)")
                t0 = time.perf_counter()
                stats.start_seconds = t0 - t_route
                c0 = time.process_time()
                results = parted_run(runner, ctx, todo, stats, progress)
                stats.seconds = time.perf_counter() - t0
                stats.client_cpu_seconds = time.process_time() - c0
                # the bands are routed and reduced together: each gets the run's time
                timings = dict.fromkeys(todo, time.perf_counter() - t0)
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
