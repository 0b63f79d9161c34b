"""/api/admin: the audit log and sign-in lockouts (admins only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from app.api.deps import SessionDep, TypedRoute
from app.api.params import Page
from app.api.responses import error_responses
from app.auth import throttle
from app.auth.deps import require_role
from app.auth.users import User
from app.schemas.admin import AccountCleared, AuditPage, LockoutList, LockoutsCleared
from app.services.directory.audit import audit_entries, record_change

ADMIN_ERRORS = error_responses(401, 403, 422, e403="The signed-in user is not an admin.")
router = APIRouter(prefix="/api/admin", tags=["admin"], responses=ADMIN_ERRORS,
                   route_class=TypedRoute)
Admin = Annotated[User, Depends(require_role("admin"))]


@router.get("/audit", response_model=AuditPage)
def audit(session: SessionDep, _: Admin,
          entity_id: Annotated[str | None, Query(max_length=200)] = None,
          username: Annotated[str | None, Query(max_length=200)] = None,
          page: Page = 1,
          per_page: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Who changed what and when, with before/after values; newest first."""
    total, rows = audit_entries(session.connection(), entity_id=entity_id, username=username,
                                limit=per_page, offset=(page - 1) * per_page)
    return {"total": total, "page": page, "per_page": per_page, "entries": rows}


@router.get("/lockouts", response_model=LockoutList)
def lockouts(session: SessionDep, _: Admin) -> dict[str, Any]:
    """Accounts and clients locked out by sign-in throttling right now."""
    return {"lockouts": throttle.lockouts(session.connection())}


@router.delete("/lockouts/{username}", response_model=AccountCleared)
def clear_account(username: str, session: SessionDep, admin: Admin) -> dict[str, Any]:
    """Let an account sign in again now (clears its failures and lockout); audited."""
    cleared = throttle.clear(session.connection(), username)
    record_change(session.connection(), username=admin.username, action="unlock",
                  entity="user", entity_id=username[:64], before=None, after=None)
    session.commit()
    return {"username": username, "cleared": cleared > 0}


@router.delete("/lockouts", response_model=LockoutsCleared)
def clear_all(session: SessionDep, admin: Admin) -> dict[str, Any]:
    """Clear every account and client lockout (e.g. after a false alarm); audited."""
    cleared = throttle.clear(session.connection())
    record_change(session.connection(), username=admin.username, action="unlock-all",
                  entity="user", entity_id="*", before=None, after=None)
    session.commit()
    return {"cleared": cleared}
