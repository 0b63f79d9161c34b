"""GET /api/stops: NaPTAN bus stops near a point."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from app.api.deps import SessionDep, TypedRoute
from app.geo import parse_latlon
from app.schemas.areas import StopList
from app.services.places import stops_near

router = APIRouter(tags=["areas"], route_class=TypedRoute)


@router.get("/api/stops", response_model=StopList)
def list_stops(
    session: SessionDep,
    near: str = Query(..., description="lat,lon of the centre, WGS84"),
    radius_m: float = Query(400, gt=0, le=5000, description="search radius in metres"),
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """Active bus stops within `radius_m` of `near`, nearest first, with distances."""
    point = parse_latlon(near, field="near")
    stops = stops_near(session, point.lat, point.lon, radius_m, limit)
    return {"count": len(stops), "radius_m": radius_m, "stops": stops}
