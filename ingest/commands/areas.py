"""`python -m ingest boundaries|lookups|iod|population|postcodes|naptan PATH`: one area file."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from app.db import get_engine
from ingest.areas.common import REGION, Region
from ingest.areas.registry import DATASETS, load_file


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add one command per area dataset."""
    for ds in DATASETS.values():
        p = subparsers.add_parser(
            ds.command, help=ds.help,
            description=f"Load {ds.help}. The file is validated and loaded in one transaction: "
                        "bad rows are reported (file, line, column, reason) and skipped, or "
                        "with --strict refuse the whole file. Loading again is idempotent.")
        add_load_options(p, "file to load")
        if ds.command in REGIONAL:
            _add_region_options(p)
        p.set_defaults(func=_runner(ds.command))


def add_load_options(p: argparse.ArgumentParser, path_help: str) -> None:
    """PATH, --strict and --quiet, shared with `ingest all`."""
    p.add_argument("path", type=Path, help=path_help)
    p.add_argument("--strict", action="store_true",
                   help="refuse the whole file if any row is bad (default: load the good rows)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar or summary (errors are still printed)")


# Issue 14: these loaders can take part of a national file.
REGIONAL = ("postcodes", "naptan")


def _add_region_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lad", action="append", default=[], metavar="CODE",
                   help="load only rows in this local authority district (repeatable; NaPTAN "
                        "needs the district or LSOA boundaries loaded first)")
    p.add_argument("--bbox", type=_bbox, default=None, metavar="W,S,E,N",
                   help="load only rows inside this WGS84 box (min lon,min lat,max lon,max lat); "
                        "write --bbox=W,S,E,N when W is negative")


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        w, s, e, n = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("expected four numbers: W,S,E,N") from None
    if not (w < e and s < n):
        raise argparse.ArgumentTypeError("expected W < E and S < N")
    return w, s, e, n


def _runner(command: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        region = Region(tuple(c.strip().upper() for c in getattr(args, "lad", []) or []),
                        getattr(args, "bbox", None))
        token = REGION.set(region)
        try:
            load_file(get_engine(), command, args.path, strict=args.strict, quiet=args.quiet)
        finally:
            REGION.reset(token)
        return 0

    return run
