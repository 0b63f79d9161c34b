"""Users and roles: create, authenticate, and the role order viewer < editor < admin."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, text

from app.auth.passwords import DUMMY_HASH, MIN_LENGTH, hash_password, verify_password
from app.errors import Conflict, InvalidInput

ROLES = ("viewer", "editor", "admin")
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,64}$")


@dataclass(frozen=True)
class User:
    """A signed-in user as the API sees it."""

    id: int
    username: str
    role: str
    token_version: int
    token_subject: str

    def has_role(self, needed: str) -> bool:
        """True when this user's role is `needed` or above."""
        return ROLES.index(self.role) >= ROLES.index(needed)


def create_user(conn: Connection, username: str, password: str, role: str, *,
                replace: bool = False) -> User:
    """Create a user (or, with replace, reset an existing user's password and role)."""
    if not _USERNAME.match(username or ""):
        raise InvalidInput("username must be 3-64 letters, digits, or . _ @ -", field="username")
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    if len(password or "") < MIN_LENGTH:
        raise InvalidInput(f"the password must be at least {MIN_LENGTH} characters",
                           field="password")
    hashed = hash_password(password)
    subject = secrets.token_hex(16)
    row: Row[Any] | None
    if replace:
        row = conn.execute(text("""
            INSERT INTO app_user (username, password_hash, role, active, token_version,
                token_subject)
            VALUES (:u, :h, :r, true, 1, :s)
            ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash,
                role = EXCLUDED.role, active = true,
                token_version = app_user.token_version + 1
            RETURNING id, username, role, token_version, token_subject"""),
            {"u": username, "h": hashed, "r": role, "s": subject}).one()
    else:
        row = conn.execute(text("""
            INSERT INTO app_user (username, password_hash, role, active, token_version,
                token_subject)
            VALUES (:u, :h, :r, true, 1, :s) ON CONFLICT (username) DO NOTHING
            RETURNING id, username, role, token_version, token_subject"""),
            {"u": username, "h": hashed, "r": role, "s": subject}).first()
        if row is None:
            raise Conflict(f"user {username!r} already exists (use --replace to reset)",
                           field="username")
    return _user(row)


def _user(row: Any) -> User:
    return User(row.id, row.username, row.role, row.token_version, row.token_subject)


def password_row(conn: Connection, username: str) -> Row[Any] | None:
    """The stored user and password hash for a sign-in attempt (None if no such user)."""
    return conn.execute(text(
        "SELECT id, username, role, token_version, token_subject, password_hash, active"
        " FROM app_user WHERE username = :u"), {"u": username}).first()


def check_password(row: Row[Any] | None, password: str) -> User | None:
    """The user if `row` is active and the password matches; the same argon2 work either way."""
    if row is None:
        verify_password(DUMMY_HASH, password)  # same work as a real check
        return None
    if not verify_password(row.password_hash, password) or not row.active:
        return None
    return _user(row)


def authenticate(conn: Connection, username: str, password: str) -> User | None:
    """The active user with this username and password, or None."""
    return check_password(password_row(conn, username), password)


def load_user(conn: Connection, user_id: int) -> User | None:
    """An active user by id, or None."""
    row = conn.execute(text("SELECT id, username, role, token_version, token_subject"
                            " FROM app_user WHERE id = :id AND active"), {"id": user_id}).first()
    return None if row is None else _user(row)


def user_by_subject(conn: Connection, subject: str) -> User | None:
    """An active user by token subject, or None."""
    row = conn.execute(text("SELECT id, username, role, token_version, token_subject"
                            " FROM app_user WHERE token_subject = :s AND active"),
                       {"s": subject}).first()
    return None if row is None else _user(row)


def revoke_all(conn: Connection, user_id: int) -> None:
    """Invalidate every token the user holds (bumps the token version)."""
    conn.execute(text("UPDATE app_user SET token_version = token_version + 1 WHERE id = :id"),
                 {"id": user_id})
