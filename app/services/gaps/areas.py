"""Names of the areas in the gap analysis (the planner's area picker)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text


def area_names(conn: Connection) -> list[dict[str, Any]]:
    """Every ward, LSOA and district in the analysis, by level then name."""
    rows = conn.execute(text(
        "SELECT level, code, name, lad_code FROM gap_area ORDER BY level, name")).all()
    return [{"level": r[0], "code": r[1], "name": r[2], "lad_code": r[3]} for r in rows]
