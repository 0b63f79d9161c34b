"""Fixtures for the transit tests: GTFS feeds loaded into throwaway databases."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text


def load_naptan(engine: Engine, geodata: Path) -> int:
    """Load the NaPTAN bus stops into `bus_stop` directly (the areas loader may be absent)."""
    df = pd.read_csv(geodata / "transport" / "naptan_stops_notts.csv", dtype=str,
                     keep_default_na=False)
    rows = [{"atco": r["ATCOCode"], "name": r["CommonName"], "stype": r["StopType"],
             "status": r["Status"], "lat": float(r["Latitude"]), "lon": float(r["Longitude"])}
            for r in df.to_dict("records") if r["Latitude"] and r["Longitude"]]
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO bus_stop (atco_code, name, stop_type, status, geom) VALUES "
            "(:atco, :name, :stype, :status, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
            " ON CONFLICT DO NOTHING"), rows)
    return len(rows)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """A private cache folder (reports, compiled timetables)."""
    return tmp_path / "cache"


def table_counts(engine: Engine) -> dict[str, int]:
    """Row counts of every gtfs_* table."""
    tables = ("gtfs_feed", "gtfs_agency", "gtfs_stop", "gtfs_route", "gtfs_trip",
              "gtfs_stop_time", "gtfs_calendar", "gtfs_calendar_date", "gtfs_frequency",
              "gtfs_feed_info")
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in tables}


def sorted_frame(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """A frame sorted by keys with a fresh index, for order-free comparison."""
    return df.sort_values(keys, kind="stable").reset_index(drop=True)
