"""The one set of listing filters, shared by /api/activities, /api/oruk and sessions_between."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from app.directory.occurrences import WEEKDAYS


@dataclass(frozen=True)
class ActivityFilters:
    """Filters on listings; None means 'do not filter on this'.

    `day` is 0..6 (Monday = 0); `time_from` keeps sessions starting at or after it and
    `time_to` sessions ending at or before it (Europe/London local times). `free` means no
    price above £0; `max_cost` compares the cheapest price. Status defaults to active.
    """

    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    category: str | None = None
    audience: str | None = None
    age: int | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    day: int | None = None
    time_from: time | None = None
    time_to: time | None = None
    max_cost: float | None = None
    free: bool | None = None
    step_free: bool | None = None
    accepts_referrals: bool | None = None
    drop_in: bool | None = None
    status: str | None = "active"
    include_stale: bool = True
    q: str | None = None
    taxonomy_term_id: str | None = None
    category_codes: tuple[str, ...] = ()
    audience_codes: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    term_ids: tuple[str, ...] = ()  # imported taxonomy terms (service_attribute)
    term_taxonomy_id: str | None = None  # any term of this imported taxonomy
    lad_code: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_point(self) -> bool:
        """True when a reference point was given (distances are then returned)."""
        return self.lat is not None and self.lon is not None


def where_clauses(f: ActivityFilters, stale_days: int) -> tuple[list[str], dict[str, Any]]:
    """SQL conditions (on aliases s = service, l = location) and their bind parameters."""
    where: list[str] = []
    p: dict[str, Any] = {"stale_days": stale_days}
    if f.status:
        where.append("s.status = :status")
        p["status"] = f.status
    if f.ids:
        where.append("s.id = ANY(:ids)")
        p["ids"] = list(f.ids)
    if not f.include_stale:
        where.append(f"NOT {stale_sql()}")
    if f.category:
        where.append(":category = ANY(s.categories)")
        p["category"] = f.category
    if f.category_codes:
        where.append("s.categories && CAST(:category_codes AS varchar[])")
        p["category_codes"] = list(f.category_codes)
    if f.term_ids:
        where.append("EXISTS (SELECT 1 FROM service_attribute sa WHERE sa.service_id = s.id"
                     " AND sa.taxonomy_term_id = ANY(:term_ids))")
        p["term_ids"] = list(f.term_ids)
    if f.term_taxonomy_id:
        where.append("EXISTS (SELECT 1 FROM service_attribute sa JOIN taxonomy_term t"
                     " ON t.id = sa.taxonomy_term_id WHERE sa.service_id = s.id"
                     " AND t.taxonomy_id = :term_taxonomy_id)")
        p["term_taxonomy_id"] = f.term_taxonomy_id
    if f.audience:
        where.append(":audience = ANY(s.audiences)")
        p["audience"] = f.audience
    if f.audience_codes:
        where.append("s.audiences && CAST(:audience_codes AS varchar[])")
        p["audience_codes"] = list(f.audience_codes)
    if f.age is not None:
        where.append(":age BETWEEN coalesce(s.minimum_age, 0) AND coalesce(s.maximum_age, 200)")
        p["age"] = f.age
    if f.minimum_age is not None:  # ORUK: services with a minimum age of at least this
        where.append("s.minimum_age >= :minimum_age")
        p["minimum_age"] = f.minimum_age
    if f.maximum_age is not None:  # ORUK: services with a maximum age at or below this
        where.append("s.maximum_age <= :maximum_age")
        p["maximum_age"] = f.maximum_age
    if f.accepts_referrals is not None:
        where.append("s.accepts_referrals = :accepts_referrals")
        p["accepts_referrals"] = f.accepts_referrals
    if f.drop_in is not None:
        where.append("coalesce(s.drop_in, false) = :drop_in")
        p["drop_in"] = f.drop_in
    if f.free is True:
        where.append("NOT EXISTS (SELECT 1 FROM cost_option c WHERE c.service_id = s.id"
                     " AND c.amount > 0)")
    elif f.free is False:
        where.append("EXISTS (SELECT 1 FROM cost_option c WHERE c.service_id = s.id"
                     " AND c.amount > 0)")
    if f.max_cost is not None:
        where.append("coalesce((SELECT min(c.amount) FROM cost_option c"
                     " WHERE c.service_id = s.id), 0) <= :max_cost")
        p["max_cost"] = f.max_cost
    if f.q:
        where.append("s.search @@ websearch_to_tsquery('english', :q)")
        p["q"] = f.q
    if f.day is not None or f.time_from is not None or f.time_to is not None:
        where.append("EXISTS (SELECT 1 FROM schedule sc WHERE sc.service_id = s.id"  # noqa: S608
                     " AND (sc.valid_to IS NULL OR sc.valid_to >= current_date)"
                     + schedule_clause(f, p, "sc") + ")")
    if f.step_free is not None:
        where.append("coalesce(l.step_free, false) = :step_free")
        p["step_free"] = f.step_free
    if f.lad_code:
        where.append("l.lad_code = :lad_code")
        p["lad_code"] = f.lad_code
    if f.lat is not None and f.lon is not None:  # has_point, spelled out for the type checker
        p["lat"], p["lon"] = f.lat, f.lon
        if f.radius_m is not None:
            # The venues near the point come first, from the GiST index on location.geom (a
            # constant box the planner can estimate); only those get the exact metric test
            # and are joined to listings. So a search costs what is near, however many
            # venues (or venues of one listing) lie outside the radius.
            where.append("l.id IN (SELECT nl.id FROM location nl WHERE nl.geom &&"
                         " ST_MakeEnvelope(:box_w, :box_s, :box_e, :box_n, 4326)"
                         " AND ST_DWithin(nl.geom::geography, ST_SetSRID(ST_MakePoint(:lon,"
                         " :lat), 4326)::geography, :radius_m))")
            p["box_w"], p["box_s"], p["box_e"], p["box_n"] = search_box(f.lat, f.lon,
                                                                        f.radius_m)
            p["radius_m"] = f.radius_m
    return where, p


# Metres per degree, chosen to err on the large side so the box always holds the circle:
# a degree of latitude is at least 110,574 m; a degree of longitude is at most 111,320 m
# times cos(latitude) on the WGS84 ellipsoid (taken at the box edge nearer the pole).
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQUATOR = 111_320.0


def search_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """A lon/lat box (west, south, east, north) that contains every point within `radius_m`."""
    margin = radius_m * 1.01 + 1.0
    dlat = margin / _M_PER_DEG_LAT
    polar = min(89.0, abs(lat) + dlat)
    dlon = min(180.0, margin / (_M_PER_DEG_LON_EQUATOR * math.cos(math.radians(polar))))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def schedule_clause(f: ActivityFilters, p: dict[str, Any], alias: str) -> str:
    """Extra SQL on a schedule row for the day and time-window filters."""
    sql = ""
    if f.day is not None:
        # BYDAY lists like 'TU', 'MO,TH', '1TU' or '-1FR': match the weekday code in any item.
        sql += f" AND {alias}.byday ~ :day_re"
        p["day_re"] = f"(^|,)[-+]?[0-9]?{WEEKDAYS[f.day]}(,|$)"
    if f.time_from is not None:
        sql += f" AND {alias}.opens_at >= :time_from"
        p["time_from"] = f.time_from
    if f.time_to is not None:
        sql += f" AND {alias}.closes_at <= :time_to"
        p["time_to"] = f.time_to
    return sql


def stale_sql(alias: str = "s") -> str:
    """SQL expression: the listing has not been verified within the stale period."""
    return (f"({alias}.last_verified_at IS NULL OR {alias}.last_verified_at"
            f" < now() - make_interval(days => :stale_days))")
