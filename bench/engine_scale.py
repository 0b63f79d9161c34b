"""`python -m bench.engine_scale [--scale 1.0]`: the engine's queries at England size.

SYNTHETIC data: a deterministic timetable shaped like England's bus network at a fraction
`scale` of it (275,000 stops clustered in towns, 13,000 routes each way, about 850,000
trips on a weekday, ~50 million stop times at scale 1), built straight into the engine's
compiled arrays, so the bench measures the engine past the GTFS reader (the national
reader and its generator are `bench.national`'s). It prints, with peak memory and the
machine's load:

- the compiled store: bytes on disk, write time (the foot transfers included), load
  time in a fresh process (memory map, nothing parsed), its first answer (transfers
  mapped from the store, not built) and that process's peak RSS;
- earliest arrival from random points near stops (max 3 buses, walks 800 m, transfers
  400 m), p50/p95, with and without a 120-minute cap, and stops reached;
- a point with no stop nearby (the short-circuit), p50/p95.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from app.routing.cache import TimetableCache
from app.routing.names import Coded, Names
from app.routing.raptor import QueryParams, Router
from app.routing.timetable import Timetable
from app.routing.walk import WalkParams

ROOT = Path(__file__).resolve().parent.parent
ENGLAND = {"stops": 275_000, "routes": 13_000, "towns": 3_000}
DAY = dt.date(2026, 11, 25)


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def synthetic_england(scale: float, seed: int = 14) -> Timetable:
    """A deterministic England-shaped compiled timetable (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n_stops = int(ENGLAND["stops"] * scale)
    n_towns = max(5, int(ENGLAND["towns"] * scale))
    n_routes = max(10, int(ENGLAND["routes"] * scale))
    # Towns over England's extent, sizes Zipf-like; stops scattered around them.
    t_lat = rng.uniform(50.3, 55.5, n_towns)
    t_lon = rng.uniform(-4.5, 1.5, n_towns)
    weight = 1.0 / np.arange(1, n_towns + 1) ** 0.9
    town = rng.choice(n_towns, n_stops, p=weight / weight.sum())
    size = np.bincount(town, minlength=n_towns)
    spread_km = 0.35 * np.sqrt(np.maximum(size, 1)) ** 0.9 / 3
    lat = t_lat[town] + rng.normal(0, 1, n_stops) * spread_km[town] / 111.0
    lon = t_lon[town] + rng.normal(0, 1, n_stops) * spread_km[town] / 70.0
    order = np.lexsort((lon, lat, town))
    lat, lon, town = lat[order], lon[order], town[order]
    town_ptr = np.r_[0, np.cumsum(np.bincount(town, minlength=n_towns))]
    # Routes: lines through a town along a random direction (2 in 5 run on to a
    # neighbouring town), each served both ways.
    pats: list[np.ndarray] = []
    r_town = rng.choice(n_towns, n_routes, p=size / size.sum())
    for r in range(n_routes):
        a, b = town_ptr[r_town[r]], town_ptr[r_town[r] + 1]
        idx = np.arange(a, b)
        ang = rng.uniform(0, np.pi)
        proj = (lat[idx] - t_lat[r_town[r]]) * np.cos(ang) + (lon[idx] - t_lon[r_town[r]]) * \
            np.sin(ang) * 0.63
        perp = -(lat[idx] - t_lat[r_town[r]]) * np.sin(ang) + (lon[idx] - t_lon[r_town[r]]) * \
            np.cos(ang) * 0.63
        band = idx[np.abs(perp - rng.normal(0, 0.004)) < 0.006]
        band = band[np.argsort(proj[np.isin(idx, band)])]
        length = int(rng.integers(20, 60))
        if len(band) > length:
            s0 = int(rng.integers(0, len(band) - length))
            band = band[s0:s0 + length]
        here = int(r_town[r])
        for _ in range(int(rng.choice([0, 1, 2, 3], p=[0.3, 0.3, 0.25, 0.15]))):
            # On to one of the nearest other towns (a country route).
            d = (t_lat - t_lat[here]) ** 2 + ((t_lon - t_lon[here]) * 0.63) ** 2
            d[here] = np.inf
            here = int(rng.choice(np.argsort(d)[:3]))
            oa, ob = town_ptr[here], town_ptr[here + 1]
            if ob > oa:
                pick = rng.choice(np.arange(oa, ob), min(15, ob - oa), replace=False)
                band = np.r_[band, np.sort(pick)]
        if len(band) >= 2:
            pats.extend([band.astype(np.int32), band[::-1].astype(np.int32)])
    # Trips: headways 10-60 minutes from 05:30 to 23:30, ~20 km/h plus 20 s dwell.
    pat_stop_ptr = np.r_[0, np.cumsum([len(p) for p in pats])].astype(np.int32)
    pat_stops = np.concatenate(pats)
    n_pat = len(pats)
    headway = rng.choice([900, 1200, 1800, 2700, 3600, 5400], n_pat,
                         p=[0.08, 0.17, 0.25, 0.25, 0.12, 0.13])
    first = 5 * 3600 + 1800 + rng.integers(0, 1800, n_pat)
    n_trips = np.maximum(1, (23 * 3600 + 1800 - first) // headway).astype(np.int64)
    pat_trip_ptr = np.r_[0, np.cumsum(n_trips)].astype(np.int32)
    lens = np.diff(pat_stop_ptr).astype(np.int64)
    trip_len = np.repeat(lens, n_trips)
    trip_time_off = np.r_[0, np.cumsum(trip_len)[:-1]].astype(np.int32)
    total = int(trip_len.sum())
    # Per-pattern running time profile (cumulative seconds from the first stop).
    seg = np.zeros(len(pat_stops), np.float64)
    dlat = np.diff(lat[pat_stops]) * 111_000
    dlon = np.diff(lon[pat_stops]) * 70_000
    seg[1:] = np.hypot(dlat, dlon) / (20 / 3.6) + 20
    seg[pat_stop_ptr[:-1]] = 0
    cum = np.cumsum(seg)
    cum -= np.repeat(cum[pat_stop_ptr[:-1]], lens)
    trip_pat = np.repeat(np.arange(n_pat), n_trips)
    trip_rank = np.arange(len(trip_pat)) - np.repeat(pat_trip_ptr[:-1], n_trips)
    start = first[trip_pat] + trip_rank * headway[trip_pat]
    cell_trip = np.repeat(np.arange(len(trip_pat)), trip_len)
    cell_pos = np.arange(total) - np.repeat(trip_time_off.astype(np.int64), trip_len)
    cell_cum = cum[pat_stop_ptr[trip_pat[cell_trip]] + cell_pos]
    arr = (start[cell_trip] + np.round(cell_cum)).astype(np.int32)
    dep = arr.copy()  # dwell is in the running time: arrival = departure at each stop
    del cell_trip, cell_pos, cell_cum
    pat_of_entry = np.repeat(np.arange(n_pat, dtype=np.int32), lens)
    pos_of_entry = (np.arange(len(pat_stops)) - np.repeat(pat_stop_ptr[:-1], lens)).astype(
        np.int32)
    by_stop = np.argsort(pat_stops, kind="stable")
    stop_pat_ptr = np.r_[0, np.cumsum(np.bincount(pat_stops, minlength=n_stops))].astype(
        np.int32)
    n_t = len(trip_pat)
    regions = np.array(["EM", "WM", "NW", "NE", "YH", "EE", "SE", "SW", "LO"])
    return Timetable(
        service_date=DAY.isoformat(), feed_keys=np.array(["synthetic-england@1"]),
        reversed=False,
        stop_ids=Names.of(f"{i:09d}SYN" for i in range(n_stops)),
        stop_names=Names.of(f"Synthetic stop {i}" for i in range(n_stops)),
        stop_lat=lat, stop_lon=lon, stop_wheelchair=np.zeros(n_stops, np.int8),
        pat_stop_ptr=pat_stop_ptr, pat_stops=pat_stops, pat_trip_ptr=pat_trip_ptr,
        trip_time_off=trip_time_off, arr=arr, dep=dep,
        trip_wheelchair=np.ones(n_t, np.int8), trip_day_offset=np.zeros(n_t, np.int8),
        trip_ids=Names.of(f"syn:T{g}" for g in range(n_t)),
        trip_route_ids=Coded(trip_pat.astype(np.int32) // 2,
                             Names.of(f"syn:{regions[r % 9]}{r}" for r in range(n_pat // 2 + 1))),
        trip_route_short=Coded(trip_pat.astype(np.int32) // 2,
                               Names.of(str(r % 400) for r in range(n_pat // 2 + 1))),
        trip_headsign=Coded((trip_pat % 2).astype(np.int32), Names.of(["Outbound", "Inbound"])),
        stop_pat_ptr=stop_pat_ptr, stop_pat=pat_of_entry[by_stop],
        stop_pat_pos=pos_of_entry[by_stop],
    )


LOAD_CHILD = """
import sys, time
t0 = time.perf_counter()
from app.routing.cache import TimetableCache
tt = TimetableCache(sys.argv[1]).load("england")
t1 = time.perf_counter()
from app.routing.raptor import Router
r = Router(tt)
res = r.earliest_arrival(float(tt.stop_lat[1]), float(tt.stop_lon[1]), 8 * 3600)
t2 = time.perf_counter()
hwm = [int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM")][0]
print(f"{t1 - t0:.3f} {t2 - t0:.3f} {hwm / 1024:.0f} {len(res.reached)}")
"""


def _pcts(xs: list[float]) -> str:
    a = np.array(xs) * 1000
    return f"p50 {np.percentile(a, 50):.3f} ms, p95 {np.percentile(a, 95):.3f} ms"


def main(scale: float, n: int) -> int:
    """Build, store, reload and query the synthetic England timetable; print the figures."""
    print(f"# engine at England scale (SYNTHETIC timetable), scale {scale}, "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average "
          f"{os.getloadavg()[0]:.2f}")
    t = time.perf_counter()
    tt = synthetic_england(scale)
    print(f"  built: {tt.n_stops:,} stops, {tt.n_patterns:,} patterns, {tt.n_trips:,} trips, "
          f"{len(tt.arr):,} stop times in {time.perf_counter() - t:.1f} s; peak "
          f"{_peak_mib():.0f} MiB")
    with tempfile.TemporaryDirectory(prefix="wr-england-") as tmp:
        cache = TimetableCache(tmp)
        t = time.perf_counter()
        cache.save("england", tt)
        sizes = (cache.path("england").stat().st_size, cache.names_path("england").stat().st_size)
        print(f"  stored in {time.perf_counter() - t:.1f} s: search arrays (with the mirror) "
              f"{sizes[0] / 2**20:.0f} MiB, ids and names {sizes[1] / 2**20:.0f} MiB")
        del tt
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        for i in range(3):
            out = subprocess.run([sys.executable, "-c", LOAD_CHILD, tmp], cwd=ROOT, env=env,
                                 capture_output=True, text=True, check=True).stdout.split()
            print(f"  fresh process {i + 1}: imports and load {out[0]} s (memory map), answer at "
                  f"{out[1]} s, peak RSS {out[2]} MiB, {out[3]} stops reached")
        tt = cache.load("england")
        assert tt is not None
        router = Router(tt)
        q = QueryParams(max_buses=3, walk=WalkParams(max_walk_m=800, transfer_radius_m=400))
        qc = QueryParams(max_buses=3, max_minutes=120, walk=q.walk)
        rng = np.random.default_rng(3)
        picks = rng.integers(0, tt.n_stops, n)
        lats = tt.stop_lat[picks] + rng.normal(0, 0.002, n)
        lons = tt.stop_lon[picks] + rng.normal(0, 0.003, n)
        deps = rng.integers(7 * 3600, 19 * 3600, n)
        t = time.perf_counter()
        router.earliest_arrival(float(lats[0]), float(lons[0]), int(deps[0]), q)
        print(f"  first query (the kernel pack built once; foot transfers mapped from the "
              f"store): {time.perf_counter() - t:.2f} s")
        for label, params in (("no cap", q), ("120-min cap", qc)):
            ts: list[float] = []
            reached: list[int] = []
            for i in range(n):
                t = time.perf_counter()
                res = router.earliest_arrival(float(lats[i]), float(lons[i]), int(deps[i]),
                                              params)
                ts.append(time.perf_counter() - t)
                reached.append(len(res.reached))
            print(f"  earliest arrival, max 3 buses, {label} (n={n}): {_pcts(ts)}; stops "
                  f"reached median {int(np.median(reached)):,}; load {os.getloadavg()[0]:.2f}")
        ts = []
        for i in range(n):
            t = time.perf_counter()
            router.earliest_arrival(60.5 + i * 1e-4, -20.0, 8 * 3600, q)  # in the sea
            ts.append(time.perf_counter() - t)
        print(f"  point with no stop nearby (n={n}): {_pcts(ts)}")
        print(f"  peak RSS of this process {_peak_mib():.0f} MiB; load average "
              f"{os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of England")
    ap.add_argument("-n", type=int, default=500, help="queries per measure")
    args = ap.parse_args()
    raise SystemExit(main(args.scale, args.n))
