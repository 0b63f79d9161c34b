"""POST /api/reachable-activities: the link worker's finder (postcode only ever in the body)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from app.api.deps import SessionDep, TypedRoute
from app.schemas.reachable import ReachableRequest, ReachableResponse
from app.services.reachable.service import find_reachable

router = APIRouter(tags=["finder"], route_class=TypedRoute)


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "A postcode in the loaded region that the postcode directory does "
                         "not hold; the message names the directory and what to try instead."},
    422: {"description": "Invalid fields (every problem listed, e.g. a time with a zone or "
                         "offset, a date outside 2000-2099), an origin outside the loaded "
                         "region (the message and covered_districts name what is covered), "
                         "dates outside the timetable (valid_from/valid_to) or too many days "
                         "(limits)."},
    503: {"description": "No bus timetable is loaded; the message says how to load one."},
}


@router.post("/api/reachable-activities", response_model=ReachableResponse,
             response_model_by_alias=True, responses=ERRORS)
def reachable_activities(req: ReachableRequest, session: SessionDep) -> Response:
    """Activity sessions the client can reach by walk and bus, there and back, with plans.

    The body carries the origin (postcode, outward code or lat/lon) so that it never appears
    in a URL or an access log. Each row depends only on the origin, its session, its date
    and the limits, never on what else is searched. Errors: 404 unknown postcode (with
    advice); 422 outside the loaded region (naming the covered districts), dates outside
    the timetable (with its range), too many days (with the limits), or any invalid field
    (every problem listed).

    Renamed in this release (the old names still come back, marked deprecated in the
    schema, and go in the next): rows `starts`/`ends` -> `start_time`/`end_time`;
    journeys and legs `depart`/`arrive` -> `depart_time`/`arrive_time`; last bus home
    `departs` -> `leave_venue_by`, `bus_departs` -> `bus_depart_time`.
    """
    # The answer is built as the declared model, so it is serialised once, here: letting
    # FastAPI check it again costs a quarter of a national answer's time (about 1 MB of
    # rows). The answer describes journeys from someone's home: no browser or proxy may
    # keep it.
    body = find_reachable(session, req).model_dump_json(by_alias=True)
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})
