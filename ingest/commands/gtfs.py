"""`python -m ingest gtfs FEED.zip|DIR [--name NAME] [--lad CODE] [--bbox=W,S,E,N]`.

Validate and load a GTFS feed, or only the part of it serving a region.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.db import get_engine
from app.settings import get_settings
from ingest.areas.common import add_region_arguments, region_of
from ingest.transit.gtfs_load import load_gtfs


def add_arguments(p: argparse.ArgumentParser) -> None:
    """PATH, --name, --quiet, --lad and --bbox."""
    p.add_argument("path", type=Path, help="GTFS .zip or folder of .txt files")
    p.add_argument("--name", help="feed name (default: the file name without .zip)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    add_region_arguments(p, "load only the part of the feed serving this local authority "
                            "district: its stops, and every trip calling there, kept whole "
                            "(repeatable; needs the district or LSOA 2021 boundaries loaded)")


def run(args: argparse.Namespace) -> int:
    """Load the feed; a refused feed raises LoadRefused (exit 2, one line)."""
    settings = get_settings()
    load_gtfs(get_engine(), args.path, settings.cache_dir, name=args.name, quiet=args.quiet,
              region=region_of(args))
    return 0
