"""POST /api/reachable-activities: the link worker's finder (postcode only ever in the body)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from app.db import get_session
from app.services.reachable.schema import ReachableRequest, ReachableResponse
from app.services.reachable.service import find_reachable

router = APIRouter(tags=["finder"])


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown postcode; the message says what to try instead."},
    422: {"description": "Invalid fields (every problem listed), an origin outside the loaded "
                         "region (covered_districts), dates outside the timetable "
                         "(valid_from/valid_to) or too many days (limits)."},
    503: {"description": "No bus timetable is loaded; the message says how to load one."},
}


@router.post("/api/reachable-activities", response_model=ReachableResponse,
             response_model_by_alias=True, responses=ERRORS)
def reachable_activities(req: ReachableRequest, response: Response,
                         session: Annotated[Session, Depends(get_session)]) -> ReachableResponse:
    """Activity sessions the client can reach by walk and bus, there and back, with plans.

    The body carries the origin (postcode, outward code or lat/lon) so that it never appears
    in a URL or an access log. Errors: 404 unknown postcode (with advice); 422 outside the
    loaded region (naming the covered districts), dates outside the timetable (with its
    range), too many days (with the limits), or any invalid field (every problem listed).
    """
    # The answer describes journeys from someone's home: no browser or proxy may keep it.
    response.headers["Cache-Control"] = "no-store"
    return find_reachable(session, req)
