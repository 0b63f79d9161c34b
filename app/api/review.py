"""The review queue for editors: flags, organisers' answers, merge conflicts, due listings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import HTMLResponse

from app.api.deps import SessionDep, TypedRoute
from app.api.pages import upkeep_page
from app.auth.deps import require_role
from app.auth.users import User
from app.errors import InvalidInput
from app.schemas.review import (
    ConfirmationDecided,
    ConfirmationList,
    ConflictDecided,
    ConflictList,
    Decision,
    Flag,
    FlagList,
    MergeList,
    MergeUndone,
    ReviewQueue,
    ReviewSummary,
)
from app.services.directory import confirm, flags, merges, review
from app.settings import get_settings

router = APIRouter(tags=["review"], route_class=TypedRoute)
Editor = Annotated[User, Depends(require_role("editor"))]
Admin = Annotated[User, Depends(require_role("admin"))]


@router.get("/api/review/summary", response_model=ReviewSummary)
def summary(session: SessionDep) -> dict[str, Any]:
    """Counts of work per district (public: counts only, no listing details)."""
    return review.summary(session.connection(), get_settings().stale_after_days)


@router.get("/api/review/queue", response_model=ReviewQueue)
def queue(session: SessionDep, _: Editor,
          district: Annotated[str | None, Query(pattern=r"^E0[6-9]\d{6}$")] = None
          ) -> dict[str, Any]:
    """Everything waiting for an editor, per district."""
    days = get_settings().stale_after_days
    groups = review.queue(session.connection(), days, district)
    return {"stale_after_days": days, "districts": groups,
            "totals": {k: sum(g["counts"][k] for g in groups) for k in review.KINDS}}


@router.get("/api/review/flags", response_model=FlagList)
def list_flags(session: SessionDep, _: Editor,
               status: Annotated[str, Query(pattern="^(open|resolved|dismissed|all)$")] = "open"
               ) -> dict[str, Any]:
    """Visitors' reports (open ones by default)."""
    items = flags.list_flags(session.connection(), None if status == "all" else status)
    return {"total": len(items), "flags": items}


@router.post("/api/review/flags/{flag_id}", response_model=Flag)
def decide_flag(flag_id: int, body: Annotated[Decision, Body()], session: SessionDep,
                user: Editor) -> dict[str, Any]:
    """resolve, dismiss, or end-listing (the group really has closed)."""
    out = flags.resolve_flag(session.connection(), user, flag_id, body.action, body.note,
                             get_settings().stale_after_days)
    session.commit()
    return out


@router.get("/api/review/confirmations", response_model=ConfirmationList)
def confirmations(session: SessionDep, _: Editor) -> dict[str, Any]:
    """Organisers' answers waiting for approval."""
    items = confirm.pending(session.connection())
    return {"total": len(items), "confirmations": items}


@router.post("/api/review/confirmations/{confirmation_id}", response_model=ConfirmationDecided)
def decide_confirmation(confirmation_id: int, body: Annotated[Decision, Body()],
                        session: SessionDep, user: Editor) -> dict[str, Any]:
    """approve (apply and mark verified now) or reject an organiser's answer."""
    if body.action not in ("approve", "reject"):
        raise InvalidInput("action must be approve or reject", field="action")
    out = confirm.decide(session.connection(), user, confirmation_id,
                         body.action == "approve", body.note, get_settings().stale_after_days)
    session.commit()
    return out


@router.get("/api/review/conflicts", response_model=ConflictList)
def conflicts(session: SessionDep, _: Editor) -> dict[str, Any]:
    """Fields on which merged feeds disagree (the most recently verified value is shown)."""
    items = review.open_conflicts(session.connection())
    return {"total": len(items), "conflicts": items}


@router.post("/api/review/conflicts/{conflict_id}", response_model=ConflictDecided)
def decide_conflict(conflict_id: int, session: SessionDep, user: Editor) -> dict[str, Any]:
    """Mark a conflict reviewed (the published value stands)."""
    out = merges.resolve_conflict(session.connection(), user, conflict_id)
    session.commit()
    return out


@router.get("/api/admin/merges", response_model=MergeList)
def list_merges(session: SessionDep, _: Editor,
                service_id: Annotated[str | None, Query(max_length=64)] = None
                ) -> dict[str, Any]:
    """Merges made by de-duplication, newest first (undone ones included)."""
    items = merges.list_merges(session.connection(), service_id)
    return {"total": len(items), "merges": items}


@router.post("/api/admin/merges/{merge_id}/undo", response_model=MergeUndone)
def undo_merge(merge_id: int, session: SessionDep, user: Admin) -> dict[str, Any]:
    """Split a merged feed record back into its own listing (admin); it is not re-merged."""
    out = merges.undo(session.connection(), user, merge_id, get_settings().stale_after_days)
    session.commit()
    return out


@router.get("/moderation", include_in_schema=False)
def moderation_page() -> HTMLResponse:
    """The editors' moderation page."""
    return upkeep_page("moderation", "Moderation queue")
