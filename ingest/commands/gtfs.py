"""`python -m ingest gtfs FEED.zip|DIR [--name NAME]`: validate and load a GTFS feed."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.db import get_engine
from app.settings import get_settings
from ingest.transit.gtfs_load import load_gtfs


def add_arguments(p: argparse.ArgumentParser) -> None:
    """PATH, --name and --quiet."""
    p.add_argument("path", type=Path, help="GTFS .zip or folder of .txt files")
    p.add_argument("--name", help="feed name (default: the file name without .zip)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")


def run(args: argparse.Namespace) -> int:
    """Load the feed; a refused feed raises LoadRefused (exit 2, one line)."""
    settings = get_settings()
    load_gtfs(get_engine(), args.path, settings.cache_dir, name=args.name, quiet=args.quiet)
    return 0
