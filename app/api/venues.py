"""/api/venues: search venues, one venue with the listings held there, the access vocabulary."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import SessionDep, TypedRoute
from app.directory import access
from app.errors import InvalidInput
from app.schemas.venues import AccessibilityVocabulary, Venue, VenuePage
from app.services.directory.venues import get_venue, search_venues
from app.services.places import resolve_point
from app.settings import get_settings

router = APIRouter(tags=["venues"], route_class=TypedRoute)


def _features(raw: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for item in raw or []:
        for part in item.split(","):
            if not part.strip():
                continue
            f = access.feature_of(part)
            if f is None:
                raise InvalidInput("unknown accessibility feature; use "
                                   + ", ".join(x.code for x in access.FEATURES),
                                   field="accessibility")
            out.append(f.code)
    return tuple(dict.fromkeys(out))


@router.get("/api/venues/accessibility", response_model=AccessibilityVocabulary)
def accessibility_vocabulary() -> dict[str, Any]:
    """The UK venue accessibility vocabulary used in imports, filters and ORUK output."""
    return {"taxonomy_id": access.TAXONOMY.id, "features": [
        {"code": f.code, "label": f.label, "description": f.description,
         "taxonomy_term_id": access.TAXONOMY.term_id(f.code)} for f in access.FEATURES]}


@router.get("/api/venues", response_model=VenuePage)
def venues(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100, description="name, address or postcode")
                 ] = None,
    near: Annotated[str | None, Query(max_length=40, description="postcode or 'lat,lon'")
                    ] = None,
    radius_m: Annotated[float | None, Query(gt=0, le=100000)] = None,
    accessibility: Annotated[list[str] | None, Query(
        description="features the venue must have, e.g. step-free,hearing-loop")] = None,
    district: Annotated[str | None, Query(pattern=r"^E0[6-9]\d{6}$",
                                          description="district code (LAD)")] = None,
    has_listings: bool | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Venues matching every filter; nearest first when `near` is given."""
    lat = lon = None
    if near:
        lat, lon = resolve_point(session.connection(), near)
    elif radius_m is not None:
        raise InvalidInput("radius_m needs near=postcode or lat,lon", field="radius_m")
    total, rows = search_venues(
        session.connection(), q=(q or "").strip() or None, lat=lat, lon=lon,
        radius_m=radius_m, features=_features(accessibility), lad_code=district,
        with_listings=has_listings, limit=per_page, offset=(page - 1) * per_page)
    return {"total": total, "page": page, "per_page": per_page,
            "pages": (total + per_page - 1) // per_page, "venues": rows}


@router.get("/api/venues/{venue_id}", response_model=Venue)
def one_venue(venue_id: str, session: SessionDep) -> dict[str, Any]:
    """One venue: address, point, accessibility and every listing held there."""
    return get_venue(session.connection(), venue_id, get_settings().stale_after_days)
