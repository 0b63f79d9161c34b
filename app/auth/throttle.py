"""Sign-in throttling: per-account lockouts and per-client limits, kept in the database.

The state lives in `login_throttle` so that every server worker sees the same counts. A key
is 'user:NAME' or 'client:HMAC' (the client address is never stored in clear). Failures are
counted in a window; at the limit the key is locked for the same length of time.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass

from sqlalchemy import Connection, text

from app.errors import TooManyRequests


@dataclass(frozen=True)
class Limits:
    """How many failures an account and a client may have before waiting `minutes`."""

    account: int
    client: int
    minutes: int


def account_key(username: str) -> str:
    """Throttle key of an account name (also for names that do not exist)."""
    return "user:" + username[:64]


def client_key(address: str, secret: str) -> str:
    """Throttle key of a client address, keyed-hashed so addresses are not kept in clear."""
    digest = hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()
    return "client:" + digest[:32]


def refuse_if_locked(conn: Connection, keys: list[str]) -> None:
    """429 with Retry-After when any of the keys is locked right now."""
    wait = conn.execute(text(
        "SELECT EXTRACT(EPOCH FROM max(locked_until) - now()) FROM login_throttle"
        " WHERE key = ANY(:k) AND locked_until > now()"), {"k": keys}).scalar()
    if wait is not None:
        raise TooManyRequests("too many failed sign-ins; wait before trying again, or ask an "
                              "admin to clear the lockout", retry_after=max(1, math.ceil(wait)))


_FAIL = text("""
INSERT INTO login_throttle AS t (key, failures, window_start, locked_until)
VALUES (:key, 1, now(), CASE WHEN :limit <= 1 THEN now() + make_interval(mins => :mins) END)
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN t.window_start < now() - make_interval(mins => :mins) THEN 1
                    ELSE t.failures + 1 END,
    window_start = CASE WHEN t.window_start < now() - make_interval(mins => :mins) THEN now()
                        ELSE t.window_start END,
    locked_until = CASE
        WHEN (CASE WHEN t.window_start < now() - make_interval(mins => :mins) THEN 1
                   ELSE t.failures + 1 END) >= :limit THEN now() + make_interval(mins => :mins)
        ELSE t.locked_until END
""")


def record_failure(conn: Connection, username: str, client: str, limits: Limits) -> None:
    """Count one failed sign-in against the account and the client."""
    conn.execute(_FAIL, [{"key": account_key(username), "limit": limits.account,
                          "mins": limits.minutes},
                         {"key": client, "limit": limits.client, "mins": limits.minutes}])
    # Old windows are of no use; keep the table small.
    conn.execute(text("DELETE FROM login_throttle WHERE window_start < now() - interval '1 day'"
                      " AND (locked_until IS NULL OR locked_until < now())"))


def record_success(conn: Connection, username: str) -> None:
    """A correct password clears the account's failures (the client's count stays)."""
    conn.execute(text("DELETE FROM login_throttle WHERE key = :k"),
                 {"k": account_key(username)})


def lockouts(conn: Connection) -> list[dict[str, object]]:
    """Accounts and clients locked right now, soonest to expire first."""
    rows = conn.execute(text(
        "SELECT key, failures, locked_until FROM login_throttle WHERE locked_until > now()"
        " ORDER BY locked_until")).mappings()
    out: list[dict[str, object]] = []
    for r in rows:
        kind, _, name = str(r["key"]).partition(":")
        out.append({"kind": "account" if kind == "user" else "client",
                    "username" if kind == "user" else "client_id": name,
                    "failures": r["failures"], "locked_until": r["locked_until"].isoformat()})
    return out


def clear(conn: Connection, username: str | None = None) -> int:
    """Clear one account's lockout and failures, or (username None) every throttle entry."""
    if username is None:
        return conn.execute(text("DELETE FROM login_throttle")).rowcount
    return conn.execute(text("DELETE FROM login_throttle WHERE key = :k"),
                        {"k": account_key(username)}).rowcount
