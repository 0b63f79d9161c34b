"""Queries behind /api/oruk that the shared filters do not cover: prefilters and SAL pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from app.directory import access
from app.errors import InvalidInput
from app.postcodes import parse_postcode
from app.services.directory.filters import ActivityFilters, where_clauses

# An id no listing has: a prefilter that matched nothing must still filter.
NO_MATCH = ("00000000-0000-0000-0000-000000000000",)


def prefilter_ids(conn: Connection, *, modified_after: datetime | None,
                  organization_id: str | None, features: tuple[str, ...]
                  ) -> tuple[str, ...] | None:
    """Listing ids allowed by ORUK filters beyond ActivityFilters, or None for 'all of them'."""
    where: list[str] = []
    p: dict[str, Any] = {}
    if modified_after is not None:
        where.append("s.last_modified >= :modified_after")
        p["modified_after"] = modified_after
    if organization_id:
        where.append("s.organization_id = :org")
        p["org"] = organization_id
    for code in features:
        column = access.BY_CODE[code].column  # a constant of the vocabulary, never input
        where.append(f"EXISTS (SELECT 1 FROM service_at_location sal JOIN location l ON l.id = sal.location_id WHERE sal.service_id = s.id AND l.{column} IS TRUE)")  # noqa: E501, S608
    if not where:
        return None
    ids = tuple(conn.execute(text(
        f"SELECT s.id FROM service s WHERE {' AND '.join(where)}"), p).scalars())  # noqa: S608
    return ids or NO_MATCH


def sal_page(conn: Connection, f: ActivityFilters, stale_days: int, *, limit: int | None,
             offset: int) -> tuple[int, list[dict[str, Any]]]:
    """Service-at-location rows matching the filters (nearest first with a point); (total, page)."""
    where, p = where_clauses(f, stale_days)
    dist = ("ST_Distance(l.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)"
            "::geography)") if f.has_point else "NULL::float8"
    p |= {"limit": limit, "offset": offset}
    sql = f"""
    SELECT sal.id, sal.service_id, sal.location_id, round(({dist})::numeric, 0) AS distance_m,
           count(*) OVER () AS total
    FROM service_at_location sal
    JOIN service s ON s.id = sal.service_id
    JOIN location l ON l.id = sal.location_id
    WHERE {" AND ".join(where) or "TRUE"}
    ORDER BY distance_m NULLS LAST, s.name, l.name, sal.id
    LIMIT :limit OFFSET :offset"""  # noqa: S608  (constant fragments only)
    rows = [dict(r) for r in conn.execute(text(sql), p).mappings()]
    total = int(rows[0]["total"]) if rows else 0
    if not rows and offset:
        total = int(conn.execute(text(
            "SELECT count(*) FROM service_at_location sal JOIN service s ON"  # noqa: S608
            " s.id = sal.service_id JOIN location l ON l.id = sal.location_id"
            f" WHERE {' AND '.join(where) or 'TRUE'}"), p).scalar_one())
    for r in rows:
        r.pop("total")
        r["distance_m"] = None if r["distance_m"] is None else float(r["distance_m"])
    return total, rows


def sal_by_id(conn: Connection, sal_id: str) -> dict[str, Any] | None:
    """The service and location ids of one service_at_location, or None."""
    row = conn.execute(text("SELECT id, service_id, location_id FROM service_at_location"
                            " WHERE id = :id"), {"id": sal_id}).mappings().first()
    return dict(row) if row else None


_AREAS = ("CASE WHEN jsonb_typeof(s.oruk_extra->'service_areas') = 'array'"
          " THEN s.oruk_extra->'service_areas' ELSE '[]'::jsonb END")


def codes_of_postcode(conn: Connection, raw: str) -> list[str]:
    """GSS codes (LSOA 2021/2011, ward, district) of a postcode, or of every postcode of an
    outward code; [] for a 'lat,lon' point."""
    try:
        pc = parse_postcode(raw, field="postcode")
    except InvalidInput:
        return []
    rows = conn.execute(text(
        "SELECT DISTINCT unnest(ARRAY[lsoa21_code, lsoa11_code, ward_code, lad_code]) FROM"
        " postcode WHERE (pcd = :p AND NOT :partial) OR (outward = :o AND :partial)"),
        {"p": pc.compact, "o": pc.outward, "partial": pc.is_partial}).scalars()
    return [c for c in rows if c]


def covering_ids(conn: Connection, codes: list[str], lat: float, lon: float,
                 default_m: float) -> tuple[str, ...]:
    """ORUK `postcode` without `proximity`: services whose GSS service areas contain the
    postcode, and services without service areas that have a venue within default_m."""
    ids = tuple(conn.execute(text(f"""
        SELECT s.id FROM service s
        WHERE EXISTS (SELECT 1 FROM jsonb_array_elements({_AREAS}) a
                      WHERE a->>'extent_type' = 'gss_code' AND a->>'extent' = ANY(:codes))
           OR (NOT EXISTS (SELECT 1 FROM jsonb_array_elements({_AREAS}) a
                           WHERE a->>'extent_type' = 'gss_code')
               AND EXISTS (SELECT 1 FROM service_at_location sal JOIN location l
                           ON l.id = sal.location_id WHERE sal.service_id = s.id
                           AND ST_DWithin(l.geom::geography, ST_SetSRID(ST_MakePoint(:lon,
                               :lat), 4326)::geography, :m)))"""),  # noqa: S608
        {"codes": codes, "lat": lat, "lon": lon, "m": default_m}).scalars())
    return ids or NO_MATCH


def intersect(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Both id prefilters at once (None means 'no prefilter')."""
    if a is None or b is None:
        return a if b is None else b
    both = tuple(sorted(set(a) & set(b)))
    return both or NO_MATCH
