"""The audit log: who changed which listing, when, with the values before and after."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text


def record_change(conn: Connection, *, username: str, action: str, entity: str, entity_id: str,
                  before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    """Append one audit entry (in the same transaction as the change)."""
    conn.execute(text(
        "INSERT INTO audit_log (username, action, entity, entity_id, before, after)"
        " VALUES (:u, :a, :e, :id, CAST(:b AS jsonb), CAST(:af AS jsonb))"),
        {"u": username, "a": action, "e": entity, "id": entity_id,
         "b": None if before is None else json.dumps(before, default=str),
         "af": None if after is None else json.dumps(after, default=str)})


def audit_entries(conn: Connection, *, entity_id: str | None = None,
                  username: str | None = None, limit: int = 100, offset: int = 0
                  ) -> tuple[int, list[dict[str, Any]]]:
    """Audit entries, newest first, optionally for one listing or one user."""
    where: list[str] = ["TRUE"]
    p: dict[str, Any] = {"limit": limit, "offset": offset}
    if entity_id:
        where.append("entity_id = :eid")
        p["eid"] = entity_id
    if username:
        where.append("username = :u")
        p["u"] = username
    cond = " AND ".join(where)
    total = conn.execute(text(f"SELECT count(*) FROM audit_log WHERE {cond}"),  # noqa: S608
                         p).scalar_one()
    rows = conn.execute(text(
        f"SELECT id, at, username, action, entity, entity_id, before, after FROM audit_log"  # noqa: S608
        f" WHERE {cond} ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset"), p).mappings()
    return int(total), [{**r, "at": r["at"].isoformat(), "changed": _changed(r["before"],
                                                                            r["after"])}
                        for r in rows]


def _changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Top-level fields whose value differs between before and after."""
    b, a = before or {}, after or {}
    skip = {"version", "last_modified", "stale"}
    return sorted(k for k in set(a) | set(b) if k not in skip and a.get(k) != b.get(k))
