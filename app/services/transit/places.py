"""Resolve a `from`/`to` query value (postcode or lat,lon) into a point, without logging it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.postcodes import parse_postcode
from app.services.places import lookup_postcode

_LOOKS_NUMERIC = re.compile(r"^\s*[-+]?\d")


@dataclass(frozen=True)
class QueryPlace:
    """A resolved place: the point, a label to show, and whether it is approximate."""

    lat: float
    lon: float
    label: str
    approximate: bool = False
    note: str | None = None
    spoken: str | None = None  # how instructions name it ("your start point" for lat,lon)

    @property
    def name(self) -> str:
        """The name used in step-by-step instructions."""
        return self.spoken or self.label


def resolve_place(session: Session, raw: str, *, field: str) -> QueryPlace:
    """`lat,lon` or a (full or outward) postcode -> point; 422/404 naming the field."""
    value = (raw or "").strip()
    if not value:
        raise InvalidInput("give a postcode (e.g. NG18 1AA) or lat,lon", field=field)
    if "," in value or _LOOKS_NUMERIC.match(value):
        # Imported here: app.api's package imports the routers, which import this module.
        from app.api.params import parse_latlon

        p = parse_latlon(value, field=field)
        spoken = "your start point" if field == "from" else "your destination"
        return QueryPlace(p.lat, p.lon, f"{p.lat:.5f},{p.lon:.5f}", spoken=spoken)
    pc = parse_postcode(value, field=field)
    try:
        found = lookup_postcode(session, pc)
    except NotFound as exc:
        raise NotFound(exc.message, field=field) from None
    point = found["point"]
    return QueryPlace(float(point["lat"]), float(point["lon"]), str(found["postcode"]),
                      approximate=bool(found.get("approximate")), note=found.get("note"))
