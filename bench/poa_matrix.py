"""The r5r paper benchmark on Porto Alegre: a 1,227 x 1,227 walk + transit travel-time matrix.

Departure 2019-05-13 14:00, a 120-minute window sampled every minute, percentiles
5/25/50/75/95 of the 120 travel times per pair, walk <= 1,000 m per access/egress leg,
trips <= 120 min (longer counts as unreachable). Per origin: one range RAPTOR over the
120 departure minutes (descending, labels reused, arrivals capped at departure + 120 min),
reading the final-round bus labels after each minute; then a numba kernel combines them
with the egress walks and the direct walk into the percentiles. Origins are split over
worker processes (fork) so both cores are used.

Walking speed 3.6 km/h and at most 3 buses (r5r's defaults); foot transfers within the
engine's default 400 m. Walking is crow-fly x 1.3, or with `--osm` network distances on the
pedestrian graph of poa_osm.pbf (stops outside that extract keep crow-fly x 1.3).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import resource
import time
from typing import Any

import numba as nb
import numpy as np
import pandas as pd

from app.routing import raptor_core as core
from app.routing.raptor import QueryParams, Router
from app.routing.walk import Walker, WalkParams, walk_seconds_array
from bench.common import compiled, geodata, peak_rss_mb, poa_feed

DAY = dt.date(2019, 5, 13)
T0 = 14 * 3600
WINDOW_MIN = 120
MAX_TRIP_S = 120 * 60
PERCENTILES = np.array([5, 25, 50, 75, 95])
UNREACHED = np.int32(-1)

_G: dict[str, Any] = {}  # per-process state, set before fork


@nb.njit(cache=True)
def _pair_percentiles(ea_t: np.ndarray, deps: np.ndarray, eg_ptr: np.ndarray,
                      eg_stop: np.ndarray, eg_t: np.ndarray, direct_t: np.ndarray,
                      max_trip: int, pcts: np.ndarray, out: np.ndarray) -> None:
    """Travel-time percentiles (minutes, -1 unreachable) from one origin to every target.

    ea_t[s, i]: earliest bus arrival at stop s leaving at deps[i] (stop-major, so the
    inner loop over minutes is contiguous); direct_t[d]: walking seconds to target d (-1
    beyond the walk limit). Nearest-rank percentiles over the minutes, unreachable last.
    """
    n_dep = deps.shape[0]
    n_t = eg_ptr.shape[0] - 1
    big = np.int64(1) << 40
    best = np.empty(n_dep, np.int64)
    for d in range(n_t):
        best[:] = big
        for x in range(eg_ptr[d], eg_ptr[d + 1]):
            row = ea_t[eg_stop[x]]
            w = eg_t[x]
            for i in range(n_dep):
                a = row[i]
                if a < core.INF:
                    v = np.int64(a) + w
                    if v < best[i]:
                        best[i] = v
        for i in range(n_dep):
            if direct_t[d] >= 0:
                v = np.int64(deps[i]) + direct_t[d]
                if v < best[i]:
                    best[i] = v
            tt = best[i] - deps[i]
            best[i] = tt if tt <= max_trip else big
        best.sort()
        for j in range(pcts.shape[0]):
            k = int(np.ceil(pcts[j] / 100.0 * n_dep)) - 1
            k = min(max(k, 0), n_dep - 1)
            out[d, j] = -1 if best[k] >= big else int((best[k] + 59) // 60)


def _setup(walker_kind: str) -> None:
    """Build the timetable, walker and target arrays once (inherited by forked workers)."""
    tt = compiled(poa_feed(), DAY)
    walker: Walker | None = None
    if walker_kind == "osm":
        from app.osmwalk.graph import build_graph
        from app.osmwalk.walker import OsmWalker

        # Built straight from the extract (about 1 s), so the bench needs no database.
        walker = OsmWalker(build_graph(geodata() / "poa" / "poa_osm.pbf"), tt.stop_lat,
                           tt.stop_lon)
    router = Router(tt, walker)
    hx = pd.read_csv(geodata() / "poa" / "poa_hexgrid.csv")
    lats = hx["lat"].to_numpy(float)
    lons = hx["lon"].to_numpy(float)
    q = QueryParams(max_buses=3, walk=WalkParams(speed_kmh=3.6, max_walk_m=1000.0,
                                                 transfer_radius_m=400.0))
    eg_ptr, eg_stop, eg_m = router.walker.egress_many(lats, lons, q.walk.max_walk_m)
    _G.update(
        tt=tt, router=router, lats=lats, lons=lons, q=q, pack=router.forward.pack(q),
        eg_ptr=eg_ptr.astype(np.int64), eg_stop=eg_stop.astype(np.int64),
        eg_t=walk_seconds_array(eg_m, q.walk.speed_kmh).astype(np.int64),
        deps=np.arange(T0 + (WINDOW_MIN - 1) * 60, T0 - 1, -60, dtype=np.int64),
    )


def _origin_rows(idx: np.ndarray) -> np.ndarray:
    """Percentile rows (len(idx), n_targets, 5) for some origins (runs in a worker)."""
    tt, router, q = _G["tt"], _G["router"], _G["q"]
    lats, lons, deps = _G["lats"], _G["lons"], _G["deps"]
    n_t = len(lats)
    out = np.empty((len(idx), n_t, len(PERCENTILES)), np.int16)
    ea = np.empty((len(deps), tt.n_stops), np.int32)
    log = core.new_log(1)
    work = core.new_work(tt.n_stops, tt.n_patterns)
    changed = np.zeros(tt.n_stops, np.int32)
    row = np.empty((n_t, len(PERCENTILES)), np.int64)
    k = q.max_buses
    for r, o in enumerate(idx):
        acc, dist = router.walker.access(float(lats[o]), float(lons[o]), q.walk.max_walk_m)
        acc_t = walk_seconds_array(dist, q.walk.speed_kmh)
        bus, walk, bus_ent, walk_ent = core.new_labels(k, tt.n_stops)
        for i, d in enumerate(deps):
            core.run_iteration(_G["pack"], k, q.walk.min_change_s, int(d), int(d) + MAX_TRIP_S,
                               acc, acc_t, bus, walk, bus_ent, walk_ent, work, False, log,
                               changed)
            ea[i] = bus[k]
        direct = router.walker.direct_many(float(lats[o]), float(lons[o]), lats, lons)
        direct = np.minimum(direct, 1e7)  # network walkers report inf for "not connected"
        direct_t = np.where(direct <= q.walk.max_walk_m,
                            walk_seconds_array(direct, q.walk.speed_kmh), -1).astype(np.int64)
        _pair_percentiles(np.ascontiguousarray(ea.T), deps, _G["eg_ptr"], _G["eg_stop"],
                          _G["eg_t"], direct_t, MAX_TRIP_S, PERCENTILES.astype(np.float64), row)
        out[r] = row
    return out


def _cpu_s() -> float:
    """User+system CPU seconds of this process and its reaped children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _engine_matrix(n: int) -> np.ndarray:
    """The engine's own `travel_time_matrix` (numba threads over origins), in minutes."""
    from app.routing.matrix import travel_time_matrix

    lats, lons = _G["lats"], _G["lons"]
    res = travel_time_matrix(_G["router"], lats[:n], lons[:n], lats, lons, T0, WINDOW_MIN,
                             _G["q"], MAX_TRIP_S, tuple(int(p) for p in PERCENTILES))
    sec = res.seconds
    return np.where(sec < 0, -1, (sec + 59) // 60).astype(np.int16)


def run(n_origins: int | None = None, workers: int = 2, walker_kind: str = "crow-fly",
        impl: str = "engine") -> dict[str, Any]:
    """Compute the matrix; return wall time, peak memory and summary figures.

    impl "engine": app.routing.matrix.travel_time_matrix (numba threads, both cores);
    impl "bench": this module's independent loop over origins in forked worker processes.
    """
    started = time.perf_counter()
    _setup(walker_kind)
    setup_s = time.perf_counter() - started
    n = len(_G["lats"]) if n_origins is None else n_origins
    if impl == "engine":
        _engine_matrix(2)  # compile the numba kernels outside the timing
        t = time.perf_counter()
        cpu0 = _cpu_s()
        matrix = _engine_matrix(n)
        compute_s = time.perf_counter() - t
        cpu_s = _cpu_s() - cpu0
        wall = time.perf_counter() - started  # setup + kernel compile + matrix
        # Cross-check against the independent implementation on a few origins (not timed).
        check = min(n, 20)
        agree = bool(np.array_equal(matrix[:check], _origin_rows(np.arange(check))))
        return _summary(matrix, n, workers, walker_kind, setup_s, compute_s, cpu_s, wall,
                        impl, agree)
    # Warm the numba kernels in the parent so workers inherit compiled code (fork).
    _origin_rows(np.array([0]))
    chunks = [c for c in np.array_split(np.arange(n), max(1, workers * 8)) if len(c)]
    t = time.perf_counter()
    cpu0 = _cpu_s()
    if workers > 1:
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_origin_rows, chunks)
    else:
        parts = [_origin_rows(c) for c in chunks]
    matrix = np.concatenate(parts)
    compute_s = time.perf_counter() - t
    cpu_s = _cpu_s() - cpu0
    return _summary(matrix, n, workers, walker_kind, setup_s, compute_s, cpu_s,
                    time.perf_counter() - started, impl, None)


def _summary(matrix: np.ndarray, n: int, workers: int, walker_kind: str, setup_s: float,
             compute_s: float, cpu_s: float, wall: float, impl: str,
             agree: bool | None) -> dict[str, Any]:
    med = matrix[:, :, 2]
    reached = med >= 0
    return {
        "origins": n, "targets": matrix.shape[1], "workers": workers, "walker": walker_kind,
        "impl": impl, "cross_check_identical": agree,
        "setup_s": setup_s, "compute_s": compute_s, "wall_s": wall, "cpu_s": cpu_s,
        "load_avg": os.getloadavg()[0],
        "peak_rss_mb": peak_rss_mb(),
        "pairs_reached_p50": float(reached.mean()),
        "median_of_p50_min": float(np.median(med[reached])) if reached.any() else None,
        "matrix": matrix,
    }


def main(quick: bool = False, workers: int | None = None, walker_kind: str = "crow-fly",
         impl: str = "engine") -> dict[str, Any]:
    """Print the POA matrix figures."""
    workers = workers or min(2, os.cpu_count() or 1)
    n = 100 if quick else None
    print(f"== r5r benchmark: Porto Alegre {n or 1227} x 1,227 travel-time matrix, "
          f"2019-05-13 14:00 + 120 min each minute, p5/25/50/75/95, walk <= 1,000 m, "
          f"trips <= 120 min, walking: {walker_kind}, "
          f"{'engine travel_time_matrix, numba threads' if impl == 'engine' else 'bench loop'}"
          f", {workers} core(s) ==")
    res = run(n, workers, walker_kind, impl)
    scale = "" if n is None else f" (only {n} origins; x{1227 / n:.1f} for the full matrix)"
    print(f"  wall time {res['wall_s']:.1f} s (setup {res['setup_s']:.1f} s, matrix "
          f"{res['compute_s']:.1f} s){scale}")
    print(f"  matrix CPU time {res['cpu_s']:.1f} s over {workers} core(s) (= "
          f"{res['cpu_s'] / workers:.1f} s wall on {workers} idle cores); 1-min load average "
          f"at the end {res['load_avg']:.1f} (the machine is shared)")
    print(f"  peak memory (max RSS of parent / workers) {res['peak_rss_mb']:.0f} MiB")
    print(f"  pairs with a median travel time <= 120 min: {res['pairs_reached_p50']:.1%}; "
          f"median of medians {res['median_of_p50_min']} min")
    if res["cross_check_identical"] is not None:
        print(f"  first 20 origins identical to this module's independent implementation: "
              f"{res['cross_check_identical']}")
    print("  r5r paper: < 2 min on a 1.9 GHz i7 laptop; target here <= 60 s on 2 cores")
    return res


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="100 origins only")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--osm", action="store_true", help="walk on the OSM pedestrian graph")
    ap.add_argument("--impl", choices=("engine", "bench"), default="engine",
                    help="engine travel_time_matrix (default) or this module's process pool")
    a = ap.parse_args()
    main(a.quick, a.workers, "osm" if a.osm else "crow-fly", a.impl)
