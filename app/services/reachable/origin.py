"""Resolve the finder's origin (postcode, outward code or point) and its safe display area.

The exact point is used for routing only. What goes back to the browser is the outward
code's centre and a radius covering most of its postcodes, never the client's address.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import NotFound, OutOfCoverage
from app.geo import LatLon, require_in_gb
from app.postcodes import parse_postcode
from app.schemas.reachable import Origin, OriginArea
from app.services.places import outward_centre, postcode_point
from app.services.reachable.coverage import covered_districts, postcode_directory
from app.services.region import district_name, served_region

MIN_RADIUS_M = 600
MAX_RADIUS_M = 5000


@dataclass(frozen=True)
class ResolvedOrigin:
    """The routing point (private) and the outward-level area (public)."""

    lat: float
    lon: float
    lad_code: str | None
    area: OriginArea


_NEAREST = text("""
SELECT outward FROM postcode
ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 1""")
_LAD_AT = text("""
SELECT code FROM lad WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
LIMIT 1""")


def resolve_origin(session: Session, origin: Origin) -> ResolvedOrigin:
    """Turn the request's origin into a routing point and a display area (or 404/422)."""
    raw = origin.postcode if origin.postcode and origin.postcode.strip() else origin.outward
    if raw is not None and raw.strip():
        pc = parse_postcode(raw, field="origin.postcode" if origin.postcode else "origin.outward")
        field = "origin.postcode" if origin.postcode else "origin.outward"
        if pc.is_partial:
            area, lad = _outward_area(session, pc.outward, field=field)
            _check_region(session, lad, field, pc.display)
            return ResolvedOrigin(area.lat, area.lon, lad, area.model_copy(
                update={"approximate": True}))
        row = postcode_point(session, pc)
        if row is None:
            if not _outward_known(session, pc.outward):
                # No postcode of that district is loaded at all: it is outside the region.
                _check_region(session, None, field, pc.display)
            conn = session.connection()
            raise NotFound(
                f"that postcode is not in the loaded postcode directory "
                f"({postcode_directory(conn)}). It may be newer than the directory or "
                f"mistyped: check it, or enter just its first part ({pc.outward}) for an "
                "approximate search.", field=field,
                advice="check the postcode or use the outward code")
        _check_region(session, row.lad_code, "origin.postcode", pc.display)
        area, _ = _outward_area(session, row.outward, field="origin.postcode")
        return ResolvedOrigin(row.lat, row.lon, row.lad_code, area)
    assert origin.lat is not None and origin.lon is not None  # guaranteed by the model
    point = require_in_gb(LatLon(origin.lat, origin.lon), field="origin")
    lad = session.execute(_LAD_AT, {"lat": point.lat, "lon": point.lon}).scalar()
    _check_region(session, lad, "origin")
    outward = session.execute(_NEAREST, {"lat": point.lat, "lon": point.lon}).scalar()
    if outward is None:
        raise NotFound("no postcodes are loaded, so the area cannot be shown", field="origin")
    area, _ = _outward_area(session, str(outward), field="origin")
    return ResolvedOrigin(point.lat, point.lon, lad, area)


def _outward_area(session: Session, outward: str, *, field: str) -> tuple[OriginArea, str | None]:
    centre = outward_centre(session, outward)
    if centre is None:
        raise NotFound(f"no postcodes in {outward} are loaded; check the outward code, or enter "
                       "the full postcode", field=field)
    radius = int(min(MAX_RADIUS_M, max(MIN_RADIUS_M, math.ceil(centre.r90_m / 100.0) * 100)))
    return OriginArea(outward=outward, lat=round(centre.lat, 5), lon=round(centre.lon, 5),
                      radius_m=radius, district=centre.district), centre.lad_code


def _outward_known(session: Session, outward: str) -> bool:
    """True when any postcode of the outward code is loaded."""
    return bool(session.execute(text("SELECT EXISTS (SELECT 1 FROM postcode WHERE "
                                     "outward = :o)"), {"o": outward}).scalar())


def _check_region(session: Session, lad_code: str | None, field: str,
                  what: str = "that location") -> None:
    """Refuse an origin outside the served region (SERVED_REGION) or the loaded districts.

    `what` (the postcode as the user typed it, normalised) goes into the answer only; the
    message is never logged.
    """
    conn = session.connection()
    served = served_region(conn)
    if served.restricted:
        if served.covers(lad_code):
            return
        where = district_name(conn, lad_code)
        place = f"{what} is in {where}, outside" if where else f"{what} is outside"
        place = place[0].upper() + place[1:]
        raise OutOfCoverage(f"{place} the area this service covers ({served.names})",
                            field=field, covered_districts=[{"code": c, "name": n}
                                                            for c, n in served.districts])
    districts = covered_districts(conn)
    if lad_code is not None and any(code == lad_code for code, _ in districts):
        return
    names = ", ".join(name for _, name in districts) or "none (no boundaries are loaded)"
    raise OutOfCoverage(f"that location is outside the loaded region: the loaded postcode "
                        f"directory ({postcode_directory(conn)}) and boundaries cover "
                        f"{names}", field=field,
                        covered_districts=[{"code": c, "name": n} for c, n in districts])
