"""`python -m bench.peer_ferrobus [--quick]`: the engine against ferrobus 0.2.1, side by side.

Both engines run in this one process on the same timetable (the engine's compiled day,
written out as GTFS for ferrobus) and the same walks (a synthetic footway network holding
exactly the engine's walks, see `bench.ferrobus_inputs`), at ferrobus's walking speed of
1.4 m/s (5.04 km/h): walks <= 800 m to and from stops, foot transfers <= 400 m, up to 4
buses (ferrobus `max_transfers=4`, which counts rides), departures 07:00-19:00.

Queries are interleaved one by one (engine, ferrobus, then the other way round) so load
from other work on the machine falls on both alike. Every figure is p50/p95 over the
queries and a ratio engine / ferrobus (below 1: the engine is faster or smaller):

- kernel: one RAPTOR run from a stop to all stops (engine: `core.search_times`, the one
  kernel call of a times-only query, labels out included, access stops looked up
  beforehand as ferrobus's transit point holds them; ferrobus: `find_routes_one_to_many`
  to a single target);
- stop -> all and point -> all: the full answer in Python for every stop (engine:
  `earliest_arrival(...).at_targets(all stops)`; ferrobus: `find_routes_one_to_many`);
- range: a 1-hour departure window from a point (engine: `forward_profile` to all stops;
  ferrobus: `range_multimodal_routing` per target, timed on a sample of targets and
  scaled to all stops, labelled so; the one-target ratio is printed too);
- the Porto Alegre matrix: all 1,227 hexagon centroids, 120 departure minutes from 14:00
  (engine: one `travel_time_matrix` call; ferrobus: one `travel_time_matrix` per minute);
- feed -> first answer and peak RSS: fresh child processes, interleaved, timed from
  spawn to exit (engine from its warm timetable cache, and cold; ferrobus from GTFS).

An agreement table compares the two answers stop by stop and names each rule difference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from app.routing import raptor_core as core
from app.routing.aot import using_aot
from app.routing.matrix import travel_time_matrix
from app.routing.profile import forward_profile
from app.routing.raptor import INF, QueryParams, Router
from app.routing.timetable import Timetable
from app.routing.walk import WalkParams, walk_seconds, walk_seconds_array
from bench.common import (
    MIDNOTTS_DAY,
    compiled,
    geodata,
    midnotts_feed,
    midnotts_postcodes,
    poa_feed,
)
from bench.ferrobus_inputs import write_gtfs, write_osm

SPEED_KMH = 5.04  # ferrobus walks at 1.4 m/s
WALK_M = 800.0
TRANSFER_M = 400.0
MAX_BUSES = 4
POA_DAY = dt.date(2019, 5, 13)
H = 3600
# Departure windows inside each feed's service (the Porto Alegre feed runs 11:20-17:50).
WINDOWS = {"midnotts": (7 * H, 19 * H), "poa": (12 * H, 16 * H)}
ROOT = Path(__file__).resolve().parent.parent


def _fb_seconds(metres: float) -> int:
    """ferrobus's time limit covering the engine's distance limit at its speed."""
    return walk_seconds(metres, SPEED_KMH)


@dataclass
class Case:
    """One feed prepared for both engines."""

    name: str
    day: dt.date
    tt: Timetable
    router: Router
    q: QueryParams
    model: Any
    stop_points: list[Any]
    pt_lat: np.ndarray
    pt_lon: np.ndarray
    pt_points: list[Any]
    workdir: Path
    gtfs_zip: Path
    feed_name: str
    setup: dict[str, float] = field(default_factory=dict)


@dataclass
class Pair:
    """Per-query seconds of both engines for one measure."""

    name: str
    engine: list[float] = field(default_factory=list)
    peer: list[float] = field(default_factory=list)
    note: str = ""
    target: str = ""

    def row(self, unit: str = "ms") -> str:
        """One table row: p50/p95 of both and the ratios."""
        k = 1000.0 if unit == "ms" else 1.0
        e50, e95 = (float(np.percentile(self.engine, p)) * k for p in (50, 95))
        f50, f95 = (float(np.percentile(self.peer, p)) * k for p in (50, 95))
        return (f"| {self.name} | {len(self.engine)} | {e50:.3f} | {e95:.3f} | {f50:.3f} | "
                f"{f95:.3f} | **{e50 / f50:.2f}** | {e95 / f95:.2f} | {self.target} |"
                + (f" {self.note}" if self.note else ""))


def _rss_line(step: str) -> str:
    """Current and peak RSS of this process after a step (MiB), with the load average."""
    status = Path("/proc/self/status").read_text()
    vals = {k: int(v.split()[0]) / 1024 for k, v in
            (line.split(":", 1) for line in status.splitlines() if line.startswith("Vm"))}
    return (f"  [{step}] RSS {vals.get('VmRSS', 0):.0f} MiB, peak {vals.get('VmHWM', 0):.0f} "
            f"MiB, load {os.getloadavg()[0]:.1f}")


def _points(name: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Query points: Mid-Notts postcode centroids or Porto Alegre hexagon centroids."""
    if name == "midnotts":
        pts = midnotts_postcodes(n, seed=5)
        return pts[:, 0].copy(), pts[:, 1].copy()
    hx = pd.read_csv(geodata() / "poa" / "poa_hexgrid.csv")
    return hx["lat"].to_numpy(float), hx["lon"].to_numpy(float)


def prepare(name: str, n_points: int, base: Path) -> Case:
    """Compile the day, write ferrobus's inputs and build both engines' models."""
    import ferrobus

    if name == "midnotts":
        feed, day, zpath = (midnotts_feed(), MIDNOTTS_DAY,
                            geodata() / "transport" / "midnotts_synthetic_gtfs.zip")
    else:
        feed, day, zpath = poa_feed(), POA_DAY, geodata() / "poa" / "poa_eptc.zip"
    t = time.perf_counter()
    tt = compiled(feed, day)
    setup = {"engine compile (s)": time.perf_counter() - t}
    work = base / name
    work.mkdir(parents=True, exist_ok=True)
    lat, lon = _points(name, n_points)
    write_gtfs(tt, work / "gtfs")
    counts = write_osm(work / "walks.osm.pbf", tt, lat, lon, TRANSFER_M, WALK_M)
    t = time.perf_counter()
    model = ferrobus.create_transit_model(str(work / "walks.osm.pbf"), [str(work / "gtfs")],
                                          day, _fb_seconds(TRANSFER_M))
    setup["ferrobus model (s)"] = time.perf_counter() - t
    walk_s = _fb_seconds(WALK_M)

    def point(la: float, lo: float) -> Any:
        try:
            return ferrobus.create_transit_point(float(la), float(lo), model, walk_s, 10_000)
        except (ValueError, RuntimeError):
            return None  # outside ferrobus's street network

    stop_points = [point(a, b) for a, b in zip(tt.stop_lat, tt.stop_lon, strict=True)]
    pt_points = [point(a, b) for a, b in zip(lat, lon, strict=True)]
    q = QueryParams(max_buses=MAX_BUSES,
                    walk=WalkParams(speed_kmh=SPEED_KMH, max_walk_m=WALK_M,
                                    transfer_radius_m=TRANSFER_M))
    print(f"  {name}: {tt.n_stops} stops, {tt.n_trips} trips, {tt.n_patterns} patterns; "
          f"walk network {counts}; ferrobus: {model}; "
          f"{sum(p is None for p in stop_points)} stops and "
          f"{sum(p is None for p in pt_points)} of {len(pt_points)} points without a "
          f"ferrobus transit point")
    return Case(name, day, tt, Router(tt), q, model, stop_points, lat, lon, pt_points, work,
                zpath, feed.name, setup)


def _interleave(pair: Pair, n: int, eng: Callable[[int], object],
                peer: Callable[[int], object],
                after: Callable[[int], None] | None = None) -> None:
    """Time eng(i) and peer(i) alternately, swapping who goes first each query.

    One untimed call of each first: compiling or loading code is not a query. `after(i)`
    runs untimed after each query pair (reading the answers).
    """
    eng(0)
    peer(0)
    for i in range(n):
        order = ((pair.engine, eng), (pair.peer, peer))
        for bucket, fn in (order if i % 2 == 0 else order[::-1]):
            t = time.perf_counter()
            fn(i)
            bucket.append(time.perf_counter() - t)
        if after is not None:
            after(i)


def _fb_arrivals(res: list[Any], t0: int) -> np.ndarray:
    """ferrobus one-to-many results as arrival seconds (INF where unreachable)."""
    return np.array([t0 + r["travel_time_seconds"] if r else INF for r in res], np.int64)


@dataclass
class Agreement:
    """Stop-by-stop comparison of the two answers over many queries."""

    kind: str
    n: int = 0
    equal: int = 0
    rounding: int = 0  # within 1 s per walk leg (at most 5 s)
    fb_earlier: int = 0
    eng_earlier: int = 0
    only_eng: int = 0
    only_fb: int = 0
    classes: dict[str, int] = field(default_factory=dict)

    def add(self, e: np.ndarray, f: np.ndarray) -> np.ndarray:
        """Count one query; return the indices of real disagreements (over 5 s)."""
        er, fr = e < INF, f < INF
        both = er & fr
        self.n += int((er | fr).sum())
        d = (e - f)[both]
        self.equal += int((d == 0).sum())
        self.rounding += int(((d != 0) & (np.abs(d) <= 5)).sum())
        self.fb_earlier += int((d > 5).sum())
        self.eng_earlier += int((d < -5).sum())
        self.only_eng += int((er & ~fr).sum())
        self.only_fb += int((fr & ~er).sum())
        return np.flatnonzero((both & (np.abs(e - f) > 5)) | (er != fr))

    def row(self) -> str:
        """One table row in percent of stops reached by either engine."""
        pct = (lambda x: f"{100.0 * x / self.n:.1f} %") if self.n else (lambda x: "-")
        return (f"| {self.kind} | {self.n:,} | {pct(self.equal)} | {pct(self.rounding)} | "
                f"{pct(self.fb_earlier)} | {pct(self.eng_earlier)} | {pct(self.only_eng)} | "
                f"{pct(self.only_fb)} |")


WALK_LEGS = {"access_walk", "transfer", "egress_walk"}


def _legs(case: Case, origin: Any, s: int, t0: int) -> list[dict[str, Any]]:
    """ferrobus's own journey to stop s: its legs without the waits."""
    import ferrobus

    raw = ferrobus.detailed_journey(case.model, origin, case.stop_points[s], t0, MAX_BUSES)
    if not raw or raw == "null":
        return []
    feats = json.loads(raw)["features"]
    return [x["properties"] for x in feats if x["properties"].get("leg_type") != "waiting"]


def _engine_first_stop(case: Case, lat: float, lon: float, s: int, t0: int) -> int | None:
    """The stop where the engine's own journey to stop s boards its first bus."""
    res = case.router.earliest_arrival(lat, lon, t0, case.q, journeys=True)
    j = res.journey(float(case.tt.stop_lat[s]), float(case.tt.stop_lon[s]))
    bus = [leg for leg in (j.legs if j else []) if leg.mode == "bus"]
    return case.tt.stop_index(bus[0].start.stop_id) if bus and bus[0].start.stop_id else None


def _ferrobus_sources(case: Case, origin: Any) -> set[int]:
    """Stops ferrobus's search can start from: its one access stop (MAX_CANDIDATE_STOPS
    is 1 in ferrobus) and that stop's foot transfers (<= 400 m) in round 0."""
    near = origin.nearest_stops()
    if not near:
        return set()
    n0 = int(near[0])
    ptr, to, _ = case.router.forward.transfers(TRANSFER_M)
    return {n0, *to[ptr[n0]:ptr[n0 + 1]].tolist()}


def _classify(case: Case, origin: Any, lat: float, lon: float, s: int, t0: int, e: int,
              f: int) -> str:
    """Name the rule behind one disagreement from both engines' own journeys."""
    if case.stop_points[s] is None:
        return "target stop outside ferrobus's street network"
    if e < f:
        first = _engine_first_stop(case, lat, lon, s, t0)
        if first is not None and first not in _ferrobus_sources(case, origin):
            return ("engine earlier (or only): it boards at an access stop ferrobus never "
                    "searches from (ferrobus starts at its one nearest stop and that stop's "
                    "<= 400 m transfers; the engine at every stop <= 800 m)")
    if f >= INF:
        return "engine only: ferrobus finds no journey"
    legs = _legs(case, origin, s, t0)
    kinds = [p.get("leg_type") for p in legs]
    if e > f:
        walks = [p for p in legs if p.get("leg_type") in WALK_LEGS and p.get("duration", 0) > 0]
        chained = any(a in WALK_LEGS and b in WALK_LEGS for a, b in itertools.pairwise(kinds))
        if chained and len(walks) >= 2:
            return "ferrobus earlier: it walks on from a stop reached on foot (chained walks)"
        if not kinds:
            return ("ferrobus earlier: a time from its one-to-many for which its own "
                    "detailed_journey finds no journey (ferrobus disagrees with itself)")
        return f"ferrobus earlier: other (not classified; ferrobus legs {'-'.join(kinds)})"
    return f"engine earlier: other (not classified; ferrobus legs {'-'.join(kinds)})"


def run_queries(case: Case, n: int, agree: dict[str, Agreement]) -> list[Pair]:
    """Kernel, stop -> all, point -> all and range, interleaved query by query."""
    import ferrobus

    tt, router, q, model = case.tt, case.router, case.q, case.model
    rng = np.random.default_rng(11)
    ok_stops = np.array([i for i, p in enumerate(case.stop_points) if p is not None])
    origins = rng.choice(ok_stops, n)
    deps = rng.integers(*WINDOWS[case.name], n)
    lats, lons = tt.stop_lat, tt.stop_lon
    targets = list(case.stop_points)
    live_targets = [p for p in targets if p is not None]
    live_idx = np.array([i for i, p in enumerate(targets) if p is not None])
    side = router.forward
    pack = side.pack(q)
    one = [case.stop_points[int(ok_stops[0])]]
    # Two sets of sources per origin stop. ferrobus's one-to-many runs RAPTOR from one
    # access stop only (its MAX_CANDIDATE_STOPS is 1: the nearest, here the stop itself)
    # plus that stop's foot transfers (<= 400 m) in round 0; the engine's own query
    # starts from every stop within the 800 m access walk. The like-for-like kernel row
    # gives the engine ferrobus's sources; the other row its own (a bigger search).
    tr_ptr, tr_to, tr_m = side.transfers(TRANSFER_M)
    acc: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    same: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    n_same = 0
    for o in set(origins.tolist()):
        a, d = side.access(float(lats[o]), float(lons[o]), WALK_M)
        acc[o] = (np.ascontiguousarray(a, np.int32),
                  np.ascontiguousarray(walk_seconds_array(d, SPEED_KMH), np.int32))
        near = case.stop_points[o].nearest_stops()
        n_same += bool(near) and int(near[0]) == o
        x0, x1 = int(tr_ptr[o]), int(tr_ptr[o + 1])
        same[o] = (np.r_[o, tr_to[x0:x1]].astype(np.int32),
                   np.r_[0, walk_seconds_array(tr_m[x0:x1], SPEED_KMH)].astype(np.int32))
    print(f"  {case.name}: ferrobus's first access stop is the origin stop itself for "
          f"{n_same} of {len(acc)} origins")
    bus, walk, _, _, work = side.scratch(False)

    def kernel_with(sources: dict[int, tuple[np.ndarray, np.ndarray]]) -> Callable[[int], None]:
        def kernel(i: int) -> None:
            # What a times-only query runs (`core.search_times`, one kernel call): on
            # these small networks fresh labels kept as they are; on a national one the
            # reused scratch, with the reached stops' labels copied out and reset.
            a, w = sources[int(origins[i])]
            core.search_times(pack, MAX_BUSES, 0, int(deps[i]), int(INF), a, w, bus, walk,
                              work, side.dense)
        return kernel

    def fb_kernel(i: int) -> None:
        ferrobus.find_routes_one_to_many(model, case.stop_points[int(origins[i])], one,
                                         int(deps[i]), MAX_BUSES)

    pairs = []
    p = Pair(f"{case.name}: kernel, stop -> all stops, same sources", target="<= 1.0",
             note="the engine from ferrobus's round 0: the stop and its <= 400 m transfers")
    _interleave(p, n, kernel_with(same), fb_kernel)
    pairs.append(p)
    p = Pair(f"{case.name}: kernel, stop -> all stops, engine sources (every stop <= 800 m)",
             note="a bigger search than ferrobus's: not like for like")
    _interleave(p, n, kernel_with(acc), fb_kernel)
    pairs.append(p)

    out_e: dict[int, np.ndarray] = {}
    out_f: dict[int, list[Any]] = {}

    def eng_full(i: int) -> None:
        o = int(origins[i])
        res = router.earliest_arrival(float(lats[o]), float(lons[o]), int(deps[i]), q)
        out_e[i] = res.at_targets(lats, lons)

    def fb_full(i: int) -> None:
        out_f[i] = ferrobus.find_routes_one_to_many(
            model, case.stop_points[int(origins[i])], live_targets, int(deps[i]), MAX_BUSES)

    key = f"{case.name}: stop -> all stops"
    ag = agree.setdefault(key, Agreement(key))

    def compare(i: int, ag: Agreement, origin: Any, lat: float, lon: float) -> None:
        f = np.full(tt.n_stops, INF, np.int64)
        f[live_idx] = _fb_arrivals(out_f.pop(i), int(deps[i]))
        e = out_e.pop(i)
        bad = ag.add(e, f)
        for s in bad[:4] if i < 20 else []:
            c = _classify(case, origin, lat, lon, int(s), int(deps[i]), int(e[s]), int(f[s]))
            ag.classes[c] = ag.classes.get(c, 0) + 1

    p = Pair(f"{case.name}: stop -> all stops, full answer", target="no worse than today")
    _interleave(p, n, eng_full, fb_full,
                lambda i: compare(i, ag, case.stop_points[int(origins[i])],
                                  float(lats[origins[i]]), float(lons[origins[i]])))
    pairs.append(p)

    ok_pts = np.array([j for j, x in enumerate(case.pt_points) if x is not None])
    pts = rng.choice(ok_pts, n)

    def eng_point(i: int) -> None:
        j = int(pts[i])
        res = router.earliest_arrival(float(case.pt_lat[j]), float(case.pt_lon[j]),
                                      int(deps[i]), q)
        out_e[i] = res.at_targets(lats, lons)

    def fb_point(i: int) -> None:
        out_f[i] = ferrobus.find_routes_one_to_many(
            model, case.pt_points[int(pts[i])], live_targets, int(deps[i]), MAX_BUSES)

    key = f"{case.name}: point -> all stops"
    ag2 = agree.setdefault(key, Agreement(key))
    p = Pair(f"{case.name}: point -> all stops, full answer")
    _interleave(p, n, eng_point, fb_point,
                lambda i: compare(i, ag2, case.pt_points[int(pts[i])],
                                  float(case.pt_lat[pts[i]]), float(case.pt_lon[pts[i]])))
    pairs.append(p)

    n_range = max(3, n // 10)
    sample = 10
    one_t = Pair(f"{case.name}: range 1 h, point -> one target (engine: all stops)")
    all_t = Pair(f"{case.name}: range 1 h, point -> all stops", target="no worse than today",
                 note=f"ferrobus: {sample} targets per query, scaled to {len(live_targets)}")
    for i in range(n_range):
        j = int(pts[i])
        t0 = int(deps[i])
        sel = rng.choice(len(live_targets), sample, replace=False)

        def eng_range(_: int, j: int = j, t0: int = t0) -> None:
            forward_profile(router, float(case.pt_lat[j]), float(case.pt_lon[j]), t0, t0 + H, q)

        def fb_range(_: int, j: int = j, t0: int = t0, sel: np.ndarray = sel) -> None:
            for x in sel:
                ferrobus.range_multimodal_routing(model, case.pt_points[j],
                                                  live_targets[int(x)], (t0, t0 + H), MAX_BUSES)

        before = len(one_t.engine)
        _interleave(one_t, 1, eng_range, fb_range)
        one_t.peer[before] /= sample
        all_t.engine.append(one_t.engine[before])
        all_t.peer.append(one_t.peer[before] * len(live_targets))
    pairs.extend([one_t, all_t])
    return pairs


def run_matrix(case: Case, minutes: int, reps: int) -> Pair:
    """The POA hexagon matrix: engine in one call, ferrobus one call per departure minute."""
    import ferrobus

    live = [j for j, x in enumerate(case.pt_points) if x is not None]
    lat, lon = case.pt_lat[live], case.pt_lon[live]
    fpts = [case.pt_points[j] for j in live]
    q = QueryParams(max_buses=3, walk=case.q.walk)
    t0 = 14 * H
    pair = Pair(f"poa: matrix {len(live):,} x {len(live):,}, {minutes} departure minutes",
                target="no worse than today (0.28)")
    travel_time_matrix(case.router, lat[:2], lon[:2], lat, lon, t0, 2, q, 7200)  # compile

    def eng(_: int) -> None:
        travel_time_matrix(case.router, lat, lon, lat, lon, t0, minutes, q, 7200)

    def fb(_: int) -> None:
        for m in range(minutes):
            ferrobus.travel_time_matrix(case.model, fpts, t0 + 60 * m, 3)

    _interleave(pair, reps, eng, fb)
    return pair


# The child's own peak (VmHWM of its exec'd image; getrusage would include the parent's
# pages copied at fork).
RSS_TAIL = """
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print("HWM", int(line.split()[1]))
"""

# Each child prints its own in-process time (from its first line, after the interpreter
# has started, to the answer) as "T <seconds>" besides the wall time the parent measures.
# The engine child goes from the GTFS file to the answer through `TimetableCache.from_gtfs`:
# it hashes the file's bytes (the cache key), memory-maps the compiled day when that key
# is cached (warm: nothing read or parsed) or reads, compiles and stores it (cold).
ENGINE_CHILD = """
import sys, time
t0 = time.perf_counter()
import datetime as dt
from app.routing.cache import TimetableCache
from app.routing.raptor import QueryParams, Router
from app.routing.walk import WalkParams
tt = TimetableCache(sys.argv[1]).from_gtfs([sys.argv[4]], dt.date.fromisoformat(sys.argv[5]),
                                           names=[sys.argv[6]])
r = Router(tt)
q = QueryParams(4, walk=WalkParams(speed_kmh=5.04, max_walk_m=800.0, transfer_radius_m=400.0))
s = int(sys.argv[2])
x = r.earliest_arrival(float(tt.stop_lat[s]), float(tt.stop_lon[s]), int(sys.argv[3]),
                      q).stop_times()
print("T", time.perf_counter() - t0)
print(int((x < (1 << 30)).sum()), "numba" in sys.modules, "pandas" in sys.modules)
""" + RSS_TAIL

FERROBUS_CHILD = """
import sys, time
t0 = time.perf_counter()
import datetime as dt
import ferrobus
m = ferrobus.create_transit_model(sys.argv[1], [sys.argv[2]], dt.date.fromisoformat(sys.argv[3]),
                                  int(sys.argv[4]))
lat, lon, lat2, lon2 = map(float, sys.argv[5:9])
p = ferrobus.create_transit_point(lat, lon, m, int(sys.argv[9]), 10000)
t = ferrobus.create_transit_point(lat2, lon2, m, int(sys.argv[9]), 10000)
print(ferrobus.find_routes_one_to_many(m, p, [t], int(sys.argv[10]), 4) is not None)
print("T", time.perf_counter() - t0)
""" + RSS_TAIL


def _child(code: str, *args: str) -> tuple[float, float, str, float]:
    """Run `python -c code args` from the project root: (wall seconds, peak RSS MiB, stdout,
    in-process seconds)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out, _ = proc.communicate()
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {code[:60]}")
    lines = out.strip().splitlines()
    hwm = [int(x.split()[1]) for x in lines if x.startswith("HWM ")]
    inner = [float(x.split()[1]) for x in lines if x.startswith("T ")]
    text = " ".join(x for x in lines if not x.startswith(("HWM ", "T ")))
    return wall, hwm[0] / 1024.0, text, inner[0]


def run_start(case: Case, reps: int) -> tuple[list[Pair], str]:
    """Feed -> first answer (warm and cold engine) and peak RSS, fresh processes, interleaved."""
    s = int(next(i for i, p in enumerate(case.stop_points) if p is not None))
    t_ = s + 1
    t_dep = WINDOWS[case.name][0] + H
    fb_args = (str(case.workdir / "walks.osm.pbf"), str(case.workdir / "gtfs"),
               case.day.isoformat(), str(_fb_seconds(TRANSFER_M)), str(case.tt.stop_lat[s]),
               str(case.tt.stop_lon[s]), str(case.tt.stop_lat[t_]), str(case.tt.stop_lon[t_]),
               str(_fb_seconds(WALK_M)), str(t_dep))
    warm = Pair(f"{case.name}: feed -> first answer, warm cache, spawn to exit (s)",
                target="<= 1.0")
    inner = Pair(f"{case.name}: feed -> first answer, warm cache, in the process (s)",
                 target="<= 1.0", note="from the child's first line: interpreter start excluded")
    cold = Pair(f"{case.name}: feed -> first answer, engine timetable cache cold (s)")
    rss = Pair(f"{case.name}: peak RSS of that process (MiB)", target="<= 2.0")
    seen = ""
    warm_dir = case.workdir / "ttcache"
    feed = (str(case.gtfs_zip), case.day.isoformat(), case.feed_name)
    _child(ENGINE_CHILD, str(warm_dir), str(s), str(t_dep), *feed)  # fills the warm cache
    for i in range(reps):
        runs = [("w", ENGINE_CHILD, (str(warm_dir), str(s), str(t_dep), *feed)),
                ("f", FERROBUS_CHILD, fb_args)]
        for tag, code, args in (runs if i % 2 == 0 else runs[::-1]):
            wall, mib, out, t_in = _child(code, *args)
            if tag == "w":
                warm.engine.append(wall)
                inner.engine.append(t_in)
                rss.engine.append(mib)
                seen = out
            else:
                warm.peer.append(wall)
                inner.peer.append(t_in)
                cold.peer.append(wall)
                rss.peer.append(mib)
        with tempfile.TemporaryDirectory(prefix="wr-cold-") as empty:
            wall, _, _, _ = _child(ENGINE_CHILD, empty, str(s), str(t_dep), *feed)
        cold.engine.append(wall)
    return [warm, inner, cold, rss], seen


def main(quick: bool = False) -> int:
    """Prepare both feeds, run every measure and print the tables."""
    ap_n = 40 if quick else 200
    load0 = os.getloadavg()
    print(f"# engine vs ferrobus 0.2.1, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} CPUs, load average {load0[0]:.2f} / {load0[1]:.2f} / {load0[2]:.2f} "
          f"(1/5/15 min; shared machine), AOT kernels: {using_aot()}")
    pairs: list[Pair] = []
    agree: dict[str, Agreement] = {}
    with tempfile.TemporaryDirectory(prefix="wr-ferrobus-") as tmp:
        base = Path(tmp)
        for name in ("midnotts", "poa"):
            case = prepare(name, ap_n, base)
            print(_rss_line(f"{name} prepared"))
            pairs.extend(run_queries(case, ap_n, agree))
            print(_rss_line(f"{name} queries"))
            if name == "poa":
                pairs.append(run_matrix(case, 12 if quick else 120, 1 if quick else 2))
                print(_rss_line("poa matrix"))
            start, seen = run_start(case, 3 if quick else 7)
            print(f"  {name} first-answer child (reached, numba imported, pandas imported): "
                  f"{seen}")
            pairs.extend(start)
            print(_rss_line(f"{name} start-up children"))
    load1 = os.getloadavg()
    print("\n| Measure | n | engine p50 | engine p95 | ferrobus p50 | ferrobus p95 | "
          "ratio p50 | ratio p95 | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for p in pairs:
        print(p.row("s" if "(s)" in p.name or "(MiB)" in p.name else "ms"))
    print("\n(ms unless marked; ratio = engine / ferrobus)")
    print("\n| Agreement | stops reached | equal | within 5 s (walk rounding) | ferrobus "
          "earlier | engine earlier | engine only | ferrobus only |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for a in agree.values():
        print(a.row())
    print("\nDisagreements over 5 s, named from ferrobus's own journeys (a sample):")
    for a in agree.values():
        for c, m in sorted(a.classes.items(), key=lambda x: -x[1]):
            print(f"- {a.kind}: {c}: {m}")
    print("\nRule differences (same timetable, same walk network, same limits):")
    for line in RULES:
        print(f"- {line}")
    print(f"\nload average at the end {load1[0]:.2f} / {load1[1]:.2f} / {load1[2]:.2f}; peak "
          f"RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"
          " MiB (both engines)")
    return 0


RULES = (
    "walk seconds: the engine rounds every walk up (ceil(metres / 1.4 m/s)); ferrobus rounds "
    "to the nearest second, so answers often differ by a second per walk leg",
    "chained walks: ferrobus may walk on from a stop reached on foot (access walk then a "
    "transfer walk, transfer after transfer, transfer then egress); the engine never "
    "chains walks (docs/routing.md), so ferrobus is sometimes earlier",
    "bus limit: ferrobus `max_transfers=k` allows k rides (it counts rounds); the engine's "
    "`max_buses=k` is the same limit, so both run with 4",
    "street network: ferrobus keeps stops it considers outside its network unreachable "
    "(a few isolated stops of the synthetic network); the engine reaches them",
    "one access stop: ferrobus's one-to-many runs RAPTOR from a single access stop, the "
    "nearest (its MAX_CANDIDATE_STOPS is 1), plus that stop's foot transfers (<= 400 m) in "
    "round 0; the engine starts from every stop within the 800 m access walk, so it is "
    "earlier (or the only one) wherever the best first bus leaves from another stop",
    "boarding after a bus: ferrobus boards the next bus from the previous bus's departure "
    "time at the stop (its board time), the engine from its arrival (same where a bus does "
    "not wait at the stop)",
)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer queries, 12 matrix minutes")
    raise SystemExit(main(ap.parse_args().quick))
