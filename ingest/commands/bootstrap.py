"""`python -m ingest bootstrap`: first-start data for `make run`.

If the database already holds area data, do nothing (fast). Otherwise load every dataset
recognised in GEODATA_DIR (as `ingest all` would); if that folder holds no recognisable area
data, load the built-in fictional sample region instead (areas, a timetable and activities),
so the app always starts, offline included. When real data appears later, the whole sample
region is removed before it is loaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import Engine, text

from app.db import get_engine
from app.settings import get_settings
from ingest.commands import gaps
from ingest.commands.all import plan_folder, run_plan
from ingest.exits import run_guarded
from ingest.sample import (
    has_sample_region,
    load_sample_region,
    remove_sample_region,
    write_sample_files,
)
from ingest.sample.load import load_sample_extras


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `bootstrap` command."""
    p = subparsers.add_parser(
        "bootstrap", help="load GEODATA_DIR (or the fictional sample region) if the database "
                          "has no area data yet",
        description="Used by `make run`. Idempotent: a no-op when area data is loaded.")
    p.add_argument("--sample", action="store_true",
                   help="load the fictional sample region even if GEODATA_DIR has data")
    p.add_argument("--write-sample", type=Path, metavar="DIR",
                   help="only write the sample region's files (official formats) into DIR")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def area_rows(engine: Engine) -> int:
    """How many real or sample areas are loaded (LSOA 2021 plus districts)."""
    with engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT (SELECT count(*) FROM lsoa21) + (SELECT count(*) FROM lad)")).scalar_one())


def run(args: argparse.Namespace) -> int:
    """Load what the empty database needs; see the module docstring."""
    if args.write_sample:
        for path in write_sample_files(args.write_sample):
            print(path)
        return 0
    engine = get_engine()
    folder = get_settings().geodata_dir
    plan = plan_folder(folder) if folder.is_dir() and not args.sample else None
    # Only area data counts as "real data": timetables or activities alone cannot be mapped.
    real = plan.area_loads if plan else []
    sample_loaded = has_sample_region(engine)
    if area_rows(engine) and not (sample_loaded and real):
        # A sample region loaded before its timetable/activities existed gets them now.
        added = load_sample_extras(engine, quiet=args.quiet, missing_only=True) \
            if sample_loaded else 0
        if added:
            print(f"bootstrap: added {added} missing layer(s) of the fictional sample region",
                  file=sys.stderr)
        else:
            print("bootstrap: area data already loaded; nothing to do", file=sys.stderr)
        refresh_gaps(engine, quiet=args.quiet)
        return 0
    if real and plan is not None:
        if sample_loaded:
            print("bootstrap: real data found; removing the fictional sample region",
                  file=sys.stderr)
            remove_sample_region(engine)
        print(f"bootstrap: loading {len(real)} datasets from {folder}", file=sys.stderr)
        status = run_plan(engine, folder, plan, strict=False, quiet=args.quiet)
        refresh_gaps(engine, quiet=args.quiet)
        # Some files failing must not stop the app from starting if others loaded.
        return 0 if area_rows(engine) else status
    print(f"bootstrap: no area data in {folder}; loading the FICTIONAL sample region "
          "'Fictionbury'", file=sys.stderr)
    rows = load_sample_region(engine, quiet=args.quiet)
    print(f"bootstrap: sample region loaded ({rows:,} rows)", file=sys.stderr)
    refresh_gaps(engine, quiet=args.quiet)
    return 0


def refresh_gaps(engine: Engine, *, quiet: bool) -> None:
    """Bring the planner's gap results up to date when there is a timetable and listings.

    The batch skips bands whose inputs have not changed, so this costs about 2 s on a restart;
    a failure only warns, because the finder must start even if the planner cannot.
    """
    with engine.connect() as conn:
        ready = conn.execute(text(
            "SELECT EXISTS (SELECT 1 FROM gtfs_feed) AND EXISTS (SELECT 1 FROM service)"
        )).scalar_one()
    if not ready:
        print("bootstrap: no timetable or listings yet; the planner's gap map waits for them",
              file=sys.stderr)
        return
    parser = argparse.ArgumentParser(prog="gaps")
    gaps.register(parser.add_subparsers())
    args = parser.parse_args(["gaps", "--quiet"] if quiet else ["gaps"])
    status = run_guarded(args.func, args)
    if status != 0:
        print("bootstrap: the gap analysis did not run; see above (the finder still works)",
              file=sys.stderr)
