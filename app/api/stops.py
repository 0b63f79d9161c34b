"""GET /api/stops: NaPTAN bus stops near a point."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from app.db import get_session
from app.geo import parse_latlon
from app.services.places import stops_near

router = APIRouter(tags=["areas"])


@router.get("/api/stops")
def list_stops(
    near: str = Query(..., description="lat,lon of the centre, WGS84"),
    radius_m: float = Query(400, gt=0, le=5000, description="search radius in metres"),
    limit: int = Query(100, ge=1, le=1000),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Active bus stops within `radius_m` of `near`, nearest first, with distances."""
    point = parse_latlon(near, field="near")
    stops = stops_near(session, point.lat, point.lon, radius_m, limit)
    return {"count": len(stops), "radius_m": radius_m, "stops": stops}
