"""Report a change: anyone flags a listing; editors work through the flags (moderation queue)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from app.auth.users import User
from app.errors import Conflict, InvalidInput, NotFound
from app.schemas.review import MAX_MESSAGE
from app.services.directory import edit
from app.services.directory.audit import record_change

KINDS = {"closed": "The group has closed or stopped running",
         "moved": "It has moved to a different venue",
         "times-changed": "The day or times have changed",
         "other": "Something else is wrong"}


def create_flag(conn: Connection, service_id: str, kind: str, message: str | None
                ) -> dict[str, Any]:
    """Store a visitor's report (no name, address or IP is stored) as an open flag."""
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise InvalidInput("kind must be one of " + ", ".join(KINDS), field="kind")
    message = (message or "").strip() or None
    if message and len(message) > MAX_MESSAGE:
        raise InvalidInput(f"keep the message under {MAX_MESSAGE} characters", field="message")
    if kind == "other" and not message:
        raise InvalidInput("say what is wrong", field="message")
    if conn.execute(text("SELECT 1 FROM service WHERE id = :id"), {"id": service_id}
                    ).first() is None:
        raise NotFound("no listing with that id", field="service_id")
    row = conn.execute(text(
        "INSERT INTO listing_flag (service_id, kind, message, status) VALUES (:s, :k, :m,"
        " 'open') RETURNING id, created_at"), {"s": service_id, "k": kind, "m": message}).one()
    return {"id": row.id, "service_id": service_id, "kind": kind, "status": "open",
            "created_at": row.created_at.isoformat()}


_FLAG_SQL = """
SELECT f.id, f.service_id, s.name AS listing, f.kind, f.message, f.status, f.created_at,
       f.resolved_at, f.resolved_by, f.resolution_note, s.status AS listing_status,
       (SELECT l.lad_code FROM service_at_location sal JOIN location l ON l.id = sal.location_id
        WHERE sal.service_id = s.id ORDER BY l.lad_code NULLS LAST LIMIT 1) AS lad_code
FROM listing_flag f JOIN service s ON s.id = f.service_id
"""


def _flag(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in dict(row).items()}


def list_flags(conn: Connection, status: str | None = "open") -> list[dict[str, Any]]:
    """Flags, oldest first (open ones by default)."""
    rows = conn.execute(text(_FLAG_SQL + " WHERE CAST(:st AS text) IS NULL OR f.status = :st"
                             " ORDER BY f.created_at, f.id"), {"st": status}).mappings()
    return [_flag(r) for r in rows]


def resolve_flag(conn: Connection, user: User, flag_id: int, action: str, note: str | None,
                 stale_days: int) -> dict[str, Any]:
    """Close a flag: 'resolve' (acted on), 'dismiss' (not right), or 'end-listing' (closed)."""
    if action not in ("resolve", "dismiss", "end-listing"):
        raise InvalidInput("action must be resolve, dismiss or end-listing", field="action")
    row = conn.execute(text(_FLAG_SQL + " WHERE f.id = :id FOR UPDATE OF f"),
                       {"id": flag_id}).mappings().first()
    if row is None:
        raise NotFound("no flag with that id", field="flag_id")
    if row["status"] != "open":
        raise Conflict(f"this flag was already {row['status']}", field="flag_id")
    if action == "end-listing":
        edit.update_activity(conn, user, row["service_id"], {"status": "ended"}, None,
                             stale_days, action="end", require_match=False)
    status = "dismissed" if action == "dismiss" else "resolved"
    conn.execute(text("UPDATE listing_flag SET status = :st, resolved_at = :now,"
                      " resolved_by = :u, resolution_note = :n WHERE id = :id"),
                 {"st": status, "now": datetime.now(UTC), "u": user.username,
                  "n": (note or "").strip()[:MAX_MESSAGE] or None, "id": flag_id})
    after = _flag(conn.execute(text(_FLAG_SQL + " WHERE f.id = :id"), {"id": flag_id}
                               ).mappings().one())
    record_change(conn, username=user.username, action=f"flag-{status}", entity="flag",
                  entity_id=str(flag_id), before=_flag(row), after=after)
    return after
