"""Compose the finder: directory sessions x the engine's round trips, per service date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from app.directory import vocab
from app.directory.occurrences import Session as DirSession
from app.errors import InvalidInput
from app.routing.raptor import QueryParams
from app.routing.walk import DEFAULT_DETOUR, WalkParams
from app.services.directory.filters import ActivityFilters
from app.services.directory.sessions import sessions_between
from app.services.notices import data_notices
from app.services.reachable.dates import service_dates
from app.services.reachable.evaluate import EvalParams, Target, evaluate_day
from app.services.reachable.explain import Context, explain, sort_rows, summarise
from app.services.reachable.isochrone import circles_polygon, reach_area
from app.services.reachable.listing import Extras, listing_extras
from app.services.reachable.origin import resolve_origin
from app.services.reachable.rows import make_row
from app.services.reachable.schema import OriginArea, ReachableRequest, ReachableResponse, Row
from app.services.transit.router import check_date, get_transit_router, loaded_feeds
from app.settings import get_settings


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def directory_filters(req: ReachableRequest) -> ActivityFilters:
    """The request's directory filters, with unknown codes refused naming the valid ones."""
    f = req.filters
    bad = [c for c in f.category if c not in vocab.CATEGORY_CODES]
    if bad:
        raise InvalidInput(f"unknown category {bad[0]!r}; use one of "
                           f"{', '.join(sorted(vocab.CATEGORY_CODES))}", field="filters.category")
    audiences = []
    for raw in f.audience:
        code = vocab.audience_code(raw)
        if code is None:
            raise InvalidInput(f"unknown audience {raw!r}; use one of "
                               f"{', '.join(sorted(vocab.AUDIENCE_CODES))}",
                               field="filters.audience")
        audiences.append(code)
    return ActivityFilters(
        category_codes=tuple(f.category), audience_codes=tuple(audiences), age=f.age,
        free=True if f.free_only else None, max_cost=f.max_cost_gbp,
        # A wheelchair user needs a step-free venue as much as an accessible bus.
        step_free=True if (f.step_free or req.wheelchair) else None,
        accepts_referrals=True if f.accepts_referrals else None,
        drop_in=True if f.drop_in else None)


def eval_params(req: ReachableRequest) -> EvalParams:
    """The client's limits in engine units."""
    return EvalParams(
        hours_from_s=_seconds(req.hours_from), hours_to_s=_seconds(req.hours_to),
        max_minutes=req.max_minutes, bus_limit=req.bus_limit, wheelchair=req.wheelchair,
        speed_kmh=req.speed_kmh, max_walk_m=float(req.max_walk_m),
        arrival_buffer_s=req.arrival_buffer_min * 60, return_buffer_s=req.return_buffer_min * 60)


def _target(s: DirSession) -> Target:
    """An engine target for a session already checked to have a venue point and times."""
    assert s.lat is not None and s.lon is not None and s.start and s.end
    return Target(float(s.lat), float(s.lon), str(s.details.get("venue_name") or "venue"),
                  _seconds(s.start), _seconds(s.end))


def find_reachable(session: Session, req: ReachableRequest, *,
                   today: dt.date | None = None) -> ReachableResponse:
    """Answer one finder query (see ReachableRequest / ReachableResponse)."""
    days = service_dates(req, today=today)
    filters = directory_filters(req)
    conn = session.connection()
    feeds = loaded_feeds(conn)  # 503 with advice when no timetable is loaded
    for day in days:  # 422 with the valid range for any date the timetable does not cover
        check_date(feeds, day, field_name="dates" if req.dates else "date_from")
    origin = resolve_origin(session, req.origin)
    wanted = set(days)
    found = [s for s in sessions_between(conn, days[0], days[-1], filters,
                                         stale_days=get_settings().stale_after_days)
             if s.date in wanted]
    p = eval_params(req)
    no_location = [s for s in found if s.lat is None or s.lon is None]
    timed = [s for s in found if s.lat is not None and s.lon is not None]
    inside = [s for s in timed if s.start is not None and s.end is not None
              and _seconds(s.start) >= p.hours_from_s and _seconds(s.end) <= p.hours_to_s]
    by_day: dict[dt.date, list[DirSession]] = defaultdict(list)
    for s in inside:
        by_day[s.date].append(s)
    extras = listing_extras(conn, inside)
    rows = _evaluate(session, days, by_day, origin.lat, origin.lon, p, extras)
    nearest = None
    if p.max_minutes is not None and p.bus_limit > 0 and inside \
            and not any(r.feasibility == "feasible" for r in rows):
        # Say how far the nearest workable option is: the same search without the time limit.
        relaxed = _evaluate(session, days, by_day, origin.lat, origin.lon,
                            replace(p, max_minutes=None), extras)
        nearest = _nearest(relaxed)
    no_stop = p.bus_limit > 0 and not _stops_near(session, days[0], origin.lat, origin.lon,
                                                  p.max_walk_m)
    rows = sort_rows(rows)
    ctx = Context(max_minutes=req.max_minutes, hours_from=req.hours_from.strftime("%H:%M"),
                  hours_to=req.hours_to.strftime("%H:%M"), sessions_before_filters=len(found),
                  outside_hours=len(timed) - len(inside), no_location=len(no_location),
                  nearest=nearest, no_stop_within_m=int(p.max_walk_m) if no_stop else None)
    counts = {k: sum(r.feasibility == k for r in rows)
              for k in ("feasible", "outbound_only", "unreachable")}
    return ReachableResponse(
        origin_area=origin.area, dates=days,
        hours={"from": ctx.hours_from, "to": ctx.hours_to},
        rows=rows, summaries=summarise(rows), explanations=explain(rows, ctx),
        counts={**counts, "sessions": len(rows), "outside_hours": ctx.outside_hours,
                "no_location": ctx.no_location},
        isochrone=_isochrone(session, origin.lat, origin.lon, origin.area, days[0], req),
        notices=data_notices(conn), parameters=_parameters(req))


def _evaluate(session: Session, days: list[dt.date], by_day: dict[dt.date, list[DirSession]],
              lat: float, lon: float, p: EvalParams, extras: Extras) -> list[Row]:
    """Rows for every session, one engine round-trip evaluation per service date."""
    rows: list[Row] = []
    for day in days:
        todays = by_day.get(day, [])
        if not todays:
            continue
        tr = get_transit_router(session, day)
        targets = [_target(s) for s in todays]
        with tr.lock:  # the engine keeps per-date scratch state; one query at a time per date
            outcomes = evaluate_day(tr.engine, day, lat, lon, targets, p)
        rows.extend(make_row(s, o, extras) for s, o in zip(todays, outcomes, strict=True))
    return rows


def _stops_near(session: Session, day: dt.date, lat: float, lon: float, max_m: float) -> bool:
    """True when a timetabled stop is within walking distance of home."""
    tr = get_transit_router(session, day)
    with tr.lock:
        stops, _ = tr.walker.access(lat, lon, max_m)
    return len(stops) > 0


def _nearest(rows: list[Row]) -> tuple[int, str] | None:
    """(minutes, label) of the workable round trip whose longer way is shortest."""
    best: tuple[int, str] | None = None
    for r in rows:
        if r.feasibility != "feasible" or r.outbound is None or r.return_ is None:
            continue
        worst = max(r.outbound.minutes, r.return_.minutes)
        if best is None or worst < best[0]:
            best = (worst, f"{r.activity.name} ({r.weekday} {r.starts})")
    return best


def _isochrone(session: Session, lat: float, lon: float, area: OriginArea, day: dt.date,
               req: ReachableRequest) -> dict[str, Any] | None:
    """The area reachable within the time limit, leaving at the start of the client's hours.

    Walk-only searches draw the walking range around the outward code's centre, so the
    shading never centres on the home.
    """
    props = {"date": day.isoformat(), "depart_at": req.hours_from.strftime("%H:%M"),
             "minutes": req.max_minutes}
    if req.bus_limit == 0:
        metres = req.max_minutes * 60 * req.speed_kmh / 3.6 / DEFAULT_DETOUR
        polygon = circles_polygon(area.lat, np.array([area.lat]), np.array([area.lon]),
                                  np.array([metres]))
    else:
        tr = get_transit_router(session, day)
        params = QueryParams(max_buses=req.bus_limit, wheelchair=req.wheelchair,
                             walk=WalkParams(speed_kmh=req.speed_kmh,
                                             max_walk_m=float(req.max_walk_m)))
        with tr.lock:
            polygon = reach_area(tr.engine, lat, lon, _seconds(req.hours_from),
                                 req.max_minutes, params)
    if polygon is None:
        return None
    return {"type": "Feature", "geometry": polygon, "properties": props}


def _parameters(req: ReachableRequest) -> dict[str, Any]:
    """Everything the answer depends on except the origin (which is never echoed)."""
    data = req.model_dump(mode="json", exclude={"origin"})
    data["walk_speed_kmh"] = req.speed_kmh
    return data
