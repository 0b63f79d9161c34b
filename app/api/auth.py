"""/api/auth: OAuth2 password-flow sign-in, sign-out (revoke) and who am I."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.orm import Session

from app.auth.deps import Signed, current
from app.auth.tokens import issue_token, revoke_token
from app.auth.users import authenticate, revoke_all
from app.db import get_session
from app.errors import Unauthorized
from app.settings import get_settings

router = APIRouter(prefix="/api/auth", tags=["auth"])
SessionDep = Annotated[Session, Depends(get_session)]


@router.post("/token")
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()],
          session: SessionDep) -> dict[str, Any]:
    """Exchange username and password (form fields) for a bearer token that expires."""
    user = authenticate(session.connection(), form.username, form.password)
    if user is None:
        raise Unauthorized("wrong username or password")
    settings = get_settings()
    issued = issue_token(user, settings.secret_key, settings.token_minutes)
    return {"access_token": issued.token, "token_type": "bearer",
            "expires_in": settings.token_minutes * 60,
            "expires_at": issued.expires_at.isoformat(), "role": user.role}


@router.get("/me")
def me(signed: Annotated[Signed, Depends(current)]) -> dict[str, Any]:
    """The signed-in user."""
    return {"username": signed.user.username, "role": signed.user.role}


@router.post("/logout")
def logout(signed: Annotated[Signed, Depends(current)], session: SessionDep) -> dict[str, Any]:
    """Revoke the token used for this request."""
    expires = datetime.fromtimestamp(float(signed.claims["exp"]), UTC)  # type: ignore[arg-type]
    revoke_token(session.connection(), str(signed.claims["jti"]), expires)
    session.commit()
    return {"revoked": True}


@router.post("/revoke-all")
def logout_everywhere(signed: Annotated[Signed, Depends(current)],
                      session: SessionDep) -> dict[str, Any]:
    """Revoke every token of the signed-in user (e.g. a lost laptop)."""
    revoke_all(session.connection(), signed.user.id)
    session.commit()
    return {"revoked": "all"}
