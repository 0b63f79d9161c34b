"""Report a change: anyone may flag a listing, without signing in; the page at /report."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse, JSONResponse

from app.api.deps import SessionDep, TypedRoute
from app.api.pages import upkeep_page
from app.schemas.review import ReportIn, ReportKinds, ReportReceived
from app.services.directory import flags
from app.services.directory.ratelimit import WindowLimiter
from app.settings import get_settings

router = APIRouter(tags=["review"], route_class=TypedRoute)


@lru_cache
def limiter() -> WindowLimiter:
    """The process's limiter of anonymous reports (per visitor and hour)."""
    s = get_settings()
    return WindowLimiter(s.report_limit_per_hour, 3600, s.secret_key)


@router.get("/api/reports/kinds", response_model=ReportKinds)
def report_kinds() -> dict[str, Any]:
    """What a visitor can report."""
    return {"kinds": [{"code": k, "label": v} for k, v in flags.KINDS.items()]}


@router.post("/api/reports", status_code=202, response_model=ReportReceived)
def report_change(body: Annotated[ReportIn, Body()], request: Request,
                  session: SessionDep) -> dict[str, Any] | JSONResponse:
    """Flag a listing for the moderation queue; limited per visitor, who is never stored."""
    # The address only keys an in-memory counter (as an HMAC) for the rate limit.
    if not limiter().allow(request.client.host if request.client else "unknown"):
        return JSONResponse({"error": "rate_limited", "field": "request",
                             "message": "too many reports from here in the last hour; "
                                        "please try again later"}, status_code=429,
                            headers={"Retry-After": "3600"})
    flag = flags.create_flag(session.connection(), body.service_id, body.kind, body.message)
    session.commit()
    return {"status": "received", "id": flag["id"],
            "message": "Thank you. An editor will check this listing."}


@router.get("/report", include_in_schema=False)
def report_page() -> HTMLResponse:
    """The report-a-change page (`/report?service=<id>`)."""
    return upkeep_page("report", "Report a change to a listing")
