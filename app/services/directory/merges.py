"""Merges made by de-duplication: list them, undo one (admin), mark conflicts reviewed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from app.auth.users import User
from app.directory.validation import stable_id
from app.errors import Conflict, NotFound
from app.services.directory import federate
from app.services.directory.audit import record_change
from app.services.directory.read import get_activity


def _plain(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in dict(row).items()}


def list_merges(conn: Connection, service_id: str | None = None) -> list[dict[str, Any]]:
    """Every merge, newest first, with the feed and source id of a merged listing copy."""
    rows = conn.execute(text(
        "SELECT m.id, m.entity, m.kept_id, coalesce(s.name, o.name) AS kept_name,"
        " m.merged_id, m.reason, m.score, m.at, m.undone_at,"
        " m.undone_by, f.name AS feed, r.source_id FROM listing_merge m"
        " LEFT JOIN service s ON m.entity = 'service' AND s.id = m.kept_id"
        " LEFT JOIN organization o ON m.entity = 'organization' AND o.id = m.kept_id"
        " LEFT JOIN source_record r ON r.id = m.source_record_id"
        " LEFT JOIN feed_source f ON f.id = r.feed_id"
        " WHERE CAST(:sid AS text) IS NULL OR m.kept_id = :sid ORDER BY m.at DESC, m.id DESC"),
        {"sid": service_id}).mappings()
    return [_plain(r) for r in rows]


def undo(conn: Connection, user: User, merge_id: int, stale_days: int) -> dict[str, Any]:
    """Split a merge: the feed copy (or organisation) gets its own record again, for good."""
    m = conn.execute(text("SELECT * FROM listing_merge WHERE id = :id FOR UPDATE"),
                     {"id": merge_id}).mappings().first()
    if m is None:
        raise NotFound("no merge with that id", field="merge_id")
    if m["undone_at"] is not None:
        raise Conflict("this merge was already undone", field="merge_id")
    conn.execute(text("UPDATE listing_merge SET undone_at = :now, undone_by = :u WHERE id = :id"),
                 {"now": datetime.now(UTC), "u": user.username, "id": merge_id})
    touched: list[str] = []
    if m["entity"] == "service":
        rec = conn.execute(text("SELECT id, own_id, feed_id, source_id FROM source_record"
                                " WHERE id = :id"), {"id": m["source_record_id"]}).one()
        own = rec.own_id if rec.own_id != m["kept_id"] else stable_id(
            "split", rec.feed_id, rec.source_id)
        conn.execute(text("UPDATE source_record SET service_id = :own WHERE id = :id"),
                     {"own": own, "id": rec.id})
        touched = [m["kept_id"], own]
    else:
        # Listings whose copies named the merged organisation are published with it again.
        touched = list(conn.execute(text(
            "SELECT DISTINCT service_id FROM source_record WHERE payload->'organization'->>'id'"
            " = :m"), {"m": m["merged_id"]}).scalars())
    for sid in touched:
        federate.rebuild(conn, sid)
    record_change(conn, username=user.username, action="undo-merge", entity=m["entity"],
                  entity_id=str(m["kept_id"]), before=_plain(m),
                  after={"split": touched})
    return {"id": merge_id, "undone": True, "listings": [
        get_activity(conn, sid, stale_days) for sid in touched
        if conn.execute(text("SELECT 1 FROM service WHERE id = :id"), {"id": sid}).first()]}


def resolve_conflict(conn: Connection, user: User, conflict_id: int) -> dict[str, Any]:
    """Mark a conflict reviewed: the published value stands and it is not raised again."""
    row = conn.execute(text("UPDATE merge_conflict SET resolved_at = now(), resolved_by = :u"
                            " WHERE id = :id AND resolved_at IS NULL RETURNING id, service_id,"
                            " field, chosen_feed"), {"u": user.username, "id": conflict_id}
                       ).mappings().first()
    if row is None:
        raise NotFound("no open conflict with that id", field="conflict_id")
    return dict(row) | {"resolved": True}
