"""One bench step per fresh process (`python -m bench.national.steps STEP WORKDIR`).

Each step prints `RESULT {json}` as its last line; the parent (`bench.national`) reads it
and takes the child's peak RSS from `os.wait4`, so every figure has its own peak memory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from app.routing import raptor_core as core
from app.routing.cache import TimetableCache
from app.routing.gtfs_reader import read_gtfs
from app.routing.raptor import QueryParams, Router
from app.routing.timetable import BuildParams, Timetable, compile_timetable
from app.routing.walk import walk_seconds_array
from bench.common import time_calls

DAY = dt.date(2026, 12, 2)  # a Wednesday in the synthetic feed's validity
H = 3600
CAP_S = 120 * 60


def gtfs_path(work: Path) -> Path:
    """The generated feed."""
    return work / "data" / "gtfs" / "england_SYNTHETIC_gtfs.zip"


def step_read(work: Path) -> dict[str, Any]:
    """read_gtfs with its validation."""
    t = time.perf_counter()
    feed, report = read_gtfs(gtfs_path(work), name="england")
    return {"seconds": time.perf_counter() - t, "stop_times": len(feed.stop_times),
            "trips": len(feed.trips), "stops": len(feed.stops),
            "warnings": len(report.warnings)}


def step_compile(work: Path) -> dict[str, Any]:
    """Compile one weekday cold (feed already read) and store it in the timetable cache."""
    feed, _ = read_gtfs(gtfs_path(work), name="england")
    t = time.perf_counter()
    tt = compile_timetable([feed], DAY)
    cold = time.perf_counter() - t
    cache = TimetableCache(work / "cache")
    key = cache.key([feed], DAY, BuildParams())
    cache.save(key, tt)
    (work / "cache" / "KEY").write_text(key, encoding="utf-8")
    nbytes = sum(v.nbytes for v in tt.to_arrays().values() if isinstance(v, np.ndarray))
    return {"seconds": cold, "trips": tt.n_trips, "stops": tt.n_stops,
            "array_mib": nbytes / 2**20}


def step_compile_db(work: Path) -> dict[str, Any]:
    """The app's path: read the stored feed back from PostGIS, then compile one weekday."""
    from sqlalchemy import text

    from app.db import get_engine
    from app.services.transit.feeds import list_feeds, read_feed

    with get_engine().connect() as conn:
        if not conn.execute(text("SELECT count(*) FROM gtfs_feed")).scalar_one():
            return {"skipped": "no feed in the database (run the gtfs-load step)"}
        t = time.perf_counter()
        feeds = [read_feed(conn, r) for r in list_feeds(conn)]
        read_s = time.perf_counter() - t
    t = time.perf_counter()
    tt = compile_timetable(feeds, DAY)
    return {"read_s": read_s, "seconds": time.perf_counter() - t, "trips": tt.n_trips,
            "stop_times": sum(len(f.stop_times) for f in feeds)}


def _from_cache(work: Path) -> tuple[Timetable, float]:
    key = (work / "cache" / "KEY").read_text(encoding="utf-8")
    t = time.perf_counter()
    tt = TimetableCache(work / "cache").load(key)
    assert tt is not None, "no cached timetable: run the compile step first"
    return tt, time.perf_counter() - t


def origins(work: Path, n: int, seed: int = 5) -> np.ndarray:
    """n random postcode centroids (lat, lon) from the generated Code-Point zip."""
    frames = []
    with zipfile.ZipFile(work / "data" / "codepoint" / "codepo_gb_SYNTHETIC.zip") as zf:
        for name in sorted(zf.namelist()):
            if name.startswith("Data/CSV/"):
                frames.append(pd.read_csv(io.BytesIO(zf.read(name)), header=None,
                                          usecols=[2, 3], names=["e", "n"]))
    df = pd.concat(frames, ignore_index=True).sample(n=n, random_state=seed, replace=True)
    t = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = t.transform(df["e"].to_numpy(float), df["n"].to_numpy(float))
    return np.c_[lat, lon]


def capped(router: Router, lat: float, lon: float, t0: int, q: QueryParams) -> np.ndarray:
    """Earliest arrival with a 120-minute cap: `max_minutes` when the engine has it.

    Without it (this branch), the same search with the kernel's own time limit, which the
    public Router does not expose (it passes no limit).
    """
    if "max_minutes" in {f.name for f in dataclasses.fields(QueryParams)}:
        params = QueryParams(**{"max_minutes": CAP_S // 60})  # type: ignore[arg-type]
        return router.earliest_arrival(lat, lon, t0, params).stop_times()
    side = router.forward
    pack = side.pack(q)
    acc, dist = side.access(lat, lon, q.walk.max_walk_m)
    acc_t = np.ascontiguousarray(walk_seconds_array(dist, q.walk.speed_kmh), np.int32)
    acc = np.ascontiguousarray(acc, np.int32)
    n = side.tt.n_stops
    work = core.new_work(n, side.tt.n_patterns)
    bus, walk = core.new_time_labels(q.max_buses, n)
    core.iterate(pack, q.max_buses, q.walk.min_change_s, t0, t0 + CAP_S, acc, acc_t,
                 (bus, walk), work, False, (), np.zeros(0, np.int32))
    return walk


def _timed(fn: Any, n: int) -> dict[str, float]:
    t = time_calls("", fn, n)
    return {"n": n, "p50_ms": t.p50_ms, "p95_ms": t.p95_ms}


def step_queries(work: Path, n: int = 200) -> dict[str, Any]:
    """Load from cache, then earliest arrival from postcodes (uncapped, capped, no stop)."""
    tt, load_s = _from_cache(work)
    router = Router(tt)
    q = QueryParams(max_buses=3)
    pts = origins(work, n)
    deps = np.random.default_rng(7).integers(7 * H, 19 * H, n)
    free = _timed(lambda i: router.earliest_arrival(pts[i, 0], pts[i, 1], int(deps[i]), q)
                  .stop_times(), n)
    cap = _timed(lambda i: capped(router, pts[i, 0], pts[i, 1], int(deps[i]), q), n)
    # 0.5 degrees west of the westernmost stop: no stop within walking distance.
    far_lon = float(tt.stop_lon.min()) - 0.5
    far_lat = float(np.median(tt.stop_lat))
    none = _timed(lambda i: router.earliest_arrival(far_lat, far_lon, int(deps[i]), q)
                  .stop_times(), n)
    reached = [int((router.earliest_arrival(pts[i, 0], pts[i, 1], int(deps[i]), q)
                    .stop_times() < core.INF).sum()) for i in range(min(n, 50))]
    return {"cache_load_s": load_s, "uncapped": free, "capped": cap, "no_stop": none,
            "capped_via": ("max_minutes" if "max_minutes" in {
                f.name for f in dataclasses.fields(QueryParams)} else "kernel limit"),
            "median_stops_reached": float(np.median(reached))}


def step_gap_workers(work: Path) -> dict[str, Any]:
    """The gap batch (every band, not stored) on a LocalCluster of BENCH_GAP_WORKERS processes.

    One thread and one numba thread per worker. A one-district run first maps every
    weekday's timetable and loads the compiled kernels in each worker; the timed run then
    routes BENCH_GAP_DISTRICTS districts (0 = all) from the ready cluster.
    """
    import dask

    from app.db import get_engine
    from app.services.gaps.batch import local_cluster, prepare, run_batch
    from app.services.gaps.compute import GapParams

    n = int(os.environ.get("BENCH_GAP_WORKERS", "1"))
    districts = int(os.environ.get("BENCH_GAP_DISTRICTS", "0") or 0)
    engine = get_engine()
    every = prepare(engine, GapParams(region=()))
    lads = sorted(set(every.ctx.areas.lad_codes))
    prep = every if not districts else prepare(engine, GapParams(region=tuple(lads[:districts])))
    warm = prepare(engine, GapParams(region=(lads[0],)))
    # The client takes results straight from the workers, as `dask_client` does for a
    # LocalCluster (here the cluster is started first, to warm it up, and passed by address).
    with local_cluster(n) as cluster, dask.config.set(
            {"distributed.client.direct-to-workers": True}):
        addr = cluster.scheduler_address
        t = time.perf_counter()
        run_batch(warm.ctx.params, scheduler=addr, store=False, progress=False, engine=engine,
                  prepared=warm)
        warm_s = time.perf_counter() - t
        t = time.perf_counter()
        done = run_batch(prep.ctx.params, scheduler=addr, store=False, progress=False,
                         engine=engine, prepared=prep)
        wall = time.perf_counter() - t
    stats = done.routing
    for line in stats.lines():
        print(line, flush=True)
    postcodes = len(prep.ctx.origins)
    return {"workers": n, "postcodes": postcodes, "lsoas": len(prep.ctx.areas.codes),
            "districts": len(set(prep.ctx.areas.lad_codes)), "seconds": stats.seconds,
            "wall_s": wall, "warm_up_s": warm_s, "postcodes_per_s": postcodes / stats.seconds,
            "postcodes_per_s_per_worker": postcodes / stats.seconds / n,
            "worker_rss_mib": [w.rss_mib for w in stats.workers.values()],
            "worker_origins_per_s": [w.origins_per_s for w in stats.workers.values()],
            "worker_busy_s": [w.area_seconds for w in stats.workers.values()],
            "worker_cpu_s": [w.cpu_seconds for w in stats.workers.values()],
            "client_cpu_s": stats.client_cpu_seconds,
            "load": os.getloadavg()[0]}


FINDER_WEEK = {"date_from": "2026-12-07", "date_to": "2026-12-13", "hours_from": "09:00",
               "hours_to": "17:00", "mode": "walk+bus", "max_minutes": 45, "max_buses": 2}


def step_finder(work: Path, n: int = 20) -> dict[str, Any]:
    """POST /api/reachable-activities for a week from loaded postcodes (app in process).

    The first request of the fresh process is timed on its own (timetables mapped from
    the disk cache, kernels loaded: what FINDER_WARM_DAYS moves to start-up), then n more.
    """
    import resource
    import warnings

    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from app.db import get_engine
    from app.main import app
    from app.settings import get_settings

    warnings.simplefilter("ignore", DeprecationWarning)
    with get_engine().connect() as conn:
        pcs = [r[0] for r in conn.execute(text(
            "SELECT pcds FROM postcode ORDER BY md5(pcd) LIMIT :n"), {"n": n})]
    client = TestClient(app)
    rows: list[int] = []
    cpu: list[float] = []

    def call(i: int) -> None:
        c = time.process_time()  # every thread of this process: the app's own work
        r = client.post("/api/reachable-activities",
                        json={"origin": {"postcode": pcs[i % len(pcs)]}, **FINDER_WEEK})
        cpu.append(time.process_time() - c)
        if r.status_code != 200:
            raise SystemExit(f"finder request failed: {r.status_code} {r.text[:300]}")
        rows.append(len(r.json()["rows"]))

    t = time.perf_counter()
    call(0)
    cold = time.perf_counter() - t
    timing = _timed(call, n)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res = {"cold_s": cold, **timing, "rows_median": float(np.median(rows)),
           "cpu_p50_ms": float(np.median(cpu[1:])) * 1000,
           "list_km": get_settings().finder_list_km, "peak_rss_mib": peak}
    print(f"finder: first request {cold:.2f} s; p50 {timing['p50_ms']:.0f} ms, p95 "
          f"{timing['p95_ms']:.0f} ms (n={n}); app CPU p50 {res['cpu_p50_ms']:.0f} ms (not "
          f"counting PostGIS); median {res['rows_median']:.0f} rows; "
          f"FINDER_LIST_KM={res['list_km']:g}; peak RSS {peak:,.0f} MiB", flush=True)
    return res


STEPS = {"read": step_read, "compile": step_compile, "compile-db": step_compile_db,
         "queries": step_queries, "gap-workers": step_gap_workers, "finder": step_finder}


def main() -> int:
    """Run one step and print its RESULT line."""
    step, work = sys.argv[1], Path(sys.argv[2])
    res = STEPS[step](work)
    print("RESULT " + json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
