"""Provider confirmation links: an editor issues one; the organiser opens /confirm#token=..."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import HTMLResponse

from app.api.deps import SessionDep, TypedRoute
from app.api.pages import upkeep_page
from app.auth.deps import require_role
from app.auth.users import User
from app.schemas.review import (
    AnswerIn,
    ConfirmAnswered,
    ConfirmationLink,
    ConfirmView,
    LinkIn,
    TokenIn,
)
from app.services.directory import confirm
from app.settings import get_settings

router = APIRouter(tags=["review"], route_class=TypedRoute)
Editor = Annotated[User, Depends(require_role("editor"))]


@router.post("/api/activities/{activity_id}/confirmation-link", status_code=201,
             response_model=ConfirmationLink)
def issue(activity_id: str, session: SessionDep, user: Editor,
          body: Annotated[LinkIn | None, Body()] = None) -> dict[str, Any]:
    """A signed, expiring link for the listing's organiser (shown once; send it yourself)."""
    s = get_settings()
    link = confirm.issue_link(session.connection(), user, activity_id, s.secret_key,
                              (body.days if body and body.days else s.confirm_link_days))
    session.commit()
    if s.public_base_url:
        link["url"] = s.public_base_url.rstrip("/") + link["path"]
    return link


@router.post("/api/confirm/view", response_model=ConfirmView)
def view(body: Annotated[TokenIn, Body()], session: SessionDep) -> dict[str, Any]:
    """The listing a link is for (the token is sent in the body, never in a URL)."""
    return confirm.view(session.connection(), body.token, get_settings().secret_key,
                        get_settings().stale_after_days)


@router.post("/api/confirm", response_model=ConfirmAnswered)
def answer(body: Annotated[AnswerIn, Body()], session: SessionDep) -> dict[str, Any]:
    """The organiser confirms or proposes changes; an editor approves before it is published."""
    out = confirm.submit(session.connection(), body.token, get_settings().secret_key,
                         body.answer, body.proposed, body.note, get_settings().stale_after_days)
    session.commit()
    return out


@router.get("/confirm", include_in_schema=False)
def confirm_page() -> HTMLResponse:
    """The organiser's page."""
    return upkeep_page("confirm", "Is your group still running?")
