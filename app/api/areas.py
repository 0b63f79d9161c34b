"""GET /api/areas/{level}: districts, wards and LSOAs as GeoJSON with need attributes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from app.api.deps import SessionDep, TypedRoute
from app.geo import parse_bbox
from app.schemas.areas import AreaCollection, AreaFeature
from app.services.areas import area_collection, area_detail

router = APIRouter(tags=["areas"], route_class=TypedRoute)


@router.get("/api/areas/{level}", response_model=AreaCollection)
def list_areas(
    session: SessionDep,
    level: str,
    bbox: str | None = Query(None, description="minlon,minlat,maxlon,maxlat (WGS84)"),
    district: str | None = Query(None, description="district code or name"),
    simplify: float | None = Query(None, gt=0, le=5000, description="tolerance in metres"),
) -> dict[str, Any]:
    """A FeatureCollection of `lad`, `ward` or `lsoa` with IMD and population attributes."""
    box = parse_bbox(bbox) if bbox is not None else None
    return area_collection(session, level, bbox=box, district=district, simplify_m=simplify)


@router.get("/api/areas/{level}/{code}", response_model=AreaFeature)
def get_area(level: str, code: str, session: SessionDep) -> dict[str, Any]:
    """One area with every IoD2025 measure, population by age and its parent areas."""
    return area_detail(session, level, code)
