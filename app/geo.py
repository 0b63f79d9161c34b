"""Shared geographic vocabulary: the Great Britain box, points, and lat/lon and bbox parsing.

Both front doors (the HTTP app and the ingest CLI) and the layers below them read points
through this module, so "what counts as a coordinate in Great Britain" is written once. It
imports nothing of the web layer or the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import InvalidInput

# Great Britain and its islands in WGS84 (minlon, minlat, maxlon, maxlat), generously: used
# to catch swapped or garbage coordinates, not to draw a border.
GB_BOUNDS = (-9.0, 49.0, 2.5, 61.5)
GB_HINT = "the point is outside Great Britain (is it lat,lon in that order?)"

Bbox = tuple[float, float, float, float]
_NUMERIC_START = re.compile(r"[-+]?\d")


@dataclass(frozen=True)
class LatLon:
    """A WGS84 point."""

    lat: float
    lon: float


def in_gb(lat: float, lon: float) -> bool:
    """True when (lat, lon) lies inside the Great Britain box."""
    minx, miny, maxx, maxy = GB_BOUNDS
    return miny <= lat <= maxy and minx <= lon <= maxx


def looks_like_latlon(raw: str) -> bool:
    """True when the text is meant as a coordinate pair rather than a postcode.

    A comma or a leading digit/sign never starts a UK postcode, so such text is parsed (and
    refused with a reason) as `lat,lon`.
    """
    value = (raw or "").strip()
    return "," in value or _NUMERIC_START.match(value) is not None


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
    if not in_gb(point.lat, point.lon):
        raise InvalidInput(GB_HINT, field=field)
    return point


def parse_bbox(raw: str, *, field: str = "bbox") -> Bbox:
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
