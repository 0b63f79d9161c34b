"""Time the gap batch: 684 Notts LSOAs x 3 bands, end to end (inputs, routing, metrics, store).

Every postcode as an origin (the default) is timed side by side with the old sample of 10
postcodes per LSOA, in the same process, and the ratio printed.

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
    variants = {"every postcode": GapParams(reference=args.date),
                "10 per LSOA": GapParams(reference=args.date, max_origins=10)}
    cache_dir = get_settings().cache_dir
    clear_memory_cache()
    cold = one_run(variants["every postcode"], cache_dir)  # numba compile, timetables
    print(f"gaps bench: {cold['lsoas']:.0f} LSOAs, {cold['slots']:.0f} session slots x 3 "
          f"bands, budgets 30/45/60, {os.cpu_count()} CPUs; cold run {cold['total']:.1f} s")
    totals: dict[str, list[float]] = {k: [] for k in variants}
    for i in range(args.runs):
        for name, params in variants.items():  # interleaved, so load affects both alike
            clear_memory_cache()  # re-read compiled timetables like a fresh `ingest gaps`
            r = one_run(params, cache_dir)
            totals[name].append(r["total"])
            print(f"run {i + 1} {name} ({r['origins']:.0f} origins): inputs "
                  f"{r['inputs']:.1f} s, routing+metrics {r['routing+metrics']:.1f} s, store "
                  f"{r['store']:.1f} s, total {r['total']:.1f} s (cpu {r['cpu']:.1f} s)")
    for name, vals in totals.items():
        print(f"{name}: p50 {pct(vals, 50):.1f} s, p95 {pct(vals, 95):.1f} s, "
              f"mean {statistics.mean(vals):.1f} s over {len(vals)} runs (target <= 60 s)")
    ratio = statistics.median(totals["every postcode"]) / statistics.median(totals["10 per LSOA"])
    print(f"every postcode / 10 per LSOA: {ratio:.2f}x; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    # leave the default (every postcode) as the stored run
    one_run(variants["every postcode"], cache_dir)


if __name__ == "__main__":
    main()
