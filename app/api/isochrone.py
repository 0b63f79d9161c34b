"""GET /api/isochrone: where a person can get to by walk + bus within N minutes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import SessionDep, TypedRoute
from app.api.journeys import (
    MaxBuses,
    MaxWalk,
    ServiceDate,
    WalkSpeed,
    Wheelchair,
)
from app.routing.walk import DEFAULT_SPEED_KMH
from app.schemas.transit import IsochroneAnswer
from app.services.transit.isochrone import isochrone
from app.services.transit.params import parse_clock, query_params, timetable_info
from app.services.transit.places import resolve_place
from app.services.transit.router import get_transit_router

router = APIRouter(tags=["transit"], route_class=TypedRoute)


@router.get("/api/isochrone", response_model=IsochroneAnswer)
def get_isochrone(
    session: SessionDep,
    from_: Annotated[str, Query(alias="from", description="start: postcode or lat,lon")],
    date: ServiceDate,
    depart_at: Annotated[str, Query(description="leave at HH:MM")],
    minutes: Annotated[int, Query(ge=1, le=240, description="time budget, minutes")] = 45,
    max_buses: MaxBuses = 2,
    walk_speed_kmh: WalkSpeed = DEFAULT_SPEED_KMH,
    max_walk_m: MaxWalk = 800,
    wheelchair: Wheelchair = False,
) -> dict[str, Any]:
    """Reached stops with arrival times and a GeoJSON polygon of the walkable area."""
    depart_s = parse_clock(depart_at, field="depart_at")
    params = query_params(max_buses, walk_speed_kmh, max_walk_m, wheelchair)
    tr = get_transit_router(session, date)  # 503 without GTFS, 422 outside validity
    origin = resolve_place(session, from_, field="from")
    result = isochrone(tr, origin, depart_s, minutes, params)
    polygon = result.pop("polygon")
    return {
        "from": origin.label, "date": date.isoformat(), "depart_at": depart_at,
        "minutes": minutes,
        **result,
        "polygon": None if polygon is None else {
            "type": "Feature", "geometry": polygon,
            "properties": {"minutes": minutes, "depart_at": depart_at}},
        "timetable": timetable_info(tr),
    }
