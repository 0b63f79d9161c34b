"""Parsers for query parameters shared by several routers (points, bounding boxes, pages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from app.errors import InvalidInput

# Paging caps: OFFSET = (page - 1) * per_page must stay a small bigint, and nobody pages
# through more than a million rows of a directory this size.
MAX_PAGE = 10_000
MAX_PER_PAGE = 200
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page number, 1..{MAX_PAGE}")]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE,
                               description=f"results per page, 1..{MAX_PER_PAGE}")]

# Great Britain and its islands, generously; used to catch swapped or garbage coordinates.
GB_BOUNDS = (-9.0, 49.0, 2.5, 61.5)


@dataclass(frozen=True)
class LatLon:
    """A WGS84 point."""

    lat: float
    lon: float


def parse_latlon(raw: str, *, field: str) -> LatLon:
    """Parse `lat,lon` into a point, refusing anything that is not a valid coordinate pair."""
    parts = [p.strip() for p in (raw or "").split(",")]
    if len(parts) != 2:
        raise InvalidInput("expected 'lat,lon', e.g. 53.1430,-1.1970", field=field)
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise InvalidInput("latitude and longitude must be numbers", field=field) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput("latitude must be in -90..90 and longitude in -180..180", field=field)
    return LatLon(lat, lon)


def require_in_gb(point: LatLon, *, field: str) -> LatLon:
    """Refuse a point outside Great Britain (often swapped lat/lon)."""
    minx, miny, maxx, maxy = GB_BOUNDS
    if not (miny <= point.lat <= maxy and minx <= point.lon <= maxx):
        raise InvalidInput("the point is outside Great Britain (is it lat,lon in that order?)",
                           field=field)
    return point


def parse_bbox(raw: str, *, field: str = "bbox") -> tuple[float, float, float, float]:
    """Parse `minlon,minlat,maxlon,maxlat` (the GeoJSON/OGC order)."""
    parts = (raw or "").split(",")
    if len(parts) != 4:
        raise InvalidInput("expected four numbers: minlon,minlat,maxlon,maxlat", field=field)
    try:
        minx, miny, maxx, maxy = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput("bbox values must be numbers", field=field) from None
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise InvalidInput("bbox must satisfy -180 <= minlon < maxlon <= 180 and "
                           "-90 <= minlat < maxlat <= 90", field=field)
    return minx, miny, maxx, maxy
