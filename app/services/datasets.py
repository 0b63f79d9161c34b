"""Provenance queries: the latest load of each dataset, and row counts of the main tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

# Tables whose counts the health check reports; names are constants, never user input.
COUNTED_TABLES = ("lad", "ward", "lsoa21", "lsoa11", "deprivation", "population", "postcode",
                  "bus_stop", "rural_urban", "lsoa_lookup")


def dataset_versions(session: Session) -> list[dict[str, Any]]:
    """Return the most recent load of every (dataset, source file)."""
    rows = session.execute(text(
        "SELECT DISTINCT ON (dataset, source_file) dataset, source_file, publisher, licence,"
        " attribution, vintage, row_count, loaded_at FROM dataset_version"
        " ORDER BY dataset, source_file, loaded_at DESC, id DESC"
    )).mappings()
    return [{**row, "loaded_at": row["loaded_at"].isoformat()} for row in rows]


def table_counts(session: Session) -> dict[str, int]:
    """Count rows in the main tables (one round trip)."""
    sql = " UNION ALL ".join(
        f"SELECT '{t}' AS table_name, count(*) AS n FROM {t}" for t in COUNTED_TABLES  # noqa: S608
    )
    counts = {row.table_name: row.n for row in session.execute(text(sql))}
    # Inactive NaPTAN stops are kept for matching old timetables; users care about live ones.
    counts["bus_stop_active"] = session.execute(
        text("SELECT count(*) FROM bus_stop WHERE status = 'active'")).scalar_one()
    return counts


def attributions(session: Session) -> list[str]:
    """Distinct attribution lines of everything loaded, for the UI footer."""
    rows = session.execute(text(
        "SELECT DISTINCT attribution FROM dataset_version ORDER BY attribution"))
    return [r[0] for r in rows]


def postcode_sources(session: Session | Connection) -> str:
    """Name the loaded postcode directories by publisher and file, for messages."""
    rows = session.execute(text(
        "SELECT DISTINCT dataset, publisher, source_file FROM dataset_version"
        " WHERE dataset = 'postcodes' OR (dataset = 'sample-region' AND source_file ILIKE"
        " 'codepoint%') ORDER BY dataset, publisher, source_file")).all()
    names = [f"{r.publisher}, {r.source_file}" if r.dataset == "postcodes"
             else f"the fictional sample region's postcodes ({r.publisher})" for r in rows]
    return "; ".join(names) or "none loaded"


def postgis_version(session: Session) -> str:
    """The PostGIS library version of the database (proves the extension answers)."""
    return str(session.execute(text("SELECT postgis_lib_version()")).scalar_one())


def sample_region_loaded(session: Session) -> bool:
    """Whether the fictional sample region is what is loaded (pages label it as such)."""
    return bool(session.execute(text(
        "SELECT count(*) FROM dataset_version WHERE dataset = 'sample-region'")).scalar())
