"""`python -m ingest boundaries|lookups|iod|population|postcodes|naptan PATH`: one area file."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from app.db import get_engine
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
        p.set_defaults(func=_runner(ds.command))


def add_load_options(p: argparse.ArgumentParser, path_help: str) -> None:
    """PATH, --strict and --quiet, shared with `ingest all`."""
    p.add_argument("path", type=Path, help=path_help)
    p.add_argument("--strict", action="store_true",
                   help="refuse the whole file if any row is bad (default: load the good rows)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar or summary (errors are still printed)")


def _runner(command: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        load_file(get_engine(), command, args.path, strict=args.strict, quiet=args.quiet)
        return 0

    return run
