"""Time the gap batch: 684 Notts LSOAs x 3 bands, end to end (inputs, routing, metrics, store).

Needs a database with the areas, the synthetic timetable and the sample directory loaded
(`python -m ingest all ...`, `ingest gtfs`, `ingest activities`), named by DATABASE_URL.
Prints each run's stages and p50/p95 over the runs; the target is <= 60 s on 2 cores.

    DATABASE_URL=... .venv/bin/python -m bench.gaps_bench [--runs 5] [--date 2026-11-22]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import time
from pathlib import Path

from app.analysis.bands import BAND_NAMES
from app.db import get_engine
from app.services.gaps.compute import (
    GapParams,
    area_need_rows,
    build_context,
    compute_band,
)
from app.services.gaps.store import save_matrices, save_run
from app.services.transit.router import clear_memory_cache
from app.settings import get_settings


def one_run(params: GapParams, cache_dir: Path) -> dict[str, float]:
    """One full batch (all bands, forced), timed by stage; returns seconds per stage."""
    engine = get_engine()
    t = {"start": time.perf_counter()}
    cpu0 = time.process_time()
    with engine.connect() as conn:
        ctx = build_context(conn, params)
        t["inputs"] = time.perf_counter()
        results = [compute_band(conn, ctx, band) for band in BAND_NAMES]
        t["bands"] = time.perf_counter()
    n_origins: dict[str, int] = {}
    for code in ctx.origins.area_codes.tolist():
        n_origins[code] = n_origins.get(code, 0) + 1
    with engine.begin() as conn:
        run_id = save_run(conn, ctx, results, params, time.perf_counter() - t["start"],
                          area_need_rows(ctx.areas, n_origins))
    for res in results:
        save_matrices(cache_dir, ctx, res, run_id)
    t["store"] = time.perf_counter()
    return {
        "inputs": t["inputs"] - t["start"], "routing+metrics": t["bands"] - t["inputs"],
        "store": t["store"] - t["bands"], "total": t["store"] - t["start"],
        "cpu": time.process_time() - cpu0, "lsoas": len(ctx.areas.codes),
        "origins": len(ctx.origins), "slots": sum(len(r.slots) for r in results),
    }


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    """Run the batch `--runs` times after one cold run; print stages and p50/p95."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 11, 22))
    args = ap.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("set DATABASE_URL to a database with the Notts data loaded")
    params = GapParams(reference=args.date)
    cache_dir = get_settings().cache_dir
    clear_memory_cache()
    cold = one_run(params, cache_dir)  # numba compile, timetables from disk or compiled
    print(f"gaps bench: {cold['lsoas']:.0f} LSOAs, {cold['origins']:.0f} origins, "
          f"{cold['slots']:.0f} session slots x 3 bands, budgets 30/45/60, "
          f"{os.cpu_count()} CPUs")
    print(f"cold run (first in process): total {cold['total']:.1f} s")
    totals = []
    for i in range(args.runs):
        clear_memory_cache()  # re-read compiled timetables like a fresh `ingest gaps` would
        r = one_run(params, cache_dir)
        totals.append(r["total"])
        print(f"run {i + 1}: inputs {r['inputs']:.1f} s, routing+metrics "
              f"{r['routing+metrics']:.1f} s, store {r['store']:.1f} s, total "
              f"{r['total']:.1f} s (cpu {r['cpu']:.1f} s)")
    print(f"batch total: p50 {pct(totals, 50):.1f} s, p95 {pct(totals, 95):.1f} s, "
          f"mean {statistics.mean(totals):.1f} s over {len(totals)} runs (target <= 60 s); "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
