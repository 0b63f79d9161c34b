"""Argument parsing for `python -m ingest`; each command lives in its own module."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from app.errors import AppError

# Each module defines `register(subparsers)` and sets `func(args) -> int` on its parser.
COMMAND_MODULES: tuple[str, ...] = (
    "ingest.commands.activities",
    "ingest.commands.users",
    "ingest.commands.areas",
    "ingest.commands.all",
    "ingest.commands.bootstrap",
    "ingest.commands.gtfs",
    "ingest.commands.osm",
    "ingest.commands.gaps",
    "ingest.commands.feeds",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every registered command."""
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Load open datasets into the Within Reach database and run batch jobs.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors print one line (no traceback) and exit 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing from the current dataset was written", file=sys.stderr)
        return 130
