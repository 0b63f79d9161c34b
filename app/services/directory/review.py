"""The review queue: listings due for verification, flagged ones, merge conflicts and
organisers' answers, per district, with counts for the planner page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from app.directory import vocab
from app.services.directory import confirm, flags
from app.services.directory.read import stale_by_district

KINDS = ("due", "flagged", "conflicts", "confirmations")


def _district_of(conn: Connection, ids: list[str]) -> dict[str, str | None]:
    rows = conn.execute(text(
        "SELECT DISTINCT ON (sal.service_id) sal.service_id, l.lad_code FROM"
        " service_at_location sal JOIN location l ON l.id = sal.location_id"
        " WHERE sal.service_id = ANY(:ids) ORDER BY sal.service_id, l.lad_code NULLS LAST"),
        {"ids": ids})
    return {r.service_id: r.lad_code for r in rows}


def open_conflicts(conn: Connection) -> list[dict[str, Any]]:
    """Fields on which merged feeds disagree, not yet reviewed."""
    rows = conn.execute(text(
        "SELECT c.id, c.service_id, s.name AS listing, c.field, c.candidates, c.chosen_feed,"
        " c.at FROM merge_conflict c JOIN service s ON s.id = c.service_id"
        " WHERE c.resolved_at IS NULL ORDER BY c.at, c.id")).mappings()
    return [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items()}
            for r in rows]


def queue(conn: Connection, stale_days: int, lad_code: str | None = None
          ) -> list[dict[str, Any]]:
    """Every district with work to do, and the work: due, flagged, conflicts, confirmations."""
    names = dict(vocab.DISTRICT_NAMES)
    names |= {r.code: r.name for r in conn.execute(text("SELECT code, name FROM lad"))}
    groups: dict[str | None, dict[str, list[dict[str, Any]]]] = {}

    def add(code: str | None, kind: str, item: dict[str, Any]) -> None:
        groups.setdefault(code, {k: [] for k in KINDS})[kind].append(item)

    for g in stale_by_district(conn, stale_days):
        for item in g["activities"]:
            add(g["lad_code"], "due", item)
    flagged = flags.list_flags(conn, "open")
    for f in flagged:
        add(f.pop("lad_code"), "flagged", f)
    rest = {"conflicts": open_conflicts(conn), "confirmations": confirm.pending(conn)}
    where = _district_of(conn, [i["service_id"] for items in rest.values() for i in items])
    for kind, items in rest.items():
        for item in items:
            add(where.get(item["service_id"]), kind, item)
    out = []
    for code, work in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        if lad_code and code != lad_code:
            continue
        out.append({"lad_code": code, "district": names.get(code or "", "Unknown district"),
                    "counts": {k: len(v) for k, v in work.items()}, **work})
    return out


def summary(conn: Connection, stale_days: int) -> dict[str, Any]:
    """Counts only, per district and in total (what the planner page shows)."""
    districts = [{"lad_code": d["lad_code"], "district": d["district"], "counts": d["counts"]}
                 for d in queue(conn, stale_days)]
    totals = {k: sum(d["counts"][k] for d in districts) for k in KINDS}
    return {"stale_after_days": stale_days, "totals": totals, "districts": districts}
