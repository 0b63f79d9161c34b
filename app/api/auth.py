"""/api/auth: OAuth2 password-flow sign-in, sign-out (revoke) and who am I."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordRequestForm

from app.api.deps import SessionDep, TypedRoute
from app.api.responses import error_responses
from app.auth.deps import Signed, current
from app.auth.passwords import run_bounded
from app.auth.throttle import (
    Limits,
    account_key,
    client_key,
    record_failure,
    record_success,
    refuse_if_locked,
)
from app.auth.tokens import issue_token, revoke_token
from app.auth.users import check_password, password_row, revoke_all
from app.errors import Unauthorized
from app.schemas.auth import Me, Revoked, Token
from app.settings import get_settings

router = APIRouter(prefix="/api/auth", tags=["auth"], route_class=TypedRoute)


AUTH_ERRORS = error_responses(401)
LOGIN_ERRORS = error_responses(
    401, 422, 429, e401="Wrong username or password.",
    e429="Too many failed sign-ins for this account or from this client, or too many "
         "sign-ins at once; the Retry-After header says how many seconds to wait.")


def _limits() -> Limits:
    s = get_settings()
    return Limits(s.login_max_failures, s.login_client_max_failures, s.login_lock_minutes)


@router.post("/token", responses=LOGIN_ERRORS, response_model=Token)
async def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
                session: SessionDep) -> dict[str, Any]:
    """Exchange username and password (form fields) for a bearer token that expires.

    Throttled: a locked account or client gets 429 with Retry-After before any password is
    checked; argon2 runs off the event loop, a bounded number at a time.
    """
    settings = get_settings()
    address = request.client.host if request.client else "unknown"
    client = client_key(address, settings.secret_key)
    username = form.username[:200]

    def locked_then_row() -> Any:
        refuse_if_locked(session.connection(), [account_key(username), client])
        return password_row(session.connection(), username)

    row = await run_in_threadpool(locked_then_row)
    user = await run_bounded(check_password, row, form.password)

    def settle() -> None:
        conn = session.connection()
        if user is None:
            record_failure(conn, username, client, _limits())
        else:
            record_success(conn, username)
        session.commit()

    await run_in_threadpool(settle)
    if user is None:
        raise Unauthorized("wrong username or password")
    issued = issue_token(user, settings.secret_key, settings.token_minutes)
    return {"access_token": issued.token, "token_type": "bearer",
            "expires_in": settings.token_minutes * 60,
            "expires_at": issued.expires_at.isoformat(), "role": user.role}


@router.get("/me", responses=AUTH_ERRORS, response_model=Me)
def me(signed: Annotated[Signed, Depends(current)]) -> dict[str, Any]:
    """The signed-in user."""
    return {"username": signed.user.username, "role": signed.user.role}


@router.post("/logout", responses=AUTH_ERRORS, response_model=Revoked)
def logout(signed: Annotated[Signed, Depends(current)], session: SessionDep) -> dict[str, Any]:
    """Revoke the token used for this request."""
    expires = datetime.fromtimestamp(float(signed.claims["exp"]), UTC)  # type: ignore[arg-type]
    revoke_token(session.connection(), str(signed.claims["jti"]), expires)
    session.commit()
    return {"revoked": True}


@router.post("/revoke-all", responses=AUTH_ERRORS, response_model=Revoked)
def logout_everywhere(signed: Annotated[Signed, Depends(current)],
                      session: SessionDep) -> dict[str, Any]:
    """Revoke every token of the signed-in user (e.g. a lost laptop)."""
    revoke_all(session.connection(), signed.user.id)
    session.commit()
    return {"revoked": "all"}
