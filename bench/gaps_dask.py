"""Time the gap batch in process and on a Dask LocalCluster of 1 and 2 workers, side by side.

Every variant routes the same run (684 Notts LSOAs, every postcode, 3 bands) without storing
it; each prints its wall time (cluster start included), the routing time, every worker's
origins per second and the machine's load, and the 2-worker/1-worker ratio is printed.
Results are checked identical across variants before any figure is printed.

Needs a database with the Notts data loaded (`python -m ingest all DATA_DIR`), named by
DATABASE_URL.

    DATABASE_URL=... .venv/bin/python -m bench.gaps_dask [--runs 2] [--date 2026-11-22]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

import numpy as np

from app.db import get_engine
from app.services.gaps.batch import BatchRun, prepare, run_batch
from app.services.gaps.compute import GapParams

VARIANTS = (("inline", "inline", None), ("local, 1 worker", "local", 1),
            ("local, 2 workers", "local", 2))


def same(a: BatchRun, b: BatchRun) -> bool:
    """True when two runs routed identical minutes for every band."""
    return all(np.array_equal(x.rt_min, y.rt_min) for x, y in zip(a.results, b.results,
                                                                    strict=True))


def main() -> None:
    """Run every variant `--runs` times (interleaved); print medians and the scaling ratio."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 11, 22))
    args = ap.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("set DATABASE_URL to a database with the Notts data loaded")
    params = GapParams(reference=args.date)
    engine = get_engine()
    prep = prepare(engine, params)
    wall: dict[str, list[float]] = {v[0]: [] for v in VARIANTS}
    routing: dict[str, list[float]] = {v[0]: [] for v in VARIANTS}
    last: dict[str, BatchRun] = {}
    for _ in range(args.runs):
        for name, scheduler, workers in VARIANTS:
            t0 = time.perf_counter()
            run = run_batch(params, scheduler=scheduler, workers=workers, store=False,
                            progress=False, engine=engine, prepared=prep)
            wall[name].append(time.perf_counter() - t0)
            routing[name].append(run.routing.seconds)
            last[name] = run
    base = last["inline"]
    if not all(same(base, r) for r in last.values()):
        raise SystemExit("the variants disagree: no figures printed")
    n = len(prep.ctx.origins)
    days = len({s.weekday for s in prep.ctx.listings.slots})
    print(f"gap batch: {n:,} origins x {days} dates, "
          f"{sum(len(r.slots) for r in base.results)} sessions; {args.runs} runs each, "
          f"load average before/after {os.getloadavg()[0]:.2f} (2-core machine shared)")
    for name, _, _ in VARIANTS:
        print(f"  {name:17s} wall p50 {statistics.median(wall[name]):6.1f} s   routing p50 "
              f"{statistics.median(routing[name]):6.1f} s   "
              f"{n * days / statistics.median(routing[name]):8,.0f} origins/s overall")
        for line in last[name].routing.lines()[1:]:
            print(f"    {line.strip()}")
    ratio = statistics.median(routing["local, 1 worker"]) / statistics.median(
        routing["local, 2 workers"])
    print(f"  scaling, 2 workers against 1 (routing): {ratio:.2f}x; results identical")


if __name__ == "__main__":
    main()
