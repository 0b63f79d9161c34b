"""Signed login tokens (JWT, HS256): they expire, and can be revoked by jti or token version."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy import Connection, text

from app.auth.users import User, user_by_subject
from app.errors import Unauthorized

ALGORITHM = "HS256"
_HEX = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class IssuedToken:
    """A token and when it stops working."""

    token: str
    jti: str
    expires_at: datetime


def issue_token(user: User, secret: str, minutes: int) -> IssuedToken:
    """Sign a token for `user` valid for `minutes`."""
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=minutes)
    jti = uuid.uuid4().hex
    claims = {"sub": user.token_subject, "name": user.username, "role": user.role,
              "ver": user.token_version, "jti": jti, "iat": now, "exp": expires}
    return IssuedToken(jwt.encode(claims, secret, algorithm=ALGORITHM), jti, expires)


def verify_token(conn: Connection, token: str, secret: str) -> tuple[User, dict[str, object]]:
    """The user a token belongs to, refusing expired, forged, revoked or outdated tokens."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM],
                            options={"require": ["exp", "sub", "jti"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the login token has expired; sign in again") from None
    except jwt.PyJWTError:
        raise Unauthorized("the login token is not valid") from None
    jti, subject = claims["jti"], claims["sub"]
    # Only tokens we issued have these shapes: a hex jti and a random hex subject
    # (app_user.token_subject). Anything else, however it was signed, is refused.
    if not (isinstance(jti, str) and _HEX.fullmatch(jti)
            and isinstance(subject, str) and _HEX.fullmatch(subject)):
        raise Unauthorized("the login token is not valid")
    revoked = conn.execute(text("SELECT 1 FROM revoked_token WHERE jti = :j"),
                           {"j": jti}).first()
    if revoked:
        raise Unauthorized("the login token was revoked (signed out); sign in again")
    user = user_by_subject(conn, subject)
    if user is None or user.token_version != claims.get("ver"):
        raise Unauthorized("the login token is no longer valid; sign in again")
    return user, claims


def revoke_token(conn: Connection, jti: str, expires_at: datetime) -> None:
    """Revoke one token (logout); expired rows are purged on the way."""
    conn.execute(text("DELETE FROM revoked_token WHERE expires_at < now()"))
    conn.execute(text("INSERT INTO revoked_token (jti, expires_at) VALUES (:j, :e)"
                      " ON CONFLICT (jti) DO NOTHING"), {"j": jti, "e": expires_at})
