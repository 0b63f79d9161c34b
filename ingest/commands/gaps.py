"""`python -m ingest gaps [--band B] [--budget N]`: compute the planner's gap analysis."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from app.analysis.bands import BAND_NAMES
from app.analysis.classes import default_region
from app.db import get_engine
from app.errors import InvalidInput
from app.services.gaps.batch import prepare, run_batch
from app.services.gaps.compute import BandResult, GapParams
from app.settings import get_settings
from ingest.directory.detect import DATASET_OF

DIRECTORY_DATASETS = frozenset(DATASET_OF.values())  # covered by band fingerprints


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `gaps` command."""
    p = subparsers.add_parser(
        "gaps", help="compute accessibility and need-vs-access gaps per LSOA, ward and district",
        description="Route round trips from postcode origins in every LSOA to every session in "
                    "each time band, compute the metrics (see docs/method.md) and store them "
                    "with the run's parameters and data versions. Bands whose listings, "
                    "parameters and data are unchanged since their last run are skipped "
                    "unless --force.")
    p.add_argument("--band", action="append", choices=BAND_NAMES,
                   help="band to compute (repeatable; default all three)")
    p.add_argument("--budget", action="append", type=int,
                   help="one-way travel budget in minutes (repeatable; default 30, 45 and 60)")
    p.add_argument("--max-origins", type=int, default=None,
                   help="postcode origins per LSOA (a hash sample if more); default the "
                        "GAPS_MAX_ORIGINS setting, 0 = every postcode of the LSOA")
    p.add_argument("--decay", choices=("stepped", "gaussian"), default="stepped",
                   help="E2SFCA distance-decay function (default stepped)")
    p.add_argument("--date", type=dt.date.fromisoformat,
                   help="reference date: the representative week is the first ordinary week "
                        "from it (default today)")
    p.add_argument("--force", action="store_true", help="recompute even unchanged bands")
    p.add_argument("--scheduler", default=None,
                   help="where to route: 'inline' (this process), 'local' (a Dask LocalCluster "
                        "on this machine) or a Dask scheduler address such as "
                        "tcp://scheduler:8786 (default: GAPS_SCHEDULER, or "
                        "DASK_SCHEDULER_ADDRESS when set, else 'local')")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes of the LocalCluster (default GAPS_WORKERS, else one "
                        "per core)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _params(args: argparse.Namespace) -> GapParams:
    budgets = tuple(sorted(set(args.budget or (30, 45, 60))))
    if any(not 5 <= b <= 180 for b in budgets):
        raise InvalidInput("--budget must be between 5 and 180 minutes", field="budget")
    if args.workers is not None and args.workers < 1:
        raise InvalidInput("--workers must be at least 1", field="workers")
    max_origins = (get_settings().gaps_max_origins if args.max_origins is None
                   else args.max_origins)
    if not 0 <= max_origins <= 1000:
        raise InvalidInput("--max-origins must be between 0 (every postcode) and 1000",
                           field="max_origins")
    return GapParams(budgets=budgets, max_origins=max_origins, decay=args.decay,
                     reference=args.date)


def _unchanged(stored: dict[str, Any] | None, fingerprint: str, params: GapParams,
               versions: dict[str, Any]) -> bool:
    """True when a band's stored results came from the same listings, parameters and data."""
    if stored is None or stored["fingerprint"] != fingerprint:
        return False
    old = dict(stored["params"])
    for derived in ("week", "origins", "district_listings"):
        old.pop(derived, None)
    return old == params.as_dict() and _data_key(stored["data_versions"]) == _data_key(versions)


def _data_key(versions: dict[str, Any]) -> Any:
    """What must match for results to be reusable: file contents, not load times.

    The directory is left out: the band fingerprint already covers the listings.
    """
    datasets = {k: (v.get("vintage"), v.get("sha256"))
                for k, v in versions.get("datasets", {}).items()
                if k not in DIRECTORY_DATASETS}
    return datasets, versions.get("gtfs")


def free_pass_summary(res: BandResult, budgets: tuple[int, ...]
                      ) -> tuple[int, int, str] | None:
    """(budget, older residents losing access before the pass is valid, from when) of a band
    at the default budget; None when the pass is free all day (weekends)."""
    budget = 45 if 45 in budgets else budgets[0]
    blocks = [d.get(str(budget), {}).get("free_with_pass") for d in res.details.values()]
    free = [b for b in blocks if b]
    if not free or free[0]["free_from"] is None:
        return None
    return budget, sum(b["residents_losing_access_before_0930"] for b in free), free[0]["free_from"]


def run(args: argparse.Namespace) -> int:
    """Compute the requested bands, store them, print a summary with the time taken."""
    params = _params(args)
    engine = get_engine()
    prep = prepare(engine, params)
    ctx, stored = prep.ctx, prep.stored
    wanted = list(args.band or BAND_NAMES)
    todo = [b for b in wanted if args.force or not _unchanged(
        stored.get(b), ctx.listings.band_fingerprint(b), ctx.params, prep.versions)]
    skipped = [b for b in wanted if b not in todo]
    done = run_batch(params, todo, scheduler=args.scheduler, workers=args.workers,
                     progress=not args.quiet, engine=engine, prepared=prep)
    print(f"gaps: {len(ctx.areas.codes)} LSOAs, {len(ctx.origins)} postcode origins, "
          f"{len(ctx.listings.activities)} activities, week of {ctx.week[0]} "
          f"(inputs {prep.seconds:.1f} s)")
    for res in done.results:
        print(f"  {res.band:16s} {len(res.slots):4d} sessions, {res.searches:4d} searches, "
              f"{sum(len(b.codes) for b in res.blocks):6d} rows, {done.timings[res.band]:.1f} s")
    if done.results:
        for line in done.routing.lines():
            print(f"  {line}")
    for res in done.results:
        lost = free_pass_summary(res, params.budgets)
        if lost:
            print(f"  {res.band:16s} free with a bus pass ({lost[0]} min): {lost[1]:,} older "
                  f"residents lose access because the only way there is before {lost[2]}")
    for band in skipped:
        print(f"  {band:16s} unchanged since run {stored[band]['run_id']}: skipped "
              "(use --force to recompute)")
    region = get_settings().planner_region or ", ".join(default_region(
        ctx.listings.district_listings, get_settings().planner_region_min_share))
    print(f"default comparison region: {region}")
    print(f"run {done.run_id if done.run_id is not None else '-'}: budgets "
          f"{list(params.budgets)} min, total {done.seconds:.1f} s")
    return 0
