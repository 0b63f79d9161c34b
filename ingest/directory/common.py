"""Shared step of every activity importer: validate a raw listing, save it, report problems."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from app.directory.validation import build_activity
from app.services.directory.federate import save_org_identifiers
from app.services.directory.venues import save_access
from app.services.directory.write import save_activity
from ingest.report import LoadReport


def import_listing(conn: Connection, report: LoadReport, raw: dict[str, Any], *,
                   line: int | None, source: str, label: str,
                   keep: frozenset[str] = frozenset(),
                   where: Callable[[str], tuple[int | None, str]] | None = None) -> bool:
    """Validate and upsert one listing; reject it (every problem listed) or flag unplaced venues."""
    record, problems = build_activity(raw)
    if record is None:
        # `where` maps a listing field to the source's own line and column (CSV) if it can.
        locate = where or (lambda f: (line, f))
        line_of_first, column = locate(problems[0].field)
        reason = "; ".join(f"{locate(p.field)[1]}: {p.message}" for p in problems)
        report.reject(line_of_first, column, f"{label}: {reason}")
        return False
    _, placed = save_activity(conn, record, source, keep=keep)
    save_access(conn, record.locations)
    org = raw.get("organization")
    if record.organization and isinstance(org, dict) and org.get("identifiers"):
        # ORUK organization_identifiers (charity, company numbers) are kept for matching.
        save_org_identifiers(conn, {**org, "id": record.organization.id})
    for loc_id in placed.unplaced:
        report.warn(f"{label}: venue {loc_id} could not be placed (no coordinates and its "
                    "postcode is not in the postcode table); it is listed but not on the map")
    report.rows_loaded += 1
    return True
