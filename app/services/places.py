"""Where a place typed by a user is: the one resolver of lat,lon, postcodes and outward codes.

Every front door that turns user text into a point (the finder, journeys, directory search,
the postcode lookup) comes through here, so the privacy rules live in one place: the text is
personal data, so it is never logged or stored, never put in an exception's chain, and an
error names the field and at most the outward code (the district-level area the finder shows
anyway); only GET /api/postcodes/{postcode}, a lookup of that very postcode, echoes it.
Bus-stop lookups against the area layer sit here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.geo import LatLon, looks_like_latlon, parse_latlon, require_in_gb
from app.postcodes import ParsedPostcode, parse_postcode
from app.services.datasets import postcode_sources

Db = Session | Connection

_FULL_SQL = text("""
SELECT p.pcds, ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon, p.positional_quality,
       p.lsoa21_code, l.name AS lsoa21_name, p.lsoa11_code, l11.name AS lsoa11_name,
       p.ward_code, w.name AS ward_name, p.lad_code, d.name AS lad_name,
       imd.score AS imd_score, imd.rank AS imd_rank, imd.decile AS imd_decile,
       imd19.rank AS imd19_rank, imd19.decile AS imd19_decile,
       ru.ruc_code, ru.classification AS ruc_classification, ru.broad AS ruc_broad
FROM postcode p
LEFT JOIN lsoa21 l ON l.code = p.lsoa21_code
LEFT JOIN lsoa11 l11 ON l11.code = p.lsoa11_code
LEFT JOIN ward w ON w.code = p.ward_code
LEFT JOIN lad d ON d.code = p.lad_code
LEFT JOIN deprivation imd ON imd.edition = 2025 AND imd.lsoa_code = p.lsoa21_code
     AND imd.measure = 'imd'
LEFT JOIN deprivation imd19 ON imd19.edition = 2019 AND imd19.lsoa_code = p.lsoa11_code
     AND imd19.measure = 'imd'
LEFT JOIN rural_urban ru ON ru.lsoa_code = p.lsoa21_code
WHERE p.pcd = :pcd
""")
_POINT_SQL = text("SELECT pcds, ST_Y(geom) AS lat, ST_X(geom) AS lon, outward, lad_code "
                  "FROM postcode WHERE pcd = :pcd")
# The one outward-code query: the centre of its postcodes, their count, the district most of
# them are in, and the distance covering 90% of them (the finder's privacy-safe display area).
_OUTWARD_SQL = text("""
WITH pts AS (SELECT geom, lad_code FROM postcode WHERE outward = :outward),
c AS (SELECT ST_Centroid(ST_Collect(geom)) AS g, count(*) AS n,
             mode() WITHIN GROUP (ORDER BY lad_code) AS lad_code FROM pts)
SELECT c.n, ST_Y(c.g) AS lat, ST_X(c.g) AS lon, c.lad_code,
       (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY ST_Distance(p.geom::geography,
               c.g::geography)) FROM pts p) AS r90,
       (SELECT name FROM lad WHERE code = c.lad_code) AS district
FROM c""")


@dataclass(frozen=True)
class PostcodePoint:
    """Where one full postcode is, with its outward code and district."""

    pcds: str  # as the directory spells it, e.g. NG18 1AA
    lat: float
    lon: float
    outward: str
    lad_code: str | None


@dataclass(frozen=True)
class OutwardCentre:
    """The centre of an outward code's loaded postcodes."""

    outward: str
    count: int
    lat: float
    lon: float
    lad_code: str | None
    district: str | None
    r90_m: float  # distance from the centre that covers 90% of its postcodes


@dataclass(frozen=True)
class Place:
    """A resolved place: the point, and the postcode it came from (None for lat,lon)."""

    lat: float
    lon: float
    postcode: ParsedPostcode | None = None
    label: str = ""  # the normalised postcode, or the rounded point
    approximate: bool = False  # an outward code's centre
    note: str | None = None


def postcode_point(db: Db, pc: ParsedPostcode) -> PostcodePoint | None:
    """The point of a full postcode, or None when it is not loaded."""
    row = db.execute(_POINT_SQL, {"pcd": pc.compact}).mappings().first()
    if row is None or row["lat"] is None:
        return None
    return PostcodePoint(row["pcds"], float(row["lat"]), float(row["lon"]), row["outward"],
                         row["lad_code"])


def outward_centre(db: Db, outward: str) -> OutwardCentre | None:
    """The centre of an outward code's postcodes, or None when none of them is loaded."""
    row = db.execute(_OUTWARD_SQL, {"outward": outward}).mappings().one()
    if not row["n"]:
        return None
    return OutwardCentre(outward, int(row["n"]), float(row["lat"]), float(row["lon"]),
                         row["lad_code"], row["district"], float(row["r90"] or 0.0))


def _full_missing(db: Db, pc: ParsedPostcode, field: str, *, echo: bool = False) -> NotFound:
    """The 404 of an unknown full postcode; only the lookup of that very postcode echoes it."""
    named = f"postcode {pc.display}" if echo else "that postcode"
    return NotFound(
        f"{named} is not in the loaded postcode directory ({postcode_sources(db)}). It may be "
        f"newer than the directory or mistyped; check it, or try the outward code "
        f"{pc.outward} for an approximate location.", field=field)


def _outward_missing(pc: ParsedPostcode, field: str) -> NotFound:
    return NotFound(f"no postcodes in district {pc.outward} are loaded; check the outward code",
                    field=field)


def _outward_note(centre: OutwardCentre) -> str:
    return (f"Approximate: the centre of the {centre.count} postcodes in {centre.outward}. "
            "Enter the full postcode for area and deprivation details.")


def resolve_place(db: Db, raw: str, *, field: str, gb_only: bool = True) -> Place:
    """`lat,lon`, a full postcode or an outward code -> a point; 422/404 naming the field.

    `gb_only` refuses points outside Great Britain (swapped lat/lon); the journey planner
    turns it off because it also routes the test-bed feeds abroad.
    """
    if looks_like_latlon(raw):
        point: LatLon = parse_latlon(raw, field=field)
        if gb_only:
            require_in_gb(point, field=field)
        return Place(point.lat, point.lon, label=f"{point.lat:.5f},{point.lon:.5f}")
    pc = parse_postcode(raw, field=field)
    if pc.is_partial:
        centre = outward_centre(db, pc.outward)
        if centre is None:
            raise _outward_missing(pc, field)
        return Place(centre.lat, centre.lon, pc, pc.outward, approximate=True,
                     note=_outward_note(centre))
    found = postcode_point(db, pc)
    if found is None:
        raise _full_missing(db, pc, field)
    return Place(found.lat, found.lon, pc, found.pcds)


def resolve_point(db: Db, raw: str, *, field: str = "near") -> tuple[float, float]:
    """(lat, lon) of `lat,lon` in Great Britain, a postcode, or an outward code's centre."""
    place = resolve_place(db, raw, field=field)
    return place.lat, place.lon


def lookup_postcode(session: Session, pc: ParsedPostcode) -> dict[str, Any]:
    """Return a postcode's point, areas, IMD and rural-urban class (or its district centroid)."""
    if pc.is_partial:
        return _lookup_outward(session, pc)
    row = session.execute(_FULL_SQL, {"pcd": pc.compact}).mappings().first()
    if row is None:
        raise _full_missing(session, pc, "postcode", echo=True)
    return {
        "postcode": row["pcds"],
        "approximate": False,
        "point": {"lat": row["lat"], "lon": row["lon"]},
        "positional_quality": row["positional_quality"],
        "lsoa21": _area(row["lsoa21_code"], row["lsoa21_name"]),
        "lsoa11": _area(row["lsoa11_code"], row["lsoa11_name"]),
        "ward": _area(row["ward_code"], row["ward_name"]),
        "district": _area(row["lad_code"], row["lad_name"]),
        "imd": None if row["imd_decile"] is None else {
            "edition": 2025, "score": row["imd_score"], "rank": row["imd_rank"],
            "decile": row["imd_decile"]},
        "imd2019": None if row["imd19_decile"] is None else {
            "edition": 2019, "rank": row["imd19_rank"], "decile": row["imd19_decile"]},
        "rural_urban": None if row["ruc_code"] is None else {
            "code": row["ruc_code"], "classification": row["ruc_classification"],
            "broad": row["ruc_broad"]},
    }


def _lookup_outward(session: Session, pc: ParsedPostcode) -> dict[str, Any]:
    centre = outward_centre(session, pc.outward)
    if centre is None:
        raise _outward_missing(pc, "postcode")
    return {
        "postcode": pc.outward,
        "approximate": True,
        "note": _outward_note(centre),
        "point": {"lat": centre.lat, "lon": centre.lon},
        "postcode_count": centre.count,
        "district": None if centre.district is None else _area(centre.lad_code,
                                                                     centre.district),
    }


def _area(code: str | None, name: str | None) -> dict[str, str | None] | None:
    return None if code is None else {"code": code, "name": name}


def stops_near(session: Session, lat: float, lon: float, radius_m: float, limit: int
               ) -> list[dict[str, Any]]:
    """Active NaPTAN stops within `radius_m` metres of a point, nearest first."""
    rows = session.execute(text("""
        SELECT atco_code, naptan_code, name, indicator, street, locality, bearing, stop_type,
               bus_stop_type, status, ST_Y(geom) AS lat, ST_X(geom) AS lon,
               ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)
                 AS distance_m
        FROM bus_stop
        WHERE status = 'active'
          AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography,
                         :r)
        ORDER BY distance_m LIMIT :limit
    """), {"lat": lat, "lon": lon, "r": radius_m, "limit": limit}).mappings()
    return [{**r, "distance_m": round(r["distance_m"], 1)} for r in rows]
