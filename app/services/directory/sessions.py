"""Dated sessions of listings: the finder's entry point (`sessions_between`)."""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session as OrmSession

from app.directory.occurrences import DatedSession, Occurrence, make_rule, occurrences
from app.services.directory.filters import ActivityFilters, stale_sql, where_clauses

_MIDNIGHT = time(0, 0)
# The listings a box search looks at, found from the venues' spatial index: those held at
# a venue in the box or at one without a point, and those with no venue at all. Given to
# the main query as an array, so schedules, costs and venues are looked up by index for
# these only (a national directory holds ~50,000 listings; a 90 km box a few thousand).
_IN_BOX_SERVICE = """s.id = ANY(ARRAY(
        SELECT b.service_id FROM location bl
        JOIN service_at_location b ON b.location_id = bl.id
        WHERE bl.geom && ST_MakeEnvelope(:bb_w, :bb_s, :bb_e, :bb_n, 4326)
        UNION
        SELECT b.service_id FROM location bl
        JOIN service_at_location b ON b.location_id = bl.id WHERE bl.geom IS NULL
        UNION
        SELECT s0.id FROM service s0
        WHERE NOT EXISTS (SELECT 1 FROM service_at_location b WHERE b.service_id = s0.id)))"""
_IN_BOX_VENUE = "(l.geom IS NULL OR l.geom && ST_MakeEnvelope(:bb_w, :bb_s, :bb_e, :bb_n, 4326))"
_DIST = "ST_Distance(l.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)"


def sessions_between(db: Connection | OrmSession, start_date: date, end_date: date,
                     filters: ActivityFilters | None = None, *, stale_days: int = 365,
                     bbox: tuple[float, float, float, float] | None = None
                     ) -> list[DatedSession]:
    """Every session of the listings matching `filters` on dates start_date..end_date inclusive.

    `db` is a SQLAlchemy Connection or ORM Session. Filters are the same as /api/activities
    (see ActivityFilters; status defaults to active, paused/ended listings have no sessions).

    One SQL query fetches the schedules of all matching listings with their venue
    (a schedule without its own venue uses the listing's first venue); the recurrences
    are then expanded in Python. Day and time-window filters apply to each dated session.
    Sessions are sorted by date, start time and activity name. Each DatedSession carries
    date, start, end (Europe/London local), location_id, lat/lon and in `details`:
    activity_name, organization, venue_name, address_1, city, postcode, district code,
    contact_name/email/phone, min_cost, free, cost_description, what_to_bring,
    accepts_referrals, drop_in, step_free, stale, last_verified, reported_closed (an open
    visitor report says it has closed), distance_m (when a point is given).

    `bbox` (west, south, east, north) keeps only sessions held inside that box, plus those
    whose venue has no location (a national directory searched near one place).
    """
    conn = db.connection() if isinstance(db, OrmSession) else db
    f = filters or ActivityFilters()
    where, p = where_clauses(f, stale_days)
    if bbox is not None:
        # First the listings with a venue in the box (spatial index) or one without a
        # point, so the per-schedule venue lookup below runs only for those.
        where += [_IN_BOX_SERVICE, _IN_BOX_VENUE]
        p = {**p, "bb_w": bbox[0], "bb_s": bbox[1], "bb_e": bbox[2], "bb_n": bbox[3]}
    cond = " AND ".join(where) or "TRUE"
    dist = _DIST if f.has_point else "NULL::float8"
    sql = f"""
    SELECT s.id AS sid, s.name, s.status, s.contact_name, s.contact_email, s.contact_phone,
           s.what_to_bring, s.accepts_referrals, s.drop_in, {stale_sql()} AS stale,
           s.last_verified_at, EXISTS (SELECT 1 FROM listing_flag fl WHERE fl.service_id = s.id
               AND fl.status = 'open' AND fl.kind = 'closed') AS reported_closed,
           o.name AS organization,
           cost.min_cost, cost.free, cost.cost_description,
           sc.id AS schedule_id, sc.freq, sc.interval, sc.byday, sc.bymonthday, sc.dtstart,
           sc.valid_from, sc.valid_to, sc.opens_at, sc.closes_at,
           l.id AS location_id, l.name AS venue_name, l.address_1, l.city, l.postcode,
           l.lad_code, l.step_free, ST_Y(l.geom) AS lat, ST_X(l.geom) AS lon,
           {dist} AS distance_m
    FROM service s
    JOIN schedule sc ON sc.service_id = s.id
    LEFT JOIN organization o ON o.id = s.organization_id
    CROSS JOIN LATERAL (  -- the listing's prices, in one lookup
        SELECT min(c.amount) AS min_cost, NOT coalesce(bool_or(c.amount > 0), false) AS free,
               string_agg(coalesce(c.option, '') || ' £' || c.amount::text
                          || coalesce(' ' || c.amount_description, ''), '; ') AS cost_description
        FROM cost_option c WHERE c.service_id = s.id
    ) AS cost
    -- Where it is held: the schedule's own venue, else the listing's first. Two index
    -- lookups per schedule, never a scan of every venue.
    LEFT JOIN LATERAL (SELECT coalesce(
        (SELECT sal.location_id FROM service_at_location sal
         WHERE sal.id = sc.service_at_location_id),
        (SELECT sal.location_id FROM service_at_location sal
         WHERE sc.service_at_location_id IS NULL AND sal.service_id = s.id
         ORDER BY sal.id LIMIT 1)) AS location_id
    ) AS where_held ON TRUE
    LEFT JOIN LATERAL (
        SELECT wl.id, wl.name, wl.address_1, wl.city, wl.postcode, wl.lad_code,
               wl.step_free, wl.geom
        FROM location wl WHERE wl.id = where_held.location_id
    ) AS l ON TRUE
    WHERE {cond}
      AND (sc.valid_to IS NULL OR sc.valid_to >= :start_date)
      AND (sc.valid_from IS NULL OR sc.valid_from <= :end_date)
    """  # noqa: S608  (only constant SQL fragments are interpolated)
    p |= {"start_date": start_date, "end_date": end_date}
    out: list[DatedSession] = []
    for r in conn.execute(text(sql), p).mappings():
        out.extend(_expand(r, f, start_date, end_date))
    out.sort(key=lambda s: (s.date, s.start or _MIDNIGHT, str(s.details.get("activity_name")),
                            s.activity_id))
    return out


@lru_cache(maxsize=1 << 16)
def _dates_of(freq: str, interval: int | None, byday: str | None, bymonthday: str | None,
              dtstart: date | None, valid_from: date | None, valid_to: date | None,
              opens_at: time | None, closes_at: time | None, status: str, start: date,
              end: date) -> tuple[Occurrence, ...] | None:
    """The occurrences of one schedule's fields in [start, end] (None: not a valid rule).

    Memoised: a directory has far fewer distinct rules than schedules ("every Tuesday
    10:00-12:00"), and a national search expands thousands of them per request.
    """
    try:
        rule = make_rule(freq=freq, interval=interval, byday=byday, bymonthday=bymonthday,
                         dtstart=dtstart, valid_from=valid_from, valid_to=valid_to,
                         opens_at=opens_at, closes_at=closes_at)
    except ValueError:
        return None
    return tuple(occurrences(rule, start, end, status=status))


def _expand(r: Any, f: ActivityFilters, start: date, end: date) -> list[DatedSession]:
    dated = _dates_of(r["freq"], r["interval"], r["byday"], r["bymonthday"], r["dtstart"],
                      r["valid_from"], r["valid_to"], r["opens_at"], r["closes_at"],
                      r["status"], start, end)
    if not dated:  # None: stored schedules were validated on the way in; never fail a search
        return []
    details: dict[str, Any] = {
        "activity_name": r["name"], "organization": r["organization"],
        "venue_name": r["venue_name"], "address_1": r["address_1"], "city": r["city"],
        "postcode": r["postcode"], "lad_code": r["lad_code"],
        "contact_name": r["contact_name"], "contact_email": r["contact_email"],
        "contact_phone": r["contact_phone"],
        "min_cost": None if r["min_cost"] is None else float(r["min_cost"]),
        "free": r["free"], "cost_description": r["cost_description"],
        "what_to_bring": r["what_to_bring"], "accepts_referrals": r["accepts_referrals"],
        "drop_in": r["drop_in"], "step_free": r["step_free"], "stale": r["stale"],
        "last_verified": r["last_verified_at"].isoformat() if r["last_verified_at"] else None,
        "reported_closed": r["reported_closed"],
        "distance_m": None if r["distance_m"] is None else round(float(r["distance_m"])),
    }
    sessions = []
    for occ in dated:
        if f.day is not None and occ.date.weekday() != f.day:
            continue
        if f.time_from is not None and (occ.start is None or occ.start < f.time_from):
            continue
        if f.time_to is not None and (occ.end is None or occ.end > f.time_to):
            continue
        sessions.append(DatedSession(r["sid"], r["schedule_id"], occ.date, occ.start, occ.end,
                                     r["location_id"], r["lat"], r["lon"], dict(details)))
    return sessions
