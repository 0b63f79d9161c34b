"""Area queries: GeoJSON of districts, wards and LSOAs with population-weighted attributes."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound

LEVELS = ("lad", "ward", "lsoa")
_METRES_PER_DEGREE = 111_320.0

# Per-LSOA attributes: IoD2025 IMD and population. Ward and LAD figures are aggregated from it,
# weighting each LSOA's score by its Census 2021 population (the LSOA is the finest level).
_LSOA_BASE = """
WITH pop AS (
  SELECT lsoa_code, sum(count) FILTER (WHERE age_band = 'total') AS total,
         jsonb_object_agg(age_band, count) AS bands
  FROM population GROUP BY lsoa_code
), base AS (
  SELECT l.code, l.name, coalesce(lk.lad_code, l.lad_code) AS lad_code, lk.ward_code,
         pop.total AS population, pop.bands, d.score, d.rank, d.decile
  FROM lsoa21 l
  LEFT JOIN lsoa_lookup lk ON lk.lsoa21_code = l.code
  LEFT JOIN pop ON pop.lsoa_code = l.code
  LEFT JOIN deprivation d ON d.edition = 2025 AND d.lsoa_code = l.code AND d.measure = 'imd'
)
"""

_GROUP_ATTRS = """
  count(b.code) AS lsoa_count,
  sum(b.population) AS population,
  sum(b.score * b.population) / nullif(sum(b.population) FILTER (WHERE b.score IS NOT NULL), 0)
    AS imd_score,
  sum(b.population) FILTER (WHERE b.decile = 1)::float / nullif(sum(b.population), 0)
    AS share_pop_imd_decile_1,
  sum(b.population) FILTER (WHERE b.decile <= 2)::float / nullif(sum(b.population), 0)
    AS share_pop_imd_decile_1_2
"""

_SQL = {
    "lsoa": _LSOA_BASE + """
SELECT b.code, b.name, b.lad_code, b.ward_code, b.population, b.bands AS population_by_age,
       b.score AS imd_score, b.rank AS imd_rank, b.decile AS imd_decile,
       ru.ruc_code, ru.broad AS rural_urban,
       ST_AsGeoJSON({geom}, 6) AS geometry
FROM base b JOIN lsoa21 g ON g.code = b.code
LEFT JOIN rural_urban ru ON ru.lsoa_code = b.code
WHERE {where} ORDER BY b.code""",
    "ward": _LSOA_BASE + """
SELECT g.code, g.name, g.lad_code, """ + _GROUP_ATTRS + """,
       ST_AsGeoJSON({geom}, 6) AS geometry
FROM ward g LEFT JOIN base b ON b.ward_code = g.code
WHERE {where} GROUP BY g.code ORDER BY g.code""",
    "lad": _LSOA_BASE + """
SELECT g.code, g.name, g.code AS lad_code, """ + _GROUP_ATTRS + """,
       ST_AsGeoJSON({geom}, 6) AS geometry
FROM lad g LEFT JOIN base b ON b.lad_code = g.code
WHERE {where} GROUP BY g.code ORDER BY g.code""",
}


def check_level(level: str) -> str:
    """Refuse an unknown level with the list of valid ones."""
    if level not in LEVELS:
        raise InvalidInput(f"unknown level {level!r}; use one of {', '.join(LEVELS)}",
                           field="level")
    return level


def resolve_district(session: Session, district: str) -> str:
    """Accept a district code or name (any case) and return its code."""
    row = session.execute(
        text("SELECT code FROM lad WHERE upper(code) = upper(:d) OR lower(name) = lower(:d)"),
        {"d": district.strip()},
    ).first()
    if row is None:
        names = [r[0] for r in session.execute(text("SELECT name FROM lad ORDER BY name"))]
        raise InvalidInput(f"unknown district; loaded districts are: {', '.join(names)}",
                           field="district")
    return str(row[0])


def area_collection(session: Session, level: str, *, bbox: tuple[float, ...] | None = None,
                    district: str | None = None, simplify_m: float | None = None,
                    ) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection of one level, optionally filtered and simplified."""
    check_level(level)
    params: dict[str, Any] = {}
    where = ["TRUE"]
    if bbox is not None:
        where.append("g.geom && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)")
        params.update(zip(("minx", "miny", "maxx", "maxy"), bbox, strict=True))
    if district is not None:
        params["lad"] = resolve_district(session, district)
        where.append("g.code = :lad" if level == "lad" else "g.lad_code = :lad")
    geom = "g.geom"
    if simplify_m:
        params["tol"] = simplify_m / _METRES_PER_DEGREE
        # ST_Multi: simplifying can return a Polygon; keep one geometry type per layer.
        geom = "ST_Multi(ST_SimplifyPreserveTopology(g.geom, :tol))"
    sql = _SQL[level].format(geom=geom, where=" AND ".join(where))
    features = [_feature(row) for row in session.execute(text(sql), params).mappings()]
    return {"type": "FeatureCollection", "level": level, "features": features}


def area_detail(session: Session, level: str, code: str) -> dict[str, Any]:
    """One area as a GeoJSON Feature with every IoD measure, population bands and parents."""
    check_level(level)
    sql = _SQL[level].format(geom="g.geom", where="g.code = :code")
    row = session.execute(text(sql), {"code": code.strip().upper()}).mappings().first()
    if row is None:
        raise NotFound(f"no {level} with code {code!r} is loaded", field="code")
    feature = _feature(row)
    props = feature["properties"]
    props["deprivation"] = _measures(session, level, props["code"])
    if level != "lsoa":
        props["population_by_age"] = _population_bands(session, level, props["code"])
    if level in ("lsoa", "ward"):
        props["district_name"] = session.execute(
            text("SELECT name FROM lad WHERE code = :c"), {"c": props["lad_code"]}).scalar()
    if level == "lsoa" and props.get("ward_code"):
        props["ward_name"] = session.execute(
            text("SELECT name FROM ward WHERE code = :c"), {"c": props["ward_code"]}).scalar()
    return feature


def _lsoas_of(level: str) -> str:
    """SQL for the LSOA codes inside an area (`:code`), via the best-fit lookup."""
    if level == "lsoa":
        return "SELECT :code AS lsoa_code"
    col = "ward_code" if level == "ward" else "lad_code"
    # `col` is one of two constants chosen above; the code itself is a bind parameter.
    return f"SELECT lsoa21_code AS lsoa_code FROM lsoa_lookup WHERE {col} = :code"  # noqa: S608


def _measures(session: Session, level: str, code: str) -> dict[str, Any]:
    """IoD2025 measures; for wards and districts, population-weighted means of LSOA scores."""
    sql = f"""
    WITH a AS ({_lsoas_of(level)}),
    pop AS (SELECT lsoa_code, count FROM population WHERE age_band = 'total')
    SELECT d.measure,
           CASE WHEN count(*) = 1 THEN max(d.score)
                ELSE sum(d.score * p.count) / nullif(sum(p.count) FILTER
                     (WHERE d.score IS NOT NULL), 0) END AS score,
           CASE WHEN count(*) = 1 THEN max(d.rank) END AS rank,
           CASE WHEN count(*) = 1 THEN max(d.decile) END AS decile
    FROM a JOIN deprivation d ON d.lsoa_code = a.lsoa_code AND d.edition = 2025
    LEFT JOIN pop p ON p.lsoa_code = a.lsoa_code
    GROUP BY d.measure ORDER BY d.measure"""  # noqa: S608 (only constant fragments)
    out: dict[str, Any] = {"edition": 2025, "weighted": level != "lsoa", "measures": {}}
    for r in session.execute(text(sql), {"code": code}).mappings():
        out["measures"][r["measure"]] = {"score": r["score"], "rank": r["rank"],
                                         "decile": r["decile"]}
    return out


def _population_bands(session: Session, level: str, code: str) -> dict[str, int]:
    sql = f"""WITH a AS ({_lsoas_of(level)})
    SELECT p.age_band, sum(p.count) AS n FROM a JOIN population p ON p.lsoa_code = a.lsoa_code
    GROUP BY p.age_band"""  # noqa: S608 (only constant fragments)
    return {r.age_band: int(r.n) for r in session.execute(text(sql), {"code": code})}


def _feature(row: Any) -> dict[str, Any]:
    props = {k: v for k, v in row.items() if k != "geometry"}
    for key in ("imd_score", "share_pop_imd_decile_1", "share_pop_imd_decile_1_2"):
        if props.get(key) is not None:
            props[key] = round(float(props[key]), 4)
    if props.get("population") is not None:
        props["population"] = int(props["population"])
    return {"type": "Feature", "id": props["code"], "properties": props,
            "geometry": json.loads(row["geometry"]) if row["geometry"] else None}
