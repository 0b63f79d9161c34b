"""Argument parsing for `python -m ingest`: one command per registered dataset, then the jobs."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from ingest.commands import all as all_cmd
from ingest.commands import bootstrap, feeds, gaps, users
from ingest.exits import run_guarded
from ingest.registry import DATASETS

# Commands that are not one dataset: each adds its parser and sets `func(args) -> int`.
JOBS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    all_cmd.register, bootstrap.register, users.register, gaps.register, feeds.register)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser: the registry's datasets in load order, then the jobs."""
    parser = argparse.ArgumentParser(
        prog=_prog_name(),
        description="Load open datasets into the Within Reach database and run batch jobs.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for ds in DATASETS:
        p = sub.add_parser(ds.name, help=ds.help, description=ds.description or None)
        ds.arguments(p)
        p.set_defaults(func=ds.command)
    for register in JOBS:
        register(sub)
    return parser


def _prog_name() -> str:
    """`within-reach` when run as the console script, else `python -m ingest`."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return name if name and not name.endswith(".py") else "python -m ingest"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors print one line (no traceback) and exit 2."""
    args = build_parser().parse_args(argv)
    return run_guarded(args.func, args)
