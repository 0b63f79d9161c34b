"""`python -m ingest gaps [--band B] [--budget N]`: compute the planner's gap analysis."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from tqdm import tqdm

from app.analysis.bands import BAND_NAMES
from app.analysis.classes import default_region
from app.db import get_engine
from app.errors import InvalidInput
from app.services.gaps.compute import (
    BandResult,
    GapParams,
    area_need_rows,
    build_context,
    compute_band,
)
from app.services.gaps.store import current_bands, data_versions, save_matrices, save_run
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
    p.add_argument("--max-origins", type=int, default=0,
                   help="postcode origins per LSOA (a hash sample if more; default 0 = every "
                        "postcode)")
    p.add_argument("--decay", choices=("stepped", "gaussian"), default="stepped",
                   help="E2SFCA distance-decay function (default stepped)")
    p.add_argument("--date", type=dt.date.fromisoformat,
                   help="reference date: the representative week is the first ordinary week "
                        "from it (default today)")
    p.add_argument("--force", action="store_true", help="recompute even unchanged bands")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _params(args: argparse.Namespace) -> GapParams:
    budgets = tuple(sorted(set(args.budget or (30, 45, 60))))
    if any(not 5 <= b <= 180 for b in budgets):
        raise InvalidInput("--budget must be between 5 and 180 minutes", field="budget")
    if not 0 <= args.max_origins <= 1000:
        raise InvalidInput("--max-origins must be between 0 (every postcode) and 1000",
                           field="max_origins")
    return GapParams(budgets=budgets, max_origins=args.max_origins, decay=args.decay,
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
    started = time.perf_counter()
    with engine.connect() as conn:
        ctx = build_context(conn, params)
        versions = data_versions(conn)
        stored = current_bands(conn)
    loaded = time.perf_counter() - started
    wanted = list(args.band or BAND_NAMES)
    todo = [b for b in wanted if args.force or not _unchanged(
        stored.get(b), ctx.listings.band_fingerprint(b), params, versions)]
    skipped = [b for b in wanted if b not in todo]
    results: list[BandResult] = []
    timings: dict[str, float] = {}
    total = sum(1 for s in ctx.listings.slots if s.band in todo)
    with engine.connect() as conn, tqdm(total=total, unit="session", desc="gaps",
                                        disable=args.quiet or not todo) as bar:
        for band in todo:
            bar.set_postfix_str(band)
            t0 = time.perf_counter()
            results.append(compute_band(conn, ctx, band, bar.update))
            timings[band] = time.perf_counter() - t0
    run_id = None
    if results:
        n_origins: dict[str, int] = {}
        for code in ctx.origins.area_codes.tolist():
            n_origins[code] = n_origins.get(code, 0) + 1
        seconds = time.perf_counter() - started
        with engine.begin() as conn:
            run_id = save_run(conn, ctx, results, params, seconds,
                              area_need_rows(ctx.areas, n_origins))
        for res in results:
            save_matrices(get_settings().cache_dir, ctx, res, run_id)
    elapsed = time.perf_counter() - started
    print(f"gaps: {len(ctx.areas.codes)} LSOAs, {len(ctx.origins)} postcode origins, "
          f"{len(ctx.listings.activities)} activities, week of {ctx.week[0]} "
          f"(inputs {loaded:.1f} s)")
    for res in results:
        print(f"  {res.band:16s} {len(res.slots):4d} sessions, {res.searches:4d} searches, "
              f"{sum(len(b.codes) for b in res.blocks):6d} rows, {timings[res.band]:.1f} s")
    for res in results:
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
    print(f"run {run_id if run_id is not None else '-'}: budgets {list(params.budgets)} min, "
          f"total {elapsed:.1f} s")
    return 0
