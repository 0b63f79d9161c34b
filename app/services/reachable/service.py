"""Compose the finder: directory sessions x the engine's round trips, per service date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from typing import Any

import numpy as np
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.directory import vocab
from app.directory.occurrences import DatedSession
from app.errors import InvalidInput
from app.fares import FareModel
from app.routing.geo import haversine_m
from app.routing.journey import Journey as EngineJourney
from app.routing.raptor import QueryParams
from app.routing.venue_session import VenueSession
from app.routing.walk import DEFAULT_DETOUR, WalkParams
from app.schemas.reachable import (
    FreeOption,
    JourneyFare,
    OriginArea,
    ReachableRequest,
    ReachableResponse,
    Row,
)
from app.services.directory.filters import ActivityFilters
from app.services.directory.sessions import sessions_between
from app.services.notices import data_notices
from app.services.reachable.coverage import naptan_stops_near, timetable_name, unlisted_note
from app.services.reachable.dates import service_dates
from app.services.reachable.evaluate import EvalParams, Outcome, evaluate_day
from app.services.reachable.explain import Context, explain, filter_words, sort_rows, summarise
from app.services.reachable.fares import FareParams, bus_pass, fare_legs, fare_model, row_fares
from app.services.reachable.free_option import FreeSearch
from app.services.reachable.isochrone import circles_polygon, reach_area
from app.services.reachable.listing import listing_extras
from app.services.reachable.nearby import Nearby, reach_radius, walk_radius
from app.services.reachable.operators import agency_names
from app.services.reachable.origin import resolve_origin
from app.services.reachable.rows import journey_out, make_row
from app.services.transit.feeds import FeedRow
from app.services.transit.router import check_date, get_transit_router, loaded_feeds
from app.settings import get_settings

NO_FARE_LIMITS = FareParams()
RELAXED_MAX_MINUTES = 120  # the longest `max_minutes` a request may give


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


def fare_params(conn: Connection, req: ReachableRequest, lad_code: str | None) -> FareParams:
    """The client's pass (issuer: as given, else the home district's) and cost limit."""
    model = fare_model(conn)
    holder = bus_pass(model, req.bus_pass, req.bus_pass_issuer, lad_code)
    limit = None if req.max_visit_cost_gbp is None else round(req.max_visit_cost_gbp * 100)
    return FareParams(holder, limit, req.fare_preference, model)


def _filtered_out(conn: Connection, days: list[dt.date], filters: ActivityFilters,
                  kept: int, near: Nearby | None = None) -> tuple[int, int]:
    """(sessions the listing filters leave out, sessions left out for not being step-free).

    `kept` is how many sessions on the chosen dates pass every filter; the others are
    counted on the same dates, so the explanation can say how many and why.
    """
    if filters == ActivityFilters():
        return 0, 0  # nothing filtered out: no need to ask the directory again
    stale = get_settings().stale_after_days
    wanted = set(days)

    def count(f: ActivityFilters) -> int:
        found = sessions_between(conn, days[0], days[-1], f, stale_days=stale,
                                 bbox=near.bbox() if near is not None else None)
        return sum(s.date in wanted for s in (near.keep(found) if near is not None else found))

    everything = count(ActivityFilters())
    no_step = replace(filters, step_free=None)
    listed = count(no_step) if no_step != ActivityFilters() else everything
    return everything - listed, listed - kept


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
    p = eval_params(req)
    near = _nearby(session, feeds, days, origin.lat, origin.lon, p)
    bbox = near.bbox() if near is not None else None
    found = [s for s in sessions_between(conn, days[0], days[-1], filters,
                                         stale_days=get_settings().stale_after_days, bbox=bbox)
             if s.date in wanted]
    if near is not None:
        found = near.keep(found)
    by_filters, not_step_free = _filtered_out(conn, days, filters, len(found), near)
    fp = fare_params(conn, req, origin.lad_code)
    no_location = [s for s in found if s.lat is None or s.lon is None]
    timed = [s for s in found if s.lat is not None and s.lon is not None]
    inside = [s for s in timed if s.start is not None and s.end is not None
              and _seconds(s.start) >= p.hours_from_s and _seconds(s.end) <= p.hours_to_s]
    rows = evaluate_sessions(session, inside, origin.lat, origin.lon, p, fp, feeds=feeds,
                             near=near)
    nearest = None
    if p.max_minutes is not None and p.bus_limit > 0 and inside \
            and not any(r.feasibility == "feasible" for r in rows):
        # Say how far the nearest workable option is: the same search without the time limit.
        # Near a national directory (FINDER_LIST_KM set) "without the limit" means up to
        # the longest limit a request may ask for: an uncapped search covers the country.
        relaxed = evaluate_sessions(session, inside, origin.lat, origin.lon,
                                    replace(p, max_minutes=None if near is None
                                            else RELAXED_MAX_MINUTES), fp, feeds=feeds,
                                    feasible_only=True)
        nearest = _nearest(relaxed)
    stops = _stops_near(session, days[0], origin.lat, origin.lon, p.max_walk_m, feeds) \
        if p.bus_limit > 0 else None
    rows = sort_rows(rows, by_cost=req.fare_preference == "free")
    ctx = Context(max_minutes=req.max_minutes, hours_from=req.hours_from.strftime("%H:%M"),
                  hours_to=req.hours_to.strftime("%H:%M"), sessions_before_filters=len(found),
                  outside_hours=len(timed) - len(inside), no_location=len(no_location),
                  nearest=nearest,
                  no_stop_within_m=int(p.max_walk_m) if stops == (0, 0) else None,
                  unserved_stops=stops[0] if stops is not None and stops[0] and not stops[1]
                  else 0, timetable=timetable_name(conn), removed_by_filters=by_filters,
                  removed_not_step_free=not_step_free, wheelchair=req.wheelchair,
                  walk_m=int(p.max_walk_m),
                  filter_words=filter_words(req.filters), approximate=origin.area.approximate,
                  outward=origin.area.outward, unlisted=unlisted_note(conn, origin.lad_code),
                  cost_limit_gbp=req.max_visit_cost_gbp,
                  listed_within_km=None if near is None else round(near.radius_m / 1000, 1))
    counts = {k: sum(r.feasibility == k for r in rows)
              for k in ("feasible", "outbound_only", "unreachable")}
    return ReachableResponse(
        origin_area=origin.area, dates=days,
        hours={"from": ctx.hours_from, "to": ctx.hours_to},
        rows=rows, summaries=summarise(rows), explanations=explain(rows, ctx),
        counts={**counts, "sessions": len(rows), "outside_hours": ctx.outside_hours,
                "no_location": ctx.no_location, "removed_by_filters": by_filters,
                "removed_not_step_free": not_step_free,
                "over_cost_limit": sum(r.reason_code == "over_cost_limit" for r in rows)},
        isochrone=_isochrone(session, origin.area, days[0], req, feeds),
        notices=data_notices(conn), parameters=_parameters(req))


def _nearby(session: Session, feeds: list[FeedRow], days: list[dt.date], lat: float,
            lon: float, p: EvalParams) -> Nearby | None:
    """How far from home to look (FINDER_LIST_KM, widened to what the limits reach).

    None: look at every session (FINDER_LIST_KM = 0, the default).
    """
    list_km = get_settings().finder_list_km
    if list_km <= 0 or p.max_minutes is None:
        return None
    near = Nearby(lat, lon, list_km * 1000.0, list_km)
    if p.bus_limit == 0:
        near.radius_m = max(near.radius_m, walk_radius(p))
        return near
    for day in days:
        tr = get_transit_router(session, day, feeds=feeds)
        with tr.lock:
            metres, prof = reach_radius(tr, lat, lon, p)
        near.radius_m = max(near.radius_m, metres)
        near.profiles[day] = prof
    return near


def evaluate_sessions(session: Session, sessions: list[DatedSession], home_lat: float,
                      home_lon: float, p: EvalParams,
                      fp: FareParams = NO_FARE_LIMITS, *, feeds: list[FeedRow] | None = None,
                      near: Nearby | None = None, feasible_only: bool = False) -> list[Row]:
    """Rows for dated sessions (each with a venue point and times), in input order.

    One engine round-trip evaluation per service date (plus, with a bus pass, a search
    or two from home for the ways there it makes free). A row depends only on its own
    session, the home, the date and the limits, never on the other sessions given.
    `feeds` (the loaded feed list) and `near` (its forward profiles) save work already done;
    `feasible_only` returns just the rows that work there and back (no other row is built).
    """
    conn = session.connection()
    feeds = feeds or loaded_feeds(conn)
    agencies = agency_names(conn, feeds)
    model = fp.model or fare_model(conn)
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for i, s in enumerate(sessions):
        by_day[s.date].append(i)
    # (index, day, outcome, metres, target, free way there) of each row to build
    todo: list[tuple[int, dt.date, Outcome, float, VenueSession, EngineJourney | None]] = []
    for day in sorted(by_day):
        idx = by_day[day]
        tr = get_transit_router(session, day, feeds=feeds)
        targets = [sessions[i].venue_session() for i in idx]
        home_fwd = near.profiles.get(day) if near is not None else None
        with tr.lock:  # the engine keeps per-date scratch state; one query at a time per date
            outcomes = evaluate_day(tr.engine, day, home_lat, home_lon, targets, p,
                                    home_fwd=home_fwd)
            # Fares only ever turn a workable row into one over the cost limit.
            keep = [k for k, o in enumerate(outcomes)
                    if not feasible_only or o.status == "feasible"]
            frees = _free_ways(FreeSearch(tr.engine, day, home_lat, home_lon, p), model,
                               [targets[k] for k in keep], [outcomes[k] for k in keep], fp)
        metres = haversine_m(home_lat, home_lon, np.array([targets[k].lat for k in keep]),
                             np.array([targets[k].lon for k in keep]))
        todo += [(idx[k], day, outcomes[k], float(m), targets[k], free)
                 for k, m, free in zip(keep, metres, frees, strict=True)]
    todo.sort(key=lambda x: x[0])
    extras = listing_extras(conn, [sessions[x[0]] for x in todo])
    rows = []
    for i, day, o, m, t, free in todo:
        row = make_row(sessions[i], o, extras, distance_m=m, agencies=agencies)
        rows.append(_with_fares(row, model, day, o, free, t, fp, agencies))
    return rows


def _free_ways(search: FreeSearch, model: FareModel, targets: list[VenueSession],
               outcomes: list[Outcome], fp: FareParams) -> list[EngineJourney | None]:
    """Per session, the later way there that the pass makes free (None: not needed/none)."""
    if not fp.holder.holds_pass:
        return [None] * len(targets)
    out: list[EngineJourney | None] = []
    for t, o in zip(targets, outcomes, strict=True):
        if o.status == "unreachable" or o.outbound is None or not o.outbound.n_buses:
            out.append(None)
            continue
        paid = fare_legs(model, search.day, o.outbound)
        paid_free = model.price_journey(paid, fp.holder).free_with_pass
        out.append(None if paid_free else search.way_there(t, o.outbound, model, fp.holder))
    return out


def _with_fares(row: Row, model: FareModel, day: dt.date, o: Outcome,
                free: EngineJourney | None, t: VenueSession, fp: FareParams,
                agencies: dict[str, str]) -> Row:
    """The row with its fares, free option and cost check; over the limit, it fails on cost."""
    reached = o.status != "unreachable"
    there = o.outbound if reached else None
    back = o.ret if reached else None
    free_out = journey_out(free, row.venue.name, agencies) if free is not None else None
    cost = row.activity.cost
    fields = row_fares(model, day, there, back, free, t.start_s,
                       cost.amount_gbp if cost is not None else None, fp, free_out)
    update: dict[str, object] = dict(fields)
    for key in ("fare_out", "fare_back"):
        if key in fields:
            update[key] = JourneyFare.model_validate(fields[key])
    if "free_option" in fields:
        update["free_option"] = FreeOption.model_validate(fields["free_option"])
    if fields.get("cost_within_limit") is False and row.feasibility == "feasible":
        update.update(feasibility="unreachable", reason=fields["cost_reason"],
                      reason_code="over_cost_limit")
    # Every value is already of its field's type, so no second validation of the row.
    return row.model_copy(update=update) if update else row


def _stops_near(session: Session, day: dt.date, lat: float, lon: float,
                max_m: float, feeds: list[FeedRow] | None = None) -> tuple[int, int]:
    """(known NaPTAN stops, stops with buses in the loaded timetable) within walking distance.

    The timetable's stops are found by the engine's walker (its walking distance); NaPTAN
    stops by straight line within the same distance, a generous count for the message.
    """
    tr = get_transit_router(session, day, feeds=feeds)
    with tr.lock:
        served, _ = tr.walker.access(lat, lon, max_m)
    if len(served):  # NaPTAN is asked only when the timetable has no stop nearby
        return len(served), len(served)
    return naptan_stops_near(session.connection(), lat, lon, max_m), 0


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


def _isochrone(session: Session, area: OriginArea, day: dt.date,
               req: ReachableRequest, feeds: list[FeedRow] | None = None
               ) -> dict[str, Any] | None:
    """The area reachable within the time limit, leaving at the start of the client's hours.

    It is drawn from the outward code's centre, never from the home: a shape around the
    exact postcode would reveal more than the approximate-area circle does.
    """
    props = {"date": day.isoformat(), "depart_at": req.hours_from.strftime("%H:%M"),
             "minutes": req.max_minutes, "from": "area_centre"}
    if req.bus_limit == 0:
        metres = req.max_minutes * 60 * req.speed_kmh / 3.6 / DEFAULT_DETOUR
        polygon = circles_polygon(area.lat, np.array([area.lat]), np.array([area.lon]),
                                  np.array([metres]))
    else:
        tr = get_transit_router(session, day, feeds=feeds)
        params = QueryParams(max_buses=req.bus_limit, wheelchair=req.wheelchair,
                             walk=WalkParams(speed_kmh=req.speed_kmh,
                                             max_walk_m=float(req.max_walk_m)))
        with tr.lock:
            polygon = reach_area(tr.engine, area.lat, area.lon, _seconds(req.hours_from),
                                 req.max_minutes, params)
    if polygon is None:
        return None
    return {"type": "Feature", "geometry": polygon, "properties": props}


def _parameters(req: ReachableRequest) -> dict[str, Any]:
    """Everything the answer depends on except the origin (which is never echoed)."""
    data = req.model_dump(mode="json", exclude={"origin"})
    data["walk_speed_kmh"] = req.speed_kmh
    return data
