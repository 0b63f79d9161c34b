"""FastAPI dependencies: the signed-in user (401 without one) and role checks (403)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from app.auth.tokens import verify_token
from app.auth.users import User
from app.db import SessionDep
from app.errors import Forbidden, Unauthorized
from app.settings import get_settings

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


@dataclass(frozen=True)
class Signed:
    """The signed-in user plus the token's claims (for logout)."""

    user: User
    claims: dict[str, object]


def current(token: Annotated[str | None, Depends(oauth2)],
            session: SessionDep) -> Signed:
    """The signed-in user; 401 when there is no valid token."""
    if not token:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>' from "
                           "POST /api/auth/token")
    user, claims = verify_token(session.connection(), token, get_settings().secret_key)
    return Signed(user, claims)


def require_role(role: str) -> Callable[[Signed], User]:
    """Dependency factory: the signed-in user if their role is `role` or above, else 403."""

    def check(signed: Annotated[Signed, Depends(current)]) -> User:
        if not signed.user.has_role(role):
            raise Forbidden(f"this needs the {role} role; you are a {signed.user.role}")
        return signed.user

    return check
