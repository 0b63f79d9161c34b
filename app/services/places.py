"""Postcode and bus-stop lookups against the area layer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.postcodes import ParsedPostcode
from app.services.datasets import postcode_sources

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

_OUTWARD_SQL = text("""
SELECT count(*) AS n, ST_Y(ST_Centroid(ST_Collect(geom))) AS lat,
       ST_X(ST_Centroid(ST_Collect(geom))) AS lon,
       mode() WITHIN GROUP (ORDER BY lad_code) AS lad_code
FROM postcode WHERE outward = :outward
""")


def lookup_postcode(session: Session, pc: ParsedPostcode) -> dict[str, Any]:
    """Return a postcode's point, areas, IMD and rural-urban class (or its district centroid)."""
    if pc.is_partial:
        return _lookup_outward(session, pc)
    row = session.execute(_FULL_SQL, {"pcd": pc.compact}).mappings().first()
    if row is None:
        raise NotFound(
            f"postcode {pc.display} is not in the loaded postcode directory "
            f"({postcode_sources(session)}). It may be newer than the directory or mistyped; "
            f"check it, or try the outward code {pc.outward} for an approximate location.",
            field="postcode",
        )
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
    row = session.execute(_OUTWARD_SQL, {"outward": pc.outward}).mappings().one()
    if not row["n"]:
        raise NotFound(
            f"no postcodes in district {pc.outward} are loaded; check the outward code",
            field="postcode")
    district = session.execute(text("SELECT code, name FROM lad WHERE code = :c"),
                               {"c": row["lad_code"]}).mappings().first()
    return {
        "postcode": pc.outward,
        "approximate": True,
        "note": f"Approximate: the centre of the {row['n']} postcodes in {pc.outward}. "
                "Enter the full postcode for area and deprivation details.",
        "point": {"lat": row["lat"], "lon": row["lon"]},
        "postcode_count": row["n"],
        "district": _area(district["code"], district["name"]) if district else None,
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
