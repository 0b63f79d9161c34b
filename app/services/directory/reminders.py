"""Optional reminder emails: organisers of listings due for verification get a confirmation
link. Off unless SMTP_HOST is set; nothing is ever sent by default."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection, text

from app.auth.users import User
from app.services.directory import confirm
from app.services.directory.filters import stale_sql
from app.settings import Settings

# A built-in actor for the audit trail; it signs no tokens, so its subject is never used.
SYSTEM = User(id=0, username="reminders", role="editor", token_version=0, token_subject="")


def due_contacts(conn: Connection, settings: Settings) -> list[dict[str, Any]]:
    """Active stale listings with a contact email and no link issued in the link lifetime."""
    rows = conn.execute(text(f"""
        SELECT s.id, s.name, s.contact_email FROM service s
        WHERE s.status = 'active' AND s.contact_email IS NOT NULL AND {stale_sql()}
          AND NOT EXISTS (SELECT 1 FROM provider_confirmation c WHERE c.service_id = s.id
                          AND c.issued_at > now() - make_interval(days => :link_days))
        ORDER BY s.id"""),  # noqa: S608  (constant fragment)
        {"stale_days": settings.stale_after_days, "link_days": settings.confirm_link_days})
    return [dict(r._mapping) for r in rows]


def _message(settings: Settings, item: dict[str, Any], path: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = item["contact_email"]
    msg["Subject"] = f"Is {item['name']} still running?"
    link = settings.public_base_url.rstrip("/") + path
    msg.set_content(
        f"Hello,\n\nThe community directory lists \"{item['name']}\". Please tell us whether "
        f"it is still running, or what has changed, using this link (it works for "
        f"{settings.confirm_link_days} days):\n\n{link}\n\nThank you.\n")
    return msg


def send_reminders(conn: Connection, settings: Settings, *, dry_run: bool = False
                   ) -> list[str]:
    """Email a fresh link to each due organiser; returns the listing ids (none if SMTP off)."""
    due = due_contacts(conn, settings)
    if dry_run:
        return [d["id"] for d in due]
    if not settings.smtp_host or not settings.smtp_from or not settings.public_base_url:
        return []
    sent = []
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        for item in due:
            link = confirm.issue_link(conn, SYSTEM, item["id"], settings.secret_key,
                                      settings.confirm_link_days)
            smtp.send_message(_message(settings, item, link["path"]))
            conn.execute(text("UPDATE provider_confirmation SET reminded_at = now()"
                              " WHERE id = :id"), {"id": link["id"]})
            sent.append(item["id"])
    return sent
