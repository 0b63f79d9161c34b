"""Response models of /api/admin: the audit log and sign-in lockouts."""

from __future__ import annotations

from typing import Any

from app.schemas.base import Open


class AuditPageEntriesItem(Open):
    """One of `entries` in AuditPage."""

    id: int | None = None
    at: str | None = None
    username: str | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    changed: list[str] | None = None


class AuditPage(Open):
    """A page of the audit log, newest first."""

    total: int
    page: int
    per_page: int
    entries: list[AuditPageEntriesItem]


class Lockout(Open):
    """An account (by username) or a client (by an HMAC, never its address) locked out."""

    kind: str | None = None
    username: str | None = None
    client_id: str | None = None
    failures: int | None = None
    locked_until: str | None = None


class LockoutList(Open):
    """Accounts and clients locked out by sign-in throttling now."""

    lockouts: list[Lockout]


class AccountCleared(Open):
    """The account whose lockout was cleared, and whether it had one."""

    username: str
    cleared: bool


class LockoutsCleared(Open):
    """How many lockouts were cleared."""

    cleared: int


