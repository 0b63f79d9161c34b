"""Resolve a `from`/`to` query value (postcode or lat,lon) into a journey end, unlogged."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.errors import InvalidInput
from app.services.places import resolve_place as resolve_text


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
    if not (raw or "").strip():
        raise InvalidInput("give a postcode (e.g. NG18 1AA) or lat,lon", field=field)
    # Journeys also run on the test-bed feeds abroad, so points are not held to Great Britain.
    place = resolve_text(session, raw.strip(), field=field, gb_only=False)
    spoken = None
    if place.postcode is None:
        spoken = "your start point" if field == "from" else "your destination"
    return QueryPlace(place.lat, place.lon, place.label, approximate=place.approximate,
                      note=place.note, spoken=spoken)
