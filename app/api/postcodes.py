"""GET /api/postcodes/{postcode}: where a postcode is and how deprived its area is."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import SessionDep, TypedRoute
from app.postcodes import parse_postcode
from app.schemas.areas import PostcodeLookup
from app.services.places import lookup_postcode

router = APIRouter(tags=["areas"], route_class=TypedRoute)


@router.get("/api/postcodes/{postcode}", response_model=PostcodeLookup)
def get_postcode(postcode: str, session: SessionDep) -> dict[str, Any]:
    """Look up a full postcode, or an outward code (approximate centroid)."""
    return lookup_postcode(session, parse_postcode(postcode))
