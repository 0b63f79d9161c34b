"""/api/activities: search, one listing with its sessions, stale listings, export, and editing."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from sqlalchemy.orm import Session

from app.api.deps import SessionDep, TypedRoute
from app.api.params import Page, PerPage
from app.api.responses import error_responses
from app.auth.deps import require_role
from app.auth.users import User
from app.directory import vocab
from app.directory.csv_template import write_template
from app.directory.occurrences import ScheduleError, parse_weekday
from app.errors import InvalidInput
from app.schemas.activities import (
    Activity,
    ActivityExport,
    ActivityIn,
    ActivityPage,
    StaleActivities,
    StatusNote,
)
from app.services.directory import edit
from app.services.directory.filters import ActivityFilters
from app.services.directory.read import (
    get_activities,
    get_activity,
    search_activities,
    stale_by_district,
)
from app.services.directory.sessions import sessions_between
from app.services.places import resolve_point
from app.settings import PROJECT_ROOT, get_settings

router = APIRouter(tags=["activities"], route_class=TypedRoute)
TEMPLATE = PROJECT_ROOT / "static" / "templates" / "activities_template.csv"
Editor = Annotated[User, Depends(require_role("editor"))]
# Edits: 428 only where If-Match is required (PATCH); status changes accept it optionally.
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422, 428)


def _time(raw: str | None, field: str) -> time | None:
    if raw is None or raw == "":
        return None
    try:
        hh, mm = raw.strip().split(":")[:2]
        return time(int(hh), int(mm))
    except ValueError:
        raise InvalidInput("must be a time HH:MM, e.g. 18:00", field=field) from None


def activity_filters(
    session: SessionDep,
    near: Annotated[str | None, Query(description="postcode or 'lat,lon'")] = None,
    radius_m: Annotated[float | None, Query(gt=0, le=100000)] = None,
    category: Annotated[str | None, Query(description="a category code")] = None,
    audience: Annotated[str | None, Query(description="an audience code")] = None,
    age: Annotated[int | None, Query(ge=0, le=120)] = None,
    day: Annotated[str | None, Query(description="mon..sun")] = None,
    from_: Annotated[str | None, Query(alias="from", description="starts at or after HH:MM")
                     ] = None,
    to: Annotated[str | None, Query(description="ends at or before HH:MM")] = None,
    max_cost: Annotated[float | None, Query(ge=0)] = None,
    free: bool | None = None,
    step_free: bool | None = None,
    accepts_referrals: bool | None = None,
    drop_in: bool | None = None,
    status: Annotated[str | None, Query(description="active (default), paused, ended or all")
                      ] = "active",
    include_stale: bool = True,
    q: Annotated[str | None, Query(max_length=200, description="full-text search")] = None,
) -> ActivityFilters:
    """Parse the public filters of /api/activities (also used by the exports)."""
    lat = lon = None
    if near:
        lat, lon = resolve_point(session.connection(), near)
    elif radius_m is not None:
        raise InvalidInput("radius_m needs near=postcode or lat,lon", field="radius_m")
    if category and vocab.normalise_code(category) not in vocab.CATEGORY_CODES:
        codes = ", ".join(sorted(vocab.CATEGORY_CODES))
        raise InvalidInput(f"unknown category; use one of {codes}", field="category")
    aud = vocab.audience_code(audience) if audience else None
    if audience and aud is None:
        raise InvalidInput("unknown audience; see /api/oruk/taxonomy_terms", field="audience")
    try:
        weekday = parse_weekday(day) if day else None
    except ScheduleError as exc:
        raise InvalidInput(exc.message, field="day") from None
    if status not in (*vocab.STATUSES, "all", None):
        raise InvalidInput("status must be active, paused, ended or all", field="status")
    return ActivityFilters(
        lat=lat, lon=lon, radius_m=radius_m if near else None,
        category=vocab.normalise_code(category) if category else None, audience=aud, age=age,
        day=weekday, time_from=_time(from_, "from"), time_to=_time(to, "to"),
        max_cost=max_cost, free=free, step_free=step_free,
        accepts_referrals=accepts_referrals, drop_in=drop_in,
        status=None if status == "all" else status, include_stale=include_stale,
        q=q.strip() if q and q.strip() else None)


Filters = Annotated[ActivityFilters, Depends(activity_filters)]


@router.get("/api/activities", response_model=ActivityPage)
def list_activities(session: SessionDep, filters: Filters,
                    page: Page = 1, per_page: PerPage = 50) -> dict[str, Any]:
    """Listings matching every filter given; fresh before stale, then nearest."""
    total, rows = search_activities(session.connection(), filters,
                                    get_settings().stale_after_days,
                                    limit=per_page, offset=(page - 1) * per_page)
    return {"total": total, "page": page, "per_page": per_page,
            "pages": (total + per_page - 1) // per_page, "activities": rows}


@router.get("/api/activities/stale", response_model=StaleActivities)
def stale_activities(session: SessionDep) -> dict[str, Any]:
    """Listings not verified within the stale period, per district, for follow-up."""
    days = get_settings().stale_after_days
    groups = stale_by_district(session.connection(), days)
    return {"stale_after_days": days, "total": sum(g["count"] for g in groups),
            "districts": groups}


@router.get("/api/activities/template.csv", response_class=FileResponse)
def csv_template() -> FileResponse:
    """The blank CSV template for bulk listings (columns documented in docs/directory.md)."""
    return FileResponse(TEMPLATE, media_type="text/csv",
                        filename="activities_template.csv")


class GeoJSONResponse(JSONResponse):
    """JSON served as GeoJSON (so the OpenAPI document names the media type)."""

    media_type = "application/geo+json"


@router.get("/api/activities/export.csv", response_class=PlainTextResponse)
def export_csv(session: SessionDep, filters: Filters) -> Response:
    """Matching listings in the CSV template layout (one row per listing x schedule)."""
    conn = session.connection()
    days = get_settings().stale_after_days
    _, rows = search_activities(conn, filters, days, limit=None)
    body = write_template(get_activities(conn, [row["id"] for row in rows], days))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="activities.csv"'})


@router.get("/api/activities/export.geojson", response_model=ActivityExport,
            response_class=GeoJSONResponse)
def export_geojson(session: SessionDep, filters: Filters) -> Response:
    """Matching listings as a GeoJSON FeatureCollection (one point per listing and venue)."""
    import json

    _, rows = search_activities(session.connection(), filters,
                                get_settings().stale_after_days, limit=None)
    features = [{"type": "Feature", "id": r["id"],
                 "geometry": None if r["lat"] is None else {
                     "type": "Point", "coordinates": [round(r["lon"], 6), round(r["lat"], 6)]},
                 "properties": {k: v for k, v in r.items() if k not in ("lat", "lon")}}
                for r in rows]
    body = {"type": "FeatureCollection", "features": features}
    return Response(json.dumps(body, default=str), media_type="application/geo+json")


@router.get("/api/activities/{activity_id}", responses=error_responses(404, 422),
            response_model=Activity)
def one_activity(activity_id: str, session: SessionDep, response: Response,
                 weeks: Annotated[int, Query(ge=1, le=26)] = 4) -> dict[str, Any]:
    """One listing in full, with its sessions over the next `weeks` weeks (default 4)."""
    conn = session.connection()
    days = get_settings().stale_after_days
    a = get_activity(conn, activity_id, days)
    today = date.today()
    sessions = sessions_between(conn, today, today + timedelta(weeks=weeks) - timedelta(days=1),
                                ActivityFilters(ids=(activity_id,), status=None),
                                stale_days=days)
    a["upcoming_sessions"] = [s.to_dict() for s in sessions]
    a.pop("oruk_extra", None)
    response.headers["ETag"] = edit.etag(a["version"])
    return a


def _body(payload: ActivityIn) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True)


@router.post("/api/activities", status_code=201,
             responses=error_responses(401, 403, 422), response_model=Activity)
def create(payload: Annotated[ActivityIn, Body()], session: SessionDep, user: Editor,
           response: Response) -> dict[str, Any]:
    """Create a listing (editor or admin)."""
    a = edit.create_activity(session.connection(), user, _body(payload),
                             get_settings().stale_after_days)
    session.commit()
    response.headers["ETag"] = edit.etag(a["version"])
    response.headers["Location"] = f"/api/activities/{a['id']}"
    return a


@router.patch("/api/activities/{activity_id}", responses=WRITE_ERRORS, response_model=Activity)
def update(activity_id: str, payload: Annotated[ActivityIn, Body()], session: SessionDep,
           user: Editor, response: Response,
           if_match: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Change the fields given; needs If-Match with the ETag you read (409 if it moved on)."""
    a = edit.update_activity(session.connection(), user, activity_id, _body(payload),
                             edit.parse_if_match(if_match), get_settings().stale_after_days)
    session.commit()
    response.headers["ETag"] = edit.etag(a["version"])
    return a


def _status_change(activity_id: str, status: str, action: str, session: Session, user: User,
                   response: Response, if_match: str | None, alert: str | None
                   ) -> dict[str, Any]:
    patch: dict[str, Any] = {"status": status}
    if alert is not None:
        patch["alert"] = alert
    a = edit.update_activity(session.connection(), user, activity_id, patch,
                             edit.parse_if_match(if_match), get_settings().stale_after_days,
                             action=action, require_match=False)
    session.commit()
    response.headers["ETag"] = edit.etag(a["version"])
    return a


@router.post("/api/activities/{activity_id}/pause", responses=WRITE_ERRORS, response_model=Activity)
def pause(activity_id: str, session: SessionDep, user: Editor, response: Response,
          note: Annotated[StatusNote | None, Body()] = None,
          if_match: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Pause a listing (no sessions until it is resumed)."""
    return _status_change(activity_id, "paused", "pause", session, user, response, if_match,
                          note.alert if note else None)


@router.post("/api/activities/{activity_id}/end", responses=WRITE_ERRORS, response_model=Activity)
def end(activity_id: str, session: SessionDep, user: Editor, response: Response,
        note: Annotated[StatusNote | None, Body()] = None,
        if_match: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """End a listing (kept for history, never shown as running)."""
    return _status_change(activity_id, "ended", "end", session, user, response, if_match,
                          note.alert if note else None)


@router.post("/api/activities/{activity_id}/resume", responses=WRITE_ERRORS,
             response_model=Activity)
def resume(activity_id: str, session: SessionDep, user: Editor, response: Response,
           if_match: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Make a paused or ended listing active again."""
    return _status_change(activity_id, "active", "resume", session, user, response, if_match,
                          None)


@router.post("/api/activities/{activity_id}/verify", responses=WRITE_ERRORS,
             response_model=Activity)
def verify(activity_id: str, session: SessionDep, user: Editor, response: Response,
           if_match: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Record that the listing was checked today; changes nothing else."""
    a = edit.verify_activity(session.connection(), user, activity_id,
                             edit.parse_if_match(if_match), get_settings().stale_after_days)
    session.commit()
    response.headers["ETag"] = edit.etag(a["version"])
    return a
