"""/api/admin: the audit log (admins only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from app.auth.deps import require_role
from app.auth.users import User
from app.db import get_session
from app.services.directory.audit import audit_entries

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get("/audit")
def audit(session: Annotated[Session, Depends(get_session)],
          _: Annotated[User, Depends(require_role("admin"))],
          entity_id: str | None = None, username: str | None = None,
          page: Annotated[int, Query(ge=1)] = 1,
          per_page: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Who changed what and when, with before/after values; newest first."""
    total, rows = audit_entries(session.connection(), entity_id=entity_id, username=username,
                                limit=per_page, offset=(page - 1) * per_page)
    return {"total": total, "page": page, "per_page": per_page, "entries": rows}
