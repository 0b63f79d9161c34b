"""Where a hypothetical group would meet: a point, a postcode or a loaded venue, in the region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from app.errors import InvalidInput, NotFound, OutOfCoverage
from app.postcodes import parse_postcode
from app.services.places import postcode_point


@dataclass(frozen=True)
class Place:
    """A resolved placement."""

    lat: float
    lon: float
    label: str
    venue_id: str | None = None
    kind: str = "point"  # point, postcode or venue


def check_in_region(conn: Connection, lat: float, lon: float, field: str = "lat") -> str:
    """The LAD code containing the point; 422 when it is outside every loaded district."""
    code = conn.execute(text(
        "SELECT code FROM lad WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:lon, :lat),"
        " 4326)) LIMIT 1"), {"lat": lat, "lon": lon}).scalar()
    if code is None:
        raise OutOfCoverage("the location is outside the loaded region (no loaded district "
                            "contains it)", field=field)
    return str(code)


def resolve(conn: Connection, *, lat: float | None = None, lon: float | None = None,
            postcode: str | None = None, venue_id: str | None = None) -> Place:
    """One placement from exactly one of lat/lon, a postcode or a venue id; in the region."""
    given = [x for x in (lat is not None or lon is not None, postcode, venue_id) if x]
    if len(given) != 1:
        raise InvalidInput("give exactly one of lat and lon, postcode or venue_id",
                           field="venue_id" if venue_id else "postcode")
    if venue_id:
        row = conn.execute(text(
            "SELECT id, name, ST_Y(geom), ST_X(geom) FROM location WHERE id = :i"
            " AND geom IS NOT NULL"), {"i": venue_id}).first()
        if row is None:
            raise NotFound(f"no venue with id {venue_id!r}", field="venue_id")
        place = Place(float(row[2]), float(row[3]), str(row[1]), str(row[0]), "venue")
    elif postcode:
        pc = parse_postcode(postcode, allow_partial=False)
        found = postcode_point(conn, pc)
        if found is None:
            # No postcode in the message: planners type them, and they are never echoed.
            raise NotFound("that postcode is not in the loaded postcode directory",
                           field="postcode")
        place = Place(found.lat, found.lon, f"postcode {found.pcds}", None, "postcode")
    else:
        if lat is None or lon is None:
            raise InvalidInput("give both lat and lon", field="lon" if lat is not None
                               else "lat")
        place = Place(float(lat), float(lon), "point on the map")
    check_in_region(conn, place.lat, place.lon, "venue_id" if venue_id else
                    "postcode" if postcode else "lat")
    return place


def candidate_venues(conn: Connection) -> list[dict[str, Any]]:
    """Every loaded venue (listed venues, libraries, community buildings) with its kind."""
    rows = conn.execute(text(
        "SELECT id, name, coalesce(venue_type, 'venue'), city, lad_code, ST_Y(geom), ST_X(geom)"
        " FROM location WHERE geom IS NOT NULL AND location_type <> 'virtual'"
        " ORDER BY name, id")).all()
    return [{"id": r[0], "name": r[1], "kind": r[2], "town": r[3], "lad_code": r[4],
             "lat": float(r[5]), "lon": float(r[6])} for r in rows]
