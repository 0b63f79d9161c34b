"""GET /api/postcodes/{postcode}: where a postcode is and how deprived its area is."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from app.db import get_session
from app.postcodes import parse_postcode
from app.services.places import lookup_postcode

router = APIRouter(tags=["areas"])


@router.get("/api/postcodes/{postcode}")
def get_postcode(postcode: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    """Look up a full postcode, or an outward code (approximate centroid)."""
    return lookup_postcode(session, parse_postcode(postcode))
