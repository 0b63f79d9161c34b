"""Journey plans a person can follow: engine journeys turned into timed, named steps."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from app.routing.gtfs_time import format_hm
from app.routing.journey import Journey, Leg, attach_walks
from app.routing.raptor import INF, QueryParams
from app.services.transit.places import QueryPlace
from app.services.transit.router import TransitRouter

DAY_S = 86_400


@dataclass(frozen=True)
class PlanRequest:
    """One journey question: places, time mode and engine parameters."""

    origin: QueryPlace
    target: QueryPlace
    time_s: int
    arrive_by: bool
    params: QueryParams


def clock(seconds: int) -> str:
    """HH:MM on the service day, marking times after midnight as the next day."""
    if seconds >= DAY_S:
        return f"{format_hm(seconds - DAY_S)} (next day)"
    if seconds < 0:
        return f"{format_hm(seconds + DAY_S)} (previous day)"
    return format_hm(seconds)


def _minutes(seconds: int) -> int:
    return max(0, math.ceil(seconds / 60))


def leg_json(leg: Leg, origin_label: str, target_label: str, first: bool,
             last: bool) -> dict[str, Any]:
    """One step with an instruction sentence."""
    start = origin_label if first and leg.start.stop_id is None else leg.start.name
    end = target_label if last and leg.end.stop_id is None else leg.end.name
    if leg.mode == "walk":
        metres = round(leg.walk_m)
        mins = _minutes(leg.arrive_s - leg.depart_s)
        return {
            "mode": "walk", "from": start, "to": end,
            "from_stop_id": leg.start.stop_id, "to_stop_id": leg.end.stop_id,
            "metres": metres, "minutes": mins,
            "depart": clock(leg.depart_s), "arrive": clock(leg.arrive_s),
            "instruction": f"{clock(leg.depart_s)} walk {metres} m (about {mins} min) to {end}",
        }
    route = leg.route_short_name or "bus"
    towards = f" towards {leg.headsign}" if leg.headsign else ""
    return {
        "mode": "bus", "route": leg.route_short_name, "headsign": leg.headsign,
        "trip_id": leg.trip_id,
        "board": {"stop": start, "stop_id": leg.start.stop_id, "time": clock(leg.depart_s),
                  "lat": leg.start.lat, "lon": leg.start.lon},
        "alight": {"stop": end, "stop_id": leg.end.stop_id, "time": clock(leg.arrive_s),
                   "lat": leg.end.lat, "lon": leg.end.lon},
        "minutes": _minutes(leg.arrive_s - leg.depart_s),
        "instruction": (f"{clock(leg.depart_s)} take bus {route}{towards} from {start}; "
                        f"get off at {end} at {clock(leg.arrive_s)}"),
    }


def journey_json(j: Journey, origin: str, target: str) -> dict[str, Any]:
    """A whole journey: times, counts and the steps to follow."""
    legs = attach_walks(j.legs)
    steps = [leg_json(leg, origin, target, i == 0, i == len(legs) - 1)
             for i, leg in enumerate(legs)]
    # Say how long each wait at a stop is, so nobody thinks they missed the bus.
    texts: list[str] = []
    for i, leg in enumerate(legs):
        if leg.mode == "bus" and i > 0:
            wait = leg.depart_s - legs[i - 1].arrive_s
            steps[i]["wait_minutes"] = wait // 60
            if wait >= 120:
                texts.append(f"{clock(legs[i - 1].arrive_s)} wait about {wait // 60} min at "
                             f"{steps[i]['board']['stop']} for bus {leg.route_short_name}")
        texts.append(steps[i]["instruction"])
    walk_m = round(sum(leg.walk_m for leg in legs))
    return {
        "leave_at": clock(legs[0].depart_s),
        "arrive_at": clock(legs[-1].arrive_s),
        "duration_minutes": _minutes(legs[-1].arrive_s - legs[0].depart_s),
        "buses": j.n_buses,
        "bus_routes": [leg.route_short_name for leg in legs if leg.mode == "bus"],
        "walk_metres": walk_m,
        "legs": steps,
        "steps": [*texts, f"{clock(legs[-1].arrive_s)} arrive at {target}"],
    }


def _one(tr: TransitRouter, req: PlanRequest, params: QueryParams) -> Journey | None:
    o, t = req.origin, req.target
    if req.arrive_by:
        res = tr.engine.latest_departure(t.lat, t.lon, req.time_s, params, name=t.label)
        return res.journey(o.lat, o.lon, o.label)
    res = tr.engine.earliest_arrival(o.lat, o.lon, req.time_s, params, name=o.label)
    return res.journey(t.lat, t.lon, t.label)


def _better(a: Journey, b: Journey, arrive_by: bool) -> bool:
    """True when a is strictly better in time than b (earlier arrival / later departure)."""
    return a.depart_s > b.depart_s if arrive_by else a.arrive_s < b.arrive_s


def plan(tr: TransitRouter, req: PlanRequest) -> dict[str, Any]:
    """Best journey within the bus limit, plus Pareto alternatives with fewer buses."""
    wp = req.params.walk
    o, t = req.origin, req.target
    access, _ = tr.walker.access(o.lat, o.lon, wp.max_walk_m)
    egress, _ = tr.walker.egress(t.lat, t.lon, wp.max_walk_m)
    direct = tr.walker.direct(o.lat, o.lon, t.lat, t.lon)
    notes: list[str] = []
    if not len(access) and direct > wp.max_walk_m:
        return _empty(f"No bus stop is within {wp.max_walk_m:.0f} m walk of the start, so "
                      "no journey by bus can begin there. Try a larger max_walk_m.", "origin")
    if not len(egress) and direct > wp.max_walk_m:
        return _empty(f"No bus stop is within {wp.max_walk_m:.0f} m walk of the destination. "
                      "Try a larger max_walk_m.", "destination")

    best = _one(tr, req, req.params)
    if best is None:
        when = "arriving by" if req.arrive_by else "leaving at or after"
        return _empty(f"No journey with at most {req.params.max_buses} bus(es) {when} "
                      f"{clock(req.time_s)} on this day. Try another time, more buses or a "
                      "longer walk.", "timetable")
    options = [best]
    # Pareto alternatives: fewer buses, kept only when they cost more time than the best.
    for k in range(best.n_buses - 1, 0, -1):
        q = QueryParams(max_buses=k, wheelchair=req.params.wheelchair, walk=req.params.walk)
        alt = _one(tr, req, q)
        if alt is not None and alt.n_buses < options[-1].n_buses \
                and _better(options[-1], alt, req.arrive_by):
            options.append(alt)
    if o.approximate:
        notes.append(o.note or "The start is approximate (a postcode district centre).")
    return {
        "found": True,
        "journey": journey_json(best, o.name, t.name),
        "alternatives": [journey_json(a, o.name, t.name) for a in options[1:]],
        "notes": notes,
    }


def _empty(reason: str, where: str) -> dict[str, Any]:
    return {"found": False, "journey": None, "alternatives": [], "reason": reason,
            "reason_code": f"no_stop_near_{where}" if where != "timetable" else "no_service",
            "notes": []}


def unreached(value: int) -> bool:
    """True for an engine label meaning 'not reached'."""
    return abs(int(value)) >= INF
