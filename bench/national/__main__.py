"""`python -m bench.national [--scale S] [--steps ...] [--workdir DIR]`: England at scale.

From nothing: generate SYNTHETIC England at scale S (bench/national/synth.py), start a
private PostGIS (scripts/pg.sh) unless --database-url is given, load the areas through the
real `ingest` commands, read the GTFS, load it into its store, compile one weekday cold
and from the cache, time earliest-arrival queries with and without a 120-minute cap and
from a point with no stop nearby, run `ingest gaps`, and run the gap batch on a
LocalCluster of 2 worker processes against 1 (same origins). Every step runs in a fresh
process, so each figure has its own peak RSS (from os.wait4). Prints each figure against
the issue's target and appends the table to bench/RESULTS.md with the machine's load.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
ALL_STEPS = ("generate", "areas", "read", "gtfs-load", "compile", "queries", "finder", "gaps",
             "scaling")
AREA_FILES = (  # ingest command, file under the data folder, in dependency order
    ("boundaries", "boundaries/lad24_SYNTHETIC.geojson"),
    ("boundaries", "boundaries/lsoa21_SYNTHETIC.geojson"),
    ("lookups", "lookups/LSOA21_WD24_LAD24_SYNTHETIC.csv"),
    ("iod", "iod/File_7_IoD2025_SYNTHETIC.csv"),
    ("population", "population/census2021_SYNTHETIC.csv"),
    ("postcodes", "codepoint/codepo_gb_SYNTHETIC.zip"),
    ("naptan", "naptan/Stops_SYNTHETIC.csv"),
)


@dataclass
class Figure:
    """One printed figure: what, value, peak RSS of its process, target, met."""

    step: str
    measure: str
    value: str
    rss_mib: float | None
    target: str
    met: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Child:
    """A finished child process."""

    rc: int
    seconds: float
    rss_mib: float
    out: str
    cpu_s: float = 0.0  # user + system CPU of the child: less sensitive to a loaded machine

    def cpu_note(self) -> str:
        """`CPU 123 s` for the figure's notes."""
        return f"CPU {fmt(self.cpu_s, ' s')}"

    def result(self) -> dict:
        """The RESULT json of a bench step (empty if it failed)."""
        for line in reversed(self.out.splitlines()):
            if line.startswith("RESULT "):
                return dict(json.loads(line[7:]))
        return {}


def run_child(args: list[str], env: dict[str, str], label: str) -> Child:
    """Run a child, echo its output, and measure wall time and peak RSS."""
    print(f"  [{dt.datetime.now(dt.UTC):%H:%M:%S}] {label} ...", flush=True)
    t = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if not line.startswith("RESULT "):
            print("    " + line.rstrip()[:160], flush=True)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Child(proc.returncode, time.perf_counter() - t, usage.ru_maxrss / 1024,
                 "".join(lines), usage.ru_utime + usage.ru_stime)


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_postgis(work: Path) -> tuple[str, Path]:
    """A private PostGIS cluster under the workdir (scripts/pg.sh); returns its URL."""
    data = work / "pg"
    work.chmod(0o755)
    url = subprocess.run(["bash", "scripts/pg.sh", "start", str(data), str(free_port()),
                          "withinreach"], cwd=ROOT, check=True, capture_output=True,
                         text=True, env={**os.environ, "PG_FAST": "1"}).stdout.strip()
    return url.splitlines()[-1], data


def fmt(x: float, unit: str = "") -> str:
    """Short number."""
    return f"{x:,.3g}{unit}" if x < 100 else f"{x:,.0f}{unit}"


def main() -> int:
    """Run the chosen steps and print/write every figure."""
    ap = argparse.ArgumentParser(prog="python -m bench.national", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of England (1 = full)")
    ap.add_argument("--steps", default=",".join(ALL_STEPS),
                    help=f"comma-separated subset of {','.join(ALL_STEPS)}")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where data, cache and the PostGIS cluster go (default: a /tmp dir)")
    ap.add_argument("--database-url", default=None,
                    help="use this database instead of starting a private PostGIS")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    ap.add_argument("--no-results", action="store_true", help="print only")
    ap.add_argument("--keep", action="store_true", help="keep the workdir afterwards")
    ap.add_argument("--scaling-districts", type=int, default=0,
                    help="districts routed by the scaling step (0 = every district)")
    ap.add_argument("--scaling-pairs", type=int, default=1,
                    help="runs of 1 then 2 workers, alternated; the figure is the median "
                         "ratio of the pairs (a shared machine's speed drifts)")
    args = ap.parse_args()
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = [s for s in steps if s not in ALL_STEPS]
    if unknown:
        ap.error(f"unknown steps: {', '.join(unknown)}")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="withinreach-national-"))
    work.mkdir(parents=True, exist_ok=True)
    load0 = os.getloadavg()
    started = dt.datetime.now(dt.UTC)
    print(f"# England at scale {args.scale:g} (SYNTHETIC), {started:%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} CPUs, load average {load0[0]:.1f}/{load0[1]:.1f}/{load0[2]:.1f}; "
          f"workdir {work}", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    pg_dir: Path | None = None
    figures: list[Figure] = []
    try:
        db_steps = {"areas", "gtfs-load", "compile", "finder", "gaps", "scaling"} & set(steps)
        if db_steps:
            if args.database_url:
                env["DATABASE_URL"] = args.database_url
            else:
                url, pg_dir = start_postgis(work)
                env["DATABASE_URL"] = url
            env["CACHE_DIR"] = str(work / "appcache")
            mig = run_child([PY, "-m", "alembic", "upgrade", "heads"], env, "alembic upgrade")
            if mig.rc:
                raise SystemExit("migration failed")
        for step in steps:
            figures += STEP_FUNCS[step](args, work, env)
    finally:
        if pg_dir is not None:
            subprocess.run(["bash", "scripts/pg.sh", "stop", str(pg_dir)], cwd=ROOT, check=False,
                           capture_output=True)
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    load1 = os.getloadavg()
    table = render(figures, args.scale, started, load0, load1)
    print("\n" + table)
    if not args.no_results:
        with args.results.open("a", encoding="utf-8") as fh:
            fh.write("\n" + table)
        print(f"appended to {args.results}")
    return 0


def step_generate(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[Figure]:
    """Generate the synthetic files."""
    shutil.rmtree(work / "data", ignore_errors=True)
    c = run_child([PY, "-m", "bench.national.synth", "--scale", str(args.scale), "--out",
                   str(work / "data")], env, "generate synthetic England")
    raw = next((ln.split(": ", 1)[1] for ln in c.out.splitlines()
                if ln.startswith("counts: ")), "{}")
    counts = ", ".join(f"{k} {v:,}" for k, v in ast.literal_eval(raw).items())
    return [Figure("generate", f"generate SYNTHETIC England ({counts})", fmt(c.seconds, " s"),
                   c.rss_mib, "-", "ok" if c.rc == 0 else f"FAILED rc={c.rc}")]


def step_areas(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[Figure]:
    """Load boundaries, lookups, IoD, population, postcodes and NaPTAN via `ingest`."""
    total, peak, failed = 0.0, 0.0, []
    out = []
    for command, rel in AREA_FILES:
        c = run_child([PY, "-m", "ingest", command, str(work / "data" / rel), "--quiet"], env,
                      f"ingest {command}")
        total += c.seconds
        peak = max(peak, c.rss_mib)
        if c.rc:
            failed.append(command)
        out.append(Figure("areas", f"  ingest {command}", fmt(c.seconds, " s"), c.rss_mib, "",
                          "ok" if c.rc == 0 else f"FAILED rc={c.rc}"))
    met = "no (failed: " + ", ".join(failed) + ")" if failed else _met(
        total <= 600 and peak <= 4096)
    return [Figure("areas", "load postcodes, LSOAs and NaPTAN-sized stops (+ lookups, IoD, "
                   "census)", fmt(total, " s"), peak, "≤ 10 min, ≤ 4 GB", met), *out]


def _met(ok: bool) -> str:
    return "yes" if ok else "no"


def step_read(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[Figure]:
    """read_gtfs in a fresh process."""
    c = run_child([PY, "-m", "bench.national.steps", "read", str(work)], env, "read_gtfs")
    r = c.result()
    if not r:
        return [Figure("read", "read the GTFS", "failed", c.rss_mib, "≤ 3 min, ≤ 6 GB", "no")]
    return [Figure("read", f"read the GTFS with validation ({r['stop_times']:,} stop_times, "
                   f"{r['trips']:,} trips)", fmt(r["seconds"], " s"), c.rss_mib,
                   "≤ 3 min, ≤ 6 GB", _met(r["seconds"] <= 180 and c.rss_mib <= 6144),
                   [c.cpu_note()])]


def step_gtfs_load(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[Figure]:
    """`ingest gtfs` into PostGIS (stops, routes, trips as rows; stop times as blocks)."""
    c = run_child([PY, "-m", "ingest", "gtfs", str(work / "data" / "gtfs" /
                                                    "england_SYNTHETIC_gtfs.zip"),
                   "--name", "england"], env, "ingest gtfs")
    return [Figure("gtfs-load", "load the GTFS into PostGIS (`ingest gtfs`: read and "
                   "validate, then stop_times as columnar blocks by binary COPY)",
                   fmt(c.seconds, " s"), c.rss_mib, "≤ 15 min, ≤ 6 GB",
                   _met(c.rc == 0 and c.seconds <= 900 and c.rss_mib <= 6144)
                   if c.rc == 0 else f"FAILED rc={c.rc}", [c.cpu_note()])]


def step_compile(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[Figure]:
    """Compile one weekday cold (its process also reads the feed)."""
    c = run_child([PY, "-m", "bench.national.steps", "compile", str(work)], env, "compile")
    r = c.result()
    if not r:
        return [Figure("compile", "compile one date, cold", "failed", c.rss_mib, "≤ 30 s", "no")]
    out = [Figure("compile", f"compile Wed 2026-12-02 cold ({r['trips']:,} trips, "
                  f"{r['array_mib']:.0f} MiB of arrays)", fmt(r["seconds"], " s"), c.rss_mib,
                  "≤ 30 s; process ≤ 8 GB", _met(r["seconds"] <= 30 and c.rss_mib <= 8192),
                  [f"{c.cpu_note()} for the whole process, reading the feed included"])]
    # The app's own path: the feed read back from PostGIS (`ingest gtfs` ran before).
    d = run_child([PY, "-m", "bench.national.steps", "compile-db", str(work)], env,
                  "compile from the database")
    rd = d.result()
    if rd and "skipped" not in rd:
        out.append(Figure("compile", f"  same from PostGIS as the app does: read the stored "
                          f"feed {rd['read_s']:.1f} s ({rd['stop_times']:,} stop_times), then "
                          "compile", fmt(rd["seconds"], " s"), d.rss_mib,
                          "≤ 30 s; process ≤ 8 GB",
                          _met(rd["seconds"] <= 30 and d.rss_mib <= 8192)))
    return out


def step_queries(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[Figure]:
    """From cache, then earliest-arrival timings."""
    c = run_child([PY, "-m", "bench.national.steps", "queries", str(work)], env, "queries")
    r = c.result()
    if not r:
        return [Figure("queries", "earliest arrival", "failed", c.rss_mib, "", "no")]
    out = [Figure("compile", "compile one date, from cache", fmt(r["cache_load_s"], " s"),
                  c.rss_mib, "≤ 3 s", _met(r["cache_load_s"] <= 3))]
    for key, label in (("uncapped", "earliest arrival from a postcode, max 3 buses"),
                       ("capped", f"  same, 120-min cap ({r['capped_via']})")):
        t = r[key]
        out.append(Figure("queries", f"{label} (n={t['n']})",
                          f"p50 {t['p50_ms']:.2f} / p95 {t['p95_ms']:.2f} ms", c.rss_mib,
                          "p50 ≤ 1 ms, p95 ≤ 4 ms",
                          _met(t["p50_ms"] <= 1 and t["p95_ms"] <= 4)))
    t = r["no_stop"]
    out.append(Figure("queries", "earliest arrival from a point with no stop nearby",
                      f"p50 {t['p50_ms']:.3f} / p95 {t['p95_ms']:.3f} ms", c.rss_mib,
                      "≤ 0.05 ms", _met(t["p50_ms"] <= 0.05)))
    out[-1].notes.append(f"median stops reached {r['median_stops_reached']:.0f}")
    return out


def step_finder(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[Figure]:
    """Load the synthetic directory, then the finder request for a week."""
    out = _load_directory(work, env)
    # A national directory lists what cannot be reached only near home (see README).
    fenv = {"FINDER_LIST_KM": "40", **env}
    c = run_child([PY, "-m", "bench.national.steps", "finder", str(work)], fenv, "finder")
    r = c.result()
    if not r:
        return [*out, Figure("finder", "finder request, 7 days", "failed", c.rss_mib,
                             "p50 ≤ 300 ms", "no")]
    return [*out, Figure("finder", f"finder request, 7 days, every activity within reach "
                         f"(n={r['n']}; first request {r['cold_s']:.1f} s; app CPU p50 "
                         f"{r.get('cpu_p50_ms', float('nan')):.0f} ms; median "
                         f"{r['rows_median']:.0f} rows; FINDER_LIST_KM={r['list_km']:g})",
                         f"p50 {r['p50_ms']:.0f} / p95 {r['p95_ms']:.0f} ms", c.rss_mib,
                         "p50 ≤ 300 ms", _met(r["p50_ms"] <= 300))]


def _load_directory(work: Path, env: dict[str, str]) -> list[Figure]:
    """`ingest activities` of the synthetic listings, once per workdir."""
    done = work / "directory.loaded"
    if done.exists():
        return []
    a = run_child([PY, "-m", "ingest", "activities", str(work / "data" / "directory" /
                                                          "activities_SYNTHETIC.csv"),
                   "--quiet"], env, "ingest activities")
    if a.rc == 0:
        done.write_text("ok", encoding="utf-8")
    return [Figure("directory", "load the synthetic directory (activity CSV template)",
                   fmt(a.seconds, " s"), a.rss_mib, "-",
                   "ok" if a.rc == 0 else f"FAILED rc={a.rc}")]


def step_gaps(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[Figure]:
    """Run `ingest gaps` (the public batch entry) over the synthetic directory."""
    out = _load_directory(work, env)
    g = run_child([PY, "-m", "ingest", "gaps", "--force"], env, "ingest gaps")
    found = re.search(r"(\d+) LSOAs, (\d+) postcode origins, (\d+) activities", g.out)
    routed = re.search(r"routing: .*?, ([\d.]+) s", g.out)
    workers = re.findall(r"worker \S+: .*?= ([\d,]+) origins/s \(peak RSS ([\d,]+) MiB", g.out)
    what = ""
    if found:
        what = (f"{int(found[1]):,} LSOAs, {int(found[2]):,} origins, {int(found[3]):,} "
                f"activities; {int(found[2]) / g.seconds:.0f} origins/s end to end")
        if routed and workers:
            per = int(found[2]) / float(routed[1]) / len(workers)
            what += (f"; routing {float(routed[1]):.0f} s = {per:.0f} origins/s per worker "
                     f"({len(workers)} workers)")
    fig = Figure("gaps", f"gap batch, 3 bands (`ingest gaps --force`; {what})",
                 fmt(g.seconds, " s"), g.rss_mib, "≤ 60 min with 2 workers",
                 _met(g.seconds <= 3600) if g.rc == 0 else f"FAILED rc={g.rc}")
    if workers:
        fig.notes.append("per worker (origin x date)/s and peak RSS: " + ", ".join(
            f"{r} at {m} MiB" for r, m in workers))
    out.append(fig)
    return out


def step_scaling(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[Figure]:
    """The gap batch on a LocalCluster of 1 and of 2 worker processes, same origins.

    With --scaling-pairs N, N pairs run alternately (1, 2, 1, 2, ...): on a shared machine
    the speed of one core drifts by 20% between minutes, so one pair can be off either way.
    The figure is the median of the pairs' ratios; the notes give every pair and the
    first pair's details.
    """
    loaded = _load_directory(work, env)  # the sessions the batch routes to
    pairs: list[dict[int, dict[str, Any]]] = []
    peak = 0.0
    for k in range(max(1, args.scaling_pairs)):
        res: dict[int, dict[str, Any]] = {}
        for n in (1, 2):
            c = run_child([PY, "-m", "bench.national.steps", "gap-workers", str(work)],
                          {**env, "BENCH_GAP_WORKERS": str(n), "NUMBA_NUM_THREADS": "1",
                           "BENCH_GAP_DISTRICTS": str(args.scaling_districts)},
                          f"gap batch, LocalCluster of {n} worker(s), pair {k + 1}")
            res[n] = c.result()
            peak = max(peak, c.rss_mib)
        if not res[1] or not res[2]:
            return [*loaded, Figure("scaling", "2 workers against 1", "failed", peak,
                                    "≥ 1.7×", "no")]
        pairs.append(res)
    ratios = [p[1]["seconds"] / p[2]["seconds"] for p in pairs]
    ratio = statistics.median(ratios)
    one, two = pairs[0][1], pairs[0][2]
    fig = Figure("scaling", f"gap batch, LocalCluster of 2 workers against 1 "
                 f"({one['postcodes']:,} postcodes of {one['districts']} districts; "
                 + (f"median of {len(pairs)} alternated pairs; " if len(pairs) > 1 else "")
                 + "pairs (s with 1 / s with 2 = ratio): " + ", ".join(
                     f"{p[1]['seconds']:.0f} / {p[2]['seconds']:.0f} = {r:.2f}×"
                     for p, r in zip(pairs, ratios, strict=True))
                 + f"; first pair {one['postcodes_per_s_per_worker']:.0f} / "
                 f"{two['postcodes_per_s_per_worker']:.0f} postcodes/s per worker, "
                 f"load {one['load']:.1f} / {two['load']:.1f})", f"{ratio:.2f}×", peak,
                 "≥ 1.7×", _met(ratio >= 1.7))
    fig.notes.append(f"warm-up (1 district: map 7 timetables, load kernels) "
                     f"{one.get('warm_up_s', 0):.0f} s / {two.get('warm_up_s', 0):.0f} s")
    fig.notes.append("part tasks busy / CPU s per worker, every pair: " + "; ".join(
        f"{n} worker(s) " + ", ".join(f"{b:.0f}/{c:.0f}" for b, c in zip(
            p[n].get("worker_busy_s", []), p[n].get("worker_cpu_s", []), strict=False))
        for p in pairs for n in (1, 2)))
    c1, c2 = sum(one.get("worker_cpu_s", [0])), max(two.get("worker_cpu_s", [0]) or [0])
    if c2 > 0:
        client = two.get("client_cpu_s", 0.0)
        fig.notes.append(f"first pair's CPU-time speed-up (1 worker's part CPU / the busier "
                         f"of 2, client CPU {client:.0f} s added to both): {c1 / c2:.2f}× / "
                         f"{(c1 + client) / (c2 + client):.2f}×")
    fig.notes.append("worker peak RSS " + ", ".join(
        f"{r:,.0f}" for r in one["worker_rss_mib"] + two["worker_rss_mib"]) + " MiB")
    return [*loaded, fig]


STEP_FUNCS = {"generate": step_generate, "areas": step_areas, "read": step_read,
              "gtfs-load": step_gtfs_load, "compile": step_compile, "queries": step_queries,
              "finder": step_finder, "gaps": step_gaps, "scaling": step_scaling}


def render(figures: list[Figure], scale: float, started: dt.datetime,
           load0: tuple[float, float, float], load1: tuple[float, float, float]) -> str:
    """The Markdown table (also printed)."""
    lines = [
        f"## England scale (issue 14): SYNTHETIC England at s = {scale:g}, "
        f"{started:%Y-%m-%d %H:%M} UTC",
        "",
        f"`python -m bench.national {' '.join(sys.argv[1:])}` on {platform.machine()}, "
        f"{os.cpu_count()} cores (the load average says how busy they were). Load average "
        f"(1/5/15 min) {load0[0]:.1f}/{load0[1]:.1f}/{load0[2]:.1f} at the start, "
        f"{load1[0]:.1f}/{load1[1]:.1f}/{load1[2]:.1f} at the end. Each step is a fresh "
        "process; peak RSS is that process's.",
        "",
        "| Step | Measure | Value | Peak RSS (MiB) | Target | Met |",
        "|---|---|---|---:|---|---|",
    ]
    for f in figures:
        rss = f"{f.rss_mib:,.0f}" if f.rss_mib is not None else ""
        note = f" ({'; '.join(f.notes)})" if f.notes else ""
        lines.append(f"| {f.step} | {f.measure}{note} | {f.value} | {rss} | {f.target} | "
                     f"{f.met} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
