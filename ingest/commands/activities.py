"""`python -m ingest activities PATH|URL [--strict]`: load the community asset directory."""

from __future__ import annotations

import argparse

from app.db import get_engine
from ingest.directory.load import load_source


def add_arguments(p: argparse.ArgumentParser) -> None:
    """SOURCE (file or feed URL), --strict and --quiet."""
    p.add_argument("source", help="file path, or http(s) URL of an ORUK feed")
    p.add_argument("--strict", action="store_true",
                   help="refuse the whole file if any row is bad (default: load the good rows "
                        "and report the rejected ones)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def run(args: argparse.Namespace) -> int:
    """Entry point of the command."""
    report = load_source(get_engine(), args.source, strict=args.strict, quiet=args.quiet)
    return 0 if report.rows_loaded or not report.rows_read else 1
