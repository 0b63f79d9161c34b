"""Shared helpers for the finder's API and browser tests: data loading and a live server."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tests.server import free_port, running_server

__all__ = ["ensure_finder_data", "free_port", "running_server"]

GTFS = Path("transport") / "midnotts_synthetic_gtfs.zip"
ORUK = Path("community_assets") / "oruk_sample_midnotts.json"
# Dates inside the synthetic timetable's validity (2026-01-01..2027-12-31).
WEEK = ("2026-11-23", "2026-11-29")  # Monday..Sunday
WEDNESDAY = "2026-11-25"


def ensure_finder_data(db_url: str, geodata: Path) -> None:
    """Load the timetable and the directory when `ingest all` did not (both are idempotent)."""
    from ingest.cli import main

    eng = create_engine(db_url)
    try:
        with eng.connect() as conn:
            feeds = conn.execute(text("SELECT count(*) FROM gtfs_feed")).scalar_one()
            services = conn.execute(text("SELECT count(*) FROM service")).scalar_one()
    finally:
        eng.dispose()
    if not feeds:
        assert main(["gtfs", str(geodata / GTFS)]) == 0
    if not services:
        assert main(["activities", str(geodata / ORUK), "--quiet"]) == 0
