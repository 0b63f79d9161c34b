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


def step_matrix(work: Path, n: int = 60) -> dict[str, Any]:
    """travel_time_matrix for n postcode origins x 500 stops, 30 departure minutes."""
    from app.routing.matrix import travel_time_matrix

    tt, _ = _from_cache(work)
    router = Router(tt)
    pts = origins(work, n, seed=11)
    rng = np.random.default_rng(3)
    dest = rng.integers(0, tt.n_stops, 500)
    args = (router, pts[:, 0], pts[:, 1], tt.stop_lat[dest], tt.stop_lon[dest], 8 * H, 30)
    travel_time_matrix(*args[:3], args[3][:5], args[4][:5], 8 * H, 2)  # compile kernels
    t = time.perf_counter()
    travel_time_matrix(*args, QueryParams(max_buses=3))
    s = time.perf_counter() - t
    return {"seconds": s, "origins": n, "origins_per_s": n / s,
            "threads": int(os.environ.get("NUMBA_NUM_THREADS", "0") or 0)}


FINDER_WEEK = {"date_from": "2026-12-07", "date_to": "2026-12-13", "hours_from": "09:00",
               "hours_to": "17:00", "mode": "walk+bus", "max_minutes": 45, "max_buses": 2}


def step_finder(work: Path, n: int = 20) -> dict[str, Any]:
    """POST /api/reachable-activities for a week from loaded postcodes (app in process)."""
    import warnings

    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from app.db import get_engine
    from app.main import app

    warnings.simplefilter("ignore", DeprecationWarning)
    with get_engine().connect() as conn:
        pcs = [r[0] for r in conn.execute(text(
            "SELECT pcds FROM postcode ORDER BY md5(pcd) LIMIT :n"), {"n": n})]
    client = TestClient(app)

    def call(i: int) -> None:
        r = client.post("/api/reachable-activities",
                        json={"origin": {"postcode": pcs[i % len(pcs)]}, **FINDER_WEEK})
        if r.status_code != 200:
            raise SystemExit(f"finder request failed: {r.status_code} {r.text[:300]}")

    t = time.perf_counter()
    call(0)
    cold = time.perf_counter() - t
    timing = _timed(call, n)
    return {"cold_s": cold, **timing}


STEPS = {"read": step_read, "compile": step_compile, "compile-db": step_compile_db,
         "queries": step_queries, "matrix": step_matrix, "finder": step_finder}


def main() -> int:
    """Run one step and print its RESULT line."""
    step, work = sys.argv[1], Path(sys.argv[2])
    res = STEPS[step](work)
    print("RESULT " + json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
