"""Read listings: search with filters, one listing in full, and stale listings per district."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text

from app.directory import vocab
from app.errors import NotFound
from app.services.directory.filters import ActivityFilters, stale_sql, where_clauses

# An open visitor report says the group has closed (shown in the finder until moderated).
_CLOSED_SQL = ("EXISTS (SELECT 1 FROM listing_flag fl WHERE fl.service_id = s.id"
               " AND fl.status = 'open' AND fl.kind = 'closed')")
_DIST = ("ST_Distance(l.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return float(value)
    return value


def _clean(row: Any) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in dict(row).items()}


def search_activities(conn: Connection, f: ActivityFilters, stale_days: int, *,
                      limit: int | None = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """Listings matching the filters: fresh before stale, then best text match, then nearest.

    Each row carries the venue used (the nearest one when a point is given) and
    `distance_m` (straight line) when a point is given. Returns (total, page).
    """
    where, p = where_clauses(f, stale_days)
    dist = _DIST if f.has_point else "NULL::float8"
    rank = "ts_rank(s.search, websearch_to_tsquery('english', :q))" if f.q else "0"
    cond = " AND ".join(where) or "TRUE"
    p |= {"limit": limit, "offset": offset}
    sql = f"""
    WITH cand AS (
        SELECT DISTINCT ON (s.id) s.id AS sid, l.id AS lid, {dist} AS distance_m
        FROM service s
        LEFT JOIN service_at_location sal ON sal.service_id = s.id
        LEFT JOIN location l ON l.id = sal.location_id
        WHERE {cond}
        ORDER BY s.id, distance_m NULLS LAST, l.id
    )
    SELECT s.id, s.name, s.description, s.status, s.primary_category, s.categories,
           s.audiences, s.activity_type, s.minimum_age, s.maximum_age, s.accepts_referrals,
           s.referral_route, s.drop_in, s.capacity, s.delivery_mode, s.what_to_bring,
           s.contact_name, s.contact_email, s.contact_phone, s.url, s.alert,
           s.last_verified_at, s.verified_by, s.version,
           {stale_sql()} AS stale,
           o.name AS organization,
           (SELECT min(c.amount) FROM cost_option c WHERE c.service_id = s.id) AS min_cost,
           NOT EXISTS (SELECT 1 FROM cost_option c WHERE c.service_id = s.id AND c.amount > 0)
             AS free,
           l.id AS location_id, l.name AS venue_name, l.address_1, l.city, l.postcode,
           l.lad_code, ST_Y(l.geom) AS lat, ST_X(l.geom) AS lon, l.step_free,
           l.accessible_toilet, l.hearing_loop, l.dementia_friendly, l.guide_dog_friendly,
           {_CLOSED_SQL} AS reported_closed,
           round(cand.distance_m::numeric, 0) AS distance_m,
           {rank} AS text_rank,
           count(*) OVER () AS total
    FROM cand JOIN service s ON s.id = cand.sid
    LEFT JOIN location l ON l.id = cand.lid
    LEFT JOIN organization o ON o.id = s.organization_id
    ORDER BY stale, text_rank DESC, cand.distance_m NULLS LAST, s.name, s.id
    LIMIT :limit OFFSET :offset
    """  # noqa: S608  (only constant SQL fragments are interpolated)
    rows = [_clean(r) for r in conn.execute(text(sql), p).mappings()]
    total = int(rows[0]["total"]) if rows else _count(conn, f, stale_days) if offset else 0
    for r in rows:
        r.pop("total", None)
        r.pop("text_rank", None)
        r["district"] = vocab.DISTRICT_NAMES.get(r.get("lad_code") or "")
    return total, rows


def _count(conn: Connection, f: ActivityFilters, stale_days: int) -> int:
    where, p = where_clauses(f, stale_days)
    cond = " AND ".join(where) or "TRUE"
    sql = ("SELECT count(DISTINCT s.id) FROM service s"  # noqa: S608  (constant fragments)
           " LEFT JOIN service_at_location sal ON sal.service_id = s.id"
           f" LEFT JOIN location l ON l.id = sal.location_id WHERE {cond}")
    return int(conn.execute(text(sql), p).scalar_one())


def get_activity(conn: Connection, activity_id: str, stale_days: int) -> dict[str, Any]:
    """One listing in full: organisation, venues, schedules, prices, freshness and version."""
    found = get_activities(conn, [activity_id], stale_days)
    if not found:
        raise NotFound(f"no activity with id {activity_id!r}", field="id")
    return found[0]


def get_activities(conn: Connection, ids: list[str], stale_days: int) -> list[dict[str, Any]]:
    """Several listings in full, in the order of `ids` (missing ids are skipped); 5 queries."""
    p = {"ids": list(ids), "stale_days": stale_days}
    rows = conn.execute(text(
        f"SELECT s.*, {stale_sql()} AS stale, {_CLOSED_SQL} AS reported_closed,"  # noqa: S608
        " (SELECT count(*) FROM listing_flag fl WHERE fl.service_id = s.id"
        "  AND fl.status = 'open') AS open_flags"
        " FROM service s WHERE s.id = ANY(:ids)"), p).mappings()
    by_id: dict[str, dict[str, Any]] = {}
    for row in rows:
        out = _clean(row)
        out.pop("search", None)
        out["organization"] = out.pop("organization_id", None)
        out |= {"locations": [], "schedules": [], "costs": [], "attributes": [], "sources": []}
        by_id[out["id"]] = out
    org_ids = list({a["organization"] for a in by_id.values() if a["organization"]})
    orgs = {r["id"]: _clean(r) for r in conn.execute(text(
        "SELECT id, name, description, email, website FROM organization WHERE id = ANY(:o)"),
        {"o": org_ids}).mappings()}
    for r in conn.execute(text(
            "SELECT organization_id, identifier_scheme, identifier_type, identifier FROM"
            " organization_identifier WHERE organization_id = ANY(:o) ORDER BY id"),
            {"o": org_ids}).mappings():
        ident = dict(r)
        orgs[ident.pop("organization_id")].setdefault("identifiers", []).append(ident)
    for a in by_id.values():
        a["organization"] = orgs.get(a["organization"] or "")
    for r in conn.execute(text("""
        SELECT sal.service_id, l.id, l.name, l.description, l.location_type, l.venue_type,
               l.address_1, l.city, l.postcode, l.lad_code, ST_Y(l.geom) AS lat,
               ST_X(l.geom) AS lon, l.geocoded_by, l.external_identifier,
               l.external_identifier_type, l.step_free, l.accessible_toilet, l.hearing_loop,
               l.dementia_friendly, l.guide_dog_friendly,
               l.accessibility_notes, sal.id AS service_at_location_id
        FROM service_at_location sal JOIN location l ON l.id = sal.location_id
        WHERE sal.service_id = ANY(:ids) ORDER BY l.name, l.id"""), p).mappings():
        loc = _clean(r)
        loc["district"] = vocab.DISTRICT_NAMES.get(loc.get("lad_code") or "")
        by_id[loc.pop("service_id")]["locations"].append(loc)
    for r in conn.execute(text("""
        SELECT sc.service_id, sc.id, sal.location_id, sc.freq, sc.interval, sc.byday,
               sc.bymonthday, sc.dtstart, sc.valid_from, sc.valid_to, sc.opens_at, sc.closes_at,
               sc.description, sc.attending_type, sc.notes
        FROM schedule sc LEFT JOIN service_at_location sal ON sal.id = sc.service_at_location_id
        WHERE sc.service_id = ANY(:ids) ORDER BY sc.id"""), p).mappings():
        sched = _clean(r)
        by_id[sched.pop("service_id")]["schedules"].append(sched)
    for r in conn.execute(text(
            "SELECT service_id, id, option, amount, currency, amount_description"
            " FROM cost_option WHERE service_id = ANY(:ids) ORDER BY id"), p).mappings():
        cost = _clean(r)
        by_id[cost.pop("service_id")]["costs"].append(cost)
    for r in conn.execute(text("""
        SELECT sa.service_id, sa.link_type, t.id, t.name, t.description, t.code, t.term_uri,
               t.parent_id, t.taxonomy_id, x.name AS taxonomy
        FROM service_attribute sa JOIN taxonomy_term t ON t.id = sa.taxonomy_term_id
        LEFT JOIN taxonomy x ON x.id = t.taxonomy_id
        WHERE sa.service_id = ANY(:ids) ORDER BY sa.link_type, t.name"""), p).mappings():
        item = dict(r)
        sid, link_type = item.pop("service_id"), item.pop("link_type")
        by_id[sid]["attributes"].append({"link_type": link_type, "term": item})
    for r in conn.execute(text("""
        SELECT sr.service_id, f.name AS feed, f.kind, sr.source_id, sr.fetched_at,
               sr.verified_at, sr.deleted
        FROM source_record sr JOIN feed_source f ON f.id = sr.feed_id
        WHERE sr.service_id = ANY(:ids) ORDER BY f.name, sr.source_id"""), p).mappings():
        src = _clean(r)
        by_id[src.pop("service_id")]["sources"].append(src)
    for r in conn.execute(text(
            "SELECT service_id, field, feed, source_id, fetched_at FROM field_provenance"
            " WHERE service_id = ANY(:ids) ORDER BY field"), p).mappings():
        item = _clean(r)
        sid, name = item.pop("service_id"), item.pop("field")
        by_id[sid].setdefault("provenance", {})[name] = item
    return [by_id[i] for i in ids if i in by_id]


def stale_by_district(conn: Connection, stale_days: int) -> list[dict[str, Any]]:
    """Active listings not verified within the stale period, grouped by district."""
    rows = conn.execute(text(f"""
        SELECT DISTINCT ON (s.id) s.id, s.name, s.last_verified_at, s.verified_by,
               s.contact_email, s.contact_phone, o.name AS organization, l.lad_code
        FROM service s
        LEFT JOIN organization o ON o.id = s.organization_id
        LEFT JOIN service_at_location sal ON sal.service_id = s.id
        LEFT JOIN location l ON l.id = sal.location_id
        WHERE s.status <> 'ended' AND {stale_sql()}
        ORDER BY s.id, l.lad_code NULLS LAST"""), {"stale_days": stale_days}).mappings()  # noqa: S608
    names = dict(vocab.DISTRICT_NAMES)
    names |= {r.code: r.name for r in conn.execute(text("SELECT code, name FROM lad"))}
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for r in rows:
        item = _clean(r)
        groups.setdefault(item.pop("lad_code"), []).append(item)
    out = []
    for code, items in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        items.sort(key=lambda i: (i["last_verified_at"] or "", i["name"]))
        out.append({"lad_code": code, "district": names.get(code or "", "Unknown district"),
                    "count": len(items), "activities": items})
    return out
