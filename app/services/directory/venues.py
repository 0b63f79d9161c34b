"""Venues: store the accessibility columns write.py does not, search venues, one venue in full."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, text

from app.directory import access, vocab
from app.directory.records import LocationRecord
from app.errors import NotFound
from app.services.directory.filters import stale_sql

# Columns of the UK vocabulary that the shared upsert (write.py) does not know yet.
_EXTRA = ("dementia_friendly", "guide_dog_friendly")


def save_access(conn: Connection, locations: Iterable[LocationRecord]) -> None:
    """Store the accessibility columns beyond step-free, toilet and loop for saved venues."""
    rows = [{"id": loc.id, **{c: getattr(loc, c) for c in _EXTRA}} for loc in locations]
    if rows:
        conn.execute(text("UPDATE location SET dementia_friendly = :dementia_friendly,"
                          " guide_dog_friendly = :guide_dog_friendly WHERE id = :id"), rows)


_VENUE_COLUMNS = ("l.id, l.name, l.description, l.location_type, l.venue_type, l.address_1,"
                  " l.city, l.postcode, l.lad_code, ST_Y(l.geom) AS lat, ST_X(l.geom) AS lon,"
                  " l.external_identifier, l.external_identifier_type, l.accessibility_notes, "
                  + ", ".join(f"l.{c}" for c in access.COLUMNS))


def _venue(row: Any) -> dict[str, Any]:
    out = dict(row)
    out["district"] = vocab.DISTRICT_NAMES.get(out.get("lad_code") or "")
    out["accessibility"] = [{"code": f.code, "label": f.label,
                             "value": out.pop(f.column)} for f in access.FEATURES]
    out["accessibility_features"] = [a["code"] for a in out["accessibility"] if a["value"]]
    return out


def search_venues(conn: Connection, *, q: str | None, lat: float | None, lon: float | None,
                  radius_m: float | None, features: tuple[str, ...], lad_code: str | None,
                  with_listings: bool | None, limit: int, offset: int
                  ) -> tuple[int, list[dict[str, Any]]]:
    """Venues matching every filter, nearest first when a point is given; (total, page)."""
    where = ["TRUE"]
    p: dict[str, Any] = {"limit": limit, "offset": offset}
    if q:
        where.append("(l.name ILIKE :q OR l.address_1 ILIKE :q OR l.city ILIKE :q"
                     " OR replace(l.postcode, ' ', '') ILIKE replace(:q, ' ', ''))")
        p["q"] = f"%{q.replace('%', '').replace('_', '')}%"
    for code in features:
        where.append(f"l.{access.BY_CODE[code].column} IS TRUE")
    if lad_code:
        where.append("l.lad_code = :lad")
        p["lad"] = lad_code
    if with_listings is not None:
        held = "EXISTS (SELECT 1 FROM service_at_location sal WHERE sal.location_id = l.id)"
        where.append(held if with_listings else f"NOT {held}")
    dist = "NULL::float8"
    if lat is not None and lon is not None:
        dist = ("ST_Distance(l.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)"
                "::geography)")
        p |= {"lat": lat, "lon": lon}
        if radius_m is not None:
            where.append("ST_DWithin(l.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat),"
                         " 4326)::geography, :radius)")
            p["radius"] = radius_m
    sql = (f"SELECT {_VENUE_COLUMNS}, round(({dist})::numeric, 0) AS distance_m,"  # noqa: S608
           " (SELECT count(*) FROM service_at_location sal JOIN service s ON s.id ="
           " sal.service_id WHERE sal.location_id = l.id AND s.status = 'active')"
           " AS active_listings, count(*) OVER () AS total"
           f" FROM location l WHERE {' AND '.join(where)}"
           " ORDER BY distance_m NULLS LAST, l.name, l.id LIMIT :limit OFFSET :offset")
    rows = [dict(r) for r in conn.execute(text(sql), p).mappings()]
    total = int(rows[0]["total"]) if rows else 0
    if not rows and offset:
        total = int(conn.execute(text(
            f"SELECT count(*) FROM location l WHERE {' AND '.join(where)}"),  # noqa: S608
            p).scalar_one())
    out = []
    for r in rows:
        r.pop("total")
        r["distance_m"] = None if r["distance_m"] is None else float(r["distance_m"])
        out.append(_venue(r))
    return total, out


def get_venue(conn: Connection, venue_id: str, stale_days: int) -> dict[str, Any]:
    """One venue with its accessibility and every listing held there."""
    row = conn.execute(text(f"SELECT {_VENUE_COLUMNS} FROM location l"  # noqa: S608
                            " WHERE l.id = :id"), {"id": venue_id}).mappings().first()
    if row is None:
        raise NotFound(f"no venue with id {venue_id!r}", field="venue_id")
    venue = _venue(row)
    listings = conn.execute(text(f"""
        SELECT s.id, s.name, s.status, s.primary_category, s.last_verified_at AS last_verified,
               {stale_sql()} AS stale, o.name AS organization,
               EXISTS (SELECT 1 FROM listing_flag fl WHERE fl.service_id = s.id
                       AND fl.status = 'open' AND fl.kind = 'closed') AS reported_closed,
               (SELECT string_agg(DISTINCT sc.byday, ',') FROM schedule sc
                WHERE sc.service_at_location_id = sal.id) AS days
        FROM service_at_location sal JOIN service s ON s.id = sal.service_id
        LEFT JOIN organization o ON o.id = s.organization_id
        WHERE sal.location_id = :id ORDER BY s.status, s.name, s.id"""),  # noqa: S608
        {"id": venue_id, "stale_days": stale_days}).mappings()
    venue["listings"] = [{k: (v.isoformat() if hasattr(v, "isoformat") else v)
                          for k, v in r.items()} for r in listings]
    return venue
