"""Turn a `near` value (postcode or lat,lon) into a point; the value itself is never logged."""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from app.errors import InvalidInput, NotFound
from app.postcodes import parse_postcode

GB_BOUNDS = (-9.0, 49.0, 2.5, 61.5)
_LATLON = re.compile(r"^\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*$")


def resolve_point(conn: Connection, raw: str, *, field: str = "near") -> tuple[float, float]:
    """(lat, lon) of 'lat,lon' or of a postcode's centroid (an outward code gives its centre)."""
    if _LATLON.match(raw or ""):
        lat, lon = (float(p) for p in raw.split(","))
        if not (GB_BOUNDS[1] <= lat <= GB_BOUNDS[3] and GB_BOUNDS[0] <= lon <= GB_BOUNDS[2]):
            raise InvalidInput("the point is outside Great Britain (is it lat,lon in that "
                               "order?)", field=field)
        return lat, lon
    pc = parse_postcode(raw, field=field)
    if pc.is_partial:
        row = conn.execute(text("SELECT ST_Y(ST_Centroid(ST_Collect(geom))) AS lat,"
                                " ST_X(ST_Centroid(ST_Collect(geom))) AS lon FROM postcode"
                                " WHERE outward = :o"), {"o": pc.outward}).first()
    else:
        row = conn.execute(text("SELECT ST_Y(geom) AS lat, ST_X(geom) AS lon FROM postcode"
                                " WHERE pcd = :p"), {"p": pc.compact}).first()
    if row is None or row.lat is None:
        raise NotFound("that postcode is not in the loaded postcode directory; check it, or "
                       "give lat,lon instead", field=field)
    return float(row.lat), float(row.lon)
