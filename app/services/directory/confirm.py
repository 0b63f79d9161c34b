"""Provider confirmation: a signed, expiring per-listing link; the organiser answers, an editor
approves, and approval is what moves `last_verified_at` on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import Connection, text

from app.auth.users import User
from app.directory.validation import build_activity
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.directory import edit
from app.services.directory.audit import record_change
from app.services.directory.read import get_activity

AUDIENCE = "wr-confirm"  # login tokens have no audience, so neither kind passes for the other
ANSWERS = ("still-running", "changes", "closed")
# What an organiser may propose; anything else is for an editor to change.
PROPOSABLE = ("name", "description", "url", "email", "alert", "what_to_bring", "contact_name",
              "contact_email", "contact_phone", "schedules", "cost_options", "minimum_age",
              "maximum_age", "drop_in", "accepts_referrals")


def issue_link(conn: Connection, user: User, service_id: str, secret: str, days: int
               ) -> dict[str, Any]:
    """Sign a link for one listing that works for `days`; the token is shown once."""
    if conn.execute(text("SELECT 1 FROM service WHERE id = :id"), {"id": service_id}
                    ).first() is None:
        raise NotFound("no listing with that id", field="service_id")
    now = datetime.now(UTC)
    expires = now + timedelta(days=days)
    jti = uuid.uuid4().hex
    token = jwt.encode({"sub": service_id, "jti": jti, "aud": AUDIENCE, "iat": now,
                        "exp": expires}, secret, algorithm="HS256")
    row = conn.execute(text(
        "INSERT INTO provider_confirmation (service_id, jti, issued_by, issued_at, expires_at,"
        " status) VALUES (:s, :j, :u, :now, :exp, 'issued') RETURNING id"),
        {"s": service_id, "j": jti, "u": user.username, "now": now, "exp": expires}).scalar()
    # The token travels in the fragment, which browsers never send to a server (or its logs).
    return {"id": row, "service_id": service_id, "expires_at": expires.isoformat(),
            "token": token, "path": f"/confirm#token={token}"}


def _claims(token: str, secret: str) -> dict[str, Any]:
    try:
        return dict(jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE,
                               options={"require": ["exp", "sub", "jti"]}))
    except jwt.ExpiredSignatureError:
        raise Forbidden("this confirmation link has expired; ask the directory team for a "
                        "new one", field="token") from None
    except jwt.PyJWTError:
        raise Forbidden("this confirmation link is not valid", field="token") from None


def _row(conn: Connection, token: str, secret: str) -> Any:
    claims = _claims(token, secret)
    row = conn.execute(text("SELECT * FROM provider_confirmation WHERE jti = :j"),
                       {"j": claims["jti"]}).mappings().first()
    if row is None or row["service_id"] != claims["sub"]:
        raise Forbidden("this confirmation link is not valid", field="token")
    if row["status"] in ("approved", "rejected", "revoked"):
        raise Conflict(f"this link has been used (answer {row['status']}); thank you",
                       field="token")
    return row


def view(conn: Connection, token: str, secret: str, stale_days: int) -> dict[str, Any]:
    """What the organiser sees: the listing as published and any answer already sent."""
    row = _row(conn, token, secret)
    a = get_activity(conn, row["service_id"], stale_days)
    keep = ("id", "name", "description", "url", "email", "alert", "what_to_bring",
            "contact_name", "contact_email", "contact_phone", "minimum_age", "maximum_age",
            "last_verified_at", "status", "schedules", "costs", "locations")
    return {"listing": {k: a.get(k) for k in keep},
            "organization": (a.get("organization") or {}).get("name"),
            "status": row["status"], "answer": row["answer"],
            "expires_at": row["expires_at"].isoformat(), "proposable": list(PROPOSABLE)}


def submit(conn: Connection, token: str, secret: str, answer: str,
           proposed: dict[str, Any] | None, note: str | None, stale_days: int
           ) -> dict[str, Any]:
    """Record the organiser's answer for an editor to approve (changes are checked now)."""
    row = _row(conn, token, secret)
    if answer not in ANSWERS:
        raise InvalidInput("answer must be " + ", ".join(ANSWERS), field="answer")
    changes = {k: v for k, v in (proposed or {}).items() if v is not None}
    bad = sorted(set(changes) - set(PROPOSABLE))
    if bad:
        raise InvalidInput(f"{bad[0]} cannot be changed by a link; tell us in the note",
                           field=f"proposed.{bad[0]}")
    if answer == "changes" and not changes and not (note or "").strip():
        raise InvalidInput("say what has changed", field="proposed")
    if changes:
        raw = edit.stored_to_input(get_activity(conn, row["service_id"], stale_days))
        _, problems = build_activity(raw | changes)
        if problems:
            raise edit.problems_error(problems)
    conn.execute(text(
        "UPDATE provider_confirmation SET status = 'submitted', answer = :a,"
        " proposed = CAST(:p AS jsonb), note = :n, submitted_at = now() WHERE id = :id"),
        {"a": answer, "p": _json(changes), "n": (note or "").strip()[:2000] or None,
         "id": row["id"]})
    return {"status": "submitted", "answer": answer,
            "message": "Thank you. The directory team will check and publish your answer."}


def _json(value: Any) -> str:
    import json

    return json.dumps(value, default=str)


def pending(conn: Connection) -> list[dict[str, Any]]:
    """Answers waiting for an editor, oldest first."""
    rows = conn.execute(text(
        "SELECT c.id, c.service_id, s.name AS listing, c.answer, c.proposed, c.note,"
        " c.submitted_at, c.issued_by, c.expires_at FROM provider_confirmation c"
        " JOIN service s ON s.id = c.service_id WHERE c.status = 'submitted'"
        " ORDER BY c.submitted_at, c.id")).mappings()
    return [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items()}
            for r in rows]


def decide(conn: Connection, user: User, confirmation_id: int, approve: bool,
           note: str | None, stale_days: int) -> dict[str, Any]:
    """Approve (apply the changes, mark verified now) or reject an organiser's answer."""
    row = conn.execute(text("SELECT * FROM provider_confirmation WHERE id = :id FOR UPDATE"),
                       {"id": confirmation_id}).mappings().first()
    if row is None:
        raise NotFound("no confirmation with that id", field="confirmation_id")
    if row["status"] != "submitted":
        raise Conflict(f"this confirmation is {row['status']}, not waiting for approval",
                       field="confirmation_id")
    sid = row["service_id"]
    if approve:
        patch = dict(row["proposed"] or {})
        if row["answer"] == "closed":
            patch["status"] = "ended"
        if patch:
            edit.update_activity(conn, user, sid, patch, None, stale_days,
                                 action="organiser-change", require_match=False)
        before = get_activity(conn, sid, stale_days)
        conn.execute(text("UPDATE service SET last_verified_at = now(), verified_by = :who,"
                          " version = version + 1 WHERE id = :id"),
                     {"who": f"organiser (approved by {user.username})", "id": sid})
        record_change(conn, username=user.username, action="organiser-confirmed",
                      entity="service", entity_id=sid, before=before,
                      after=get_activity(conn, sid, stale_days))
    conn.execute(text("UPDATE provider_confirmation SET status = :st, decided_by = :u,"
                      " decided_at = now(), note = coalesce(:n, note) WHERE id = :id"),
                 {"st": "approved" if approve else "rejected", "u": user.username,
                  "n": (note or "").strip() or None, "id": confirmation_id})
    return {"id": confirmation_id, "service_id": sid,
            "status": "approved" if approve else "rejected",
            "listing": get_activity(conn, sid, stale_days)}
