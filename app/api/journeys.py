"""GET /api/journeys: a walk + bus plan between two places that a person can follow."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import SessionDep, TypedRoute
from app.errors import InvalidInput
from app.routing.walk import DEFAULT_SPEED_KMH
from app.schemas.transit import JourneyAnswer, TimetableList
from app.services.transit.params import parse_clock, query_params, timetable_info
from app.services.transit.places import resolve_place
from app.services.transit.plans import PlanRequest, plan
from app.services.transit.router import get_transit_router, loaded_feeds, validity_of

router = APIRouter(tags=["transit"], route_class=TypedRoute)

# Parameter types shared with /api/isochrone.
Place = Annotated[str, Query(description="postcode or lat,lon")]
ServiceDate = Annotated[dt.date, Query(description="service date, YYYY-MM-DD")]
Clock = Annotated[str | None, Query(description="time as HH:MM")]
MaxBuses = Annotated[int, Query(ge=1, le=4, description="most buses to take (1-4)")]
WalkSpeed = Annotated[float, Query(ge=2.0, le=6.0, description="walking speed, km/h")]
MaxWalk = Annotated[float, Query(ge=0, le=3000, description="longest walk per leg, metres")]
Wheelchair = Annotated[bool, Query(description="wheelchair-accessible trips and stops only")]


@router.get("/api/journeys", response_model=JourneyAnswer)
def get_journey(
    session: SessionDep,
    from_: Annotated[str, Query(alias="from", description="start: postcode or lat,lon")],
    to: Place,
    date: ServiceDate,
    depart_at: Clock = None,
    arrive_by: Clock = None,
    max_buses: MaxBuses = 2,
    walk_speed_kmh: WalkSpeed = DEFAULT_SPEED_KMH,
    max_walk_m: MaxWalk = 800,
    wheelchair: Wheelchair = False,
) -> dict[str, Any]:
    """Best journey (within the bus limit) plus alternatives with fewer buses."""
    # Blank form fields count as absent.
    depart_at = (depart_at or "").strip() or None
    arrive_by = (arrive_by or "").strip() or None
    if (depart_at is None) == (arrive_by is None):
        raise InvalidInput("give exactly one of depart_at or arrive_by (HH:MM)",
                           field="depart_at" if depart_at is None else "arrive_by")
    arriving = arrive_by is not None
    time_s = parse_clock(arrive_by if arriving else depart_at,  # type: ignore[arg-type]
                         field="arrive_by" if arriving else "depart_at")
    params = query_params(max_buses, walk_speed_kmh, max_walk_m, wheelchair)
    tr = get_transit_router(session, date)  # 503 without GTFS, 422 outside validity
    origin = resolve_place(session, from_, field="from")
    target = resolve_place(session, to, field="to")
    result = plan(tr, PlanRequest(origin, target, time_s, arriving, params))
    return {
        "from": origin.label, "to": target.label, "date": date.isoformat(),
        "depart_at": depart_at, "arrive_by": arrive_by,
        "options": {"max_buses": max_buses, "walk_speed_kmh": walk_speed_kmh,
                    "max_walk_m": max_walk_m, "wheelchair": wheelchair},
        **result,
        "timetable": timetable_info(tr),
    }


@router.get("/api/timetables", response_model=TimetableList)
def list_timetables(session: SessionDep) -> dict[str, Any]:
    """The loaded bus timetables and the dates they are valid for (503 if none)."""
    rows = loaded_feeds(session.connection())
    rng = validity_of(rows)
    return {
        "valid_from": rng[0].isoformat() if rng else None,
        "valid_to": rng[1].isoformat() if rng else None,
        "feeds": [{"name": f.name, "version": f.version, "synthetic": f.synthetic,
                   "valid_from": str(f.valid_from), "valid_to": str(f.valid_to)} for f in rows],
    }
