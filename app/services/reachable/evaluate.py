"""Round trips from one home to many sessions on one service date, using the RAPTOR engine.

Per date, three searches answer the screening questions for every session at once:
a forward search from home at the start of the client's hours (can they get there in
time at all?), and two reverse searches into home, one with the end of the client's
hours as the deadline (can they be home in time?) and one with midnight (when is the
last bus home from each venue?). Only sessions that pass this screen get their own
searches, to build the exact there-and-back plans a person follows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from app.routing.journey import Journey, Leg, Place
from app.routing.raptor import INF, QueryParams, Router
from app.routing.walk import WalkParams, walk_seconds
from app.services.reachable.schema import Feasibility

DAY_END_S = 86_400  # "home the same day": back by midnight
HOME = "home"


@dataclass(frozen=True)
class Target:
    """One session to evaluate: where, and when it starts and ends (service-day seconds)."""

    lat: float
    lon: float
    name: str
    start_s: int
    end_s: int


@dataclass(frozen=True)
class EvalParams:
    """The client's limits, in engine units."""

    hours_from_s: int
    hours_to_s: int
    max_minutes: int
    bus_limit: int  # 0 = walk only
    wheelchair: bool
    speed_kmh: float
    max_walk_m: float
    arrival_buffer_s: int
    return_buffer_s: int

    def query(self) -> QueryParams:
        """Engine query parameters (only used when buses are allowed)."""
        return QueryParams(max_buses=self.bus_limit, wheelchair=self.wheelchair,
                           walk=WalkParams(speed_kmh=self.speed_kmh, max_walk_m=self.max_walk_m))


@dataclass
class Outcome:
    """What happened for one session: the plans found and, if it fails, why."""

    status: Feasibility
    reason: str | None = None
    outbound: Journey | None = None
    ret: Journey | None = None
    last_home: Journey | None = None  # the latest way home from the venue that day
    notes: list[str] = field(default_factory=list)


def tidy(journey: Journey) -> Journey:
    """Leave as late as possible for the first bus and walk on straight after each ride.

    Search labels may hold a wait before a walk; a person follows walks attached to buses.
    """
    legs = list(journey.legs)
    for i, leg in enumerate(legs):
        if leg.mode != "walk":
            continue
        dur = leg.arrive_s - leg.depart_s
        if i > 0 and legs[i - 1].mode == "bus":
            start = legs[i - 1].arrive_s
            legs[i] = _retime(leg, start, start + dur)
        elif i + 1 < len(legs) and legs[i + 1].mode == "bus":
            end = legs[i + 1].depart_s
            legs[i] = _retime(leg, end - dur, end)
    return Journey(legs)


def _retime(leg: Leg, depart: int, arrive: int) -> Leg:
    return Leg(leg.mode, leg.start, leg.end, depart, arrive, walk_m=leg.walk_m,
               route_short_name=leg.route_short_name, headsign=leg.headsign,
               trip_id=leg.trip_id)


def minutes_of(journey: Journey) -> int:
    """Door-to-door minutes of a tidied journey."""
    return math.ceil((journey.arrive_s - journey.depart_s) / 60)


def clock(seconds: int) -> str:
    """HH:MM for service-day seconds (times past midnight wrap, e.g. 24:10 -> 00:10)."""
    s = int(seconds) % DAY_END_S
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def evaluate_day(engine: Router, home_lat: float, home_lon: float, targets: list[Target],
                 p: EvalParams) -> list[Outcome]:
    """Evaluate every session of one service date for one home."""
    if p.bus_limit == 0:
        return [_walk_only(engine, home_lat, home_lon, t, p) for t in targets]
    q = p.query()
    lats = np.array([t.lat for t in targets], dtype=float)
    lons = np.array([t.lon for t in targets], dtype=float)
    first = engine.earliest_arrival(home_lat, home_lon, p.hours_from_s, q, name=HOME)
    earliest = first.at_targets(lats, lons)
    by_hours = engine.latest_departure(home_lat, home_lon, p.hours_to_s, q, name=HOME)
    leave_by_hours = by_hours.at_targets(lats, lons)
    by_midnight = engine.latest_departure(home_lat, home_lon, DAY_END_S, q, name=HOME)
    leave_by_midnight = by_midnight.at_targets(lats, lons)
    home = Place(HOME, home_lat, home_lon)
    out_cache: dict[tuple[float, float, int], Journey | None] = {}
    ret_cache: dict[tuple[float, float, int], Journey | None] = {}
    results = []
    for i, t in enumerate(targets):
        last = None
        if abs(int(leave_by_midnight[i])) < INF:
            j = by_midnight.journey(t.lat, t.lon, t.name)
            last = tidy(j) if j is not None else None
        results.append(_one(engine, home, t, p, q, int(earliest[i]), int(leave_by_hours[i]),
                            last, out_cache, ret_cache))
    return results


def _one(engine: Router, home: Place, t: Target, p: EvalParams, q: QueryParams,
         earliest: int, leave_by_hours: int, last: Journey | None,
         out_cache: dict[tuple[float, float, int], Journey | None],
         ret_cache: dict[tuple[float, float, int], Journey | None]) -> Outcome:
    arrive_by = t.start_s - p.arrival_buffer_s
    if earliest >= INF:
        return Outcome("unreachable", f"no way there with at most {_buses(p.bus_limit)} and "
                       f"{p.max_walk_m:.0f} m walks", last_home=last)
    if earliest > arrive_by:
        return Outcome("unreachable", f"even leaving at {clock(p.hours_from_s)}, the earliest "
                       f"arrival is {clock(earliest)}, after {clock(arrive_by)}",
                       last_home=last)
    key = (t.lat, t.lon, arrive_by)
    if key not in out_cache:
        res = engine.latest_departure(t.lat, t.lon, arrive_by, q, name=t.name)
        j = res.journey(home.lat, home.lon, HOME)
        out_cache[key] = tidy(j) if j is not None else None
    outbound = out_cache[key]
    if outbound is None:
        return Outcome("unreachable", "no way there in time", last_home=last)
    out_min = minutes_of(outbound)
    if out_min > p.max_minutes:
        return Outcome("unreachable", f"the quickest way there takes {out_min} min, over the "
                       f"{p.max_minutes} min limit", outbound=outbound, last_home=last)
    leave_venue = t.end_s + p.return_buffer_s
    if last is None or last.depart_s < leave_venue:
        why = (f"no bus back after {clock(_last_bus_time(last))}" if last is not None
               else "no way back home that day")
        return Outcome("outbound_only", why, outbound=outbound, last_home=last)
    rkey = (t.lat, t.lon, leave_venue)
    if rkey not in ret_cache:
        res = engine.earliest_arrival(t.lat, t.lon, leave_venue, q, name=t.name)
        j = res.journey(home.lat, home.lon, HOME)
        ret_cache[rkey] = tidy(j) if j is not None else None
    ret = ret_cache[rkey]
    if ret is None:  # the midnight search found one, so this is only a safety net
        return Outcome("outbound_only", "no way back home that day", outbound=outbound,
                       last_home=last)
    back_min = minutes_of(ret)
    if leave_by_hours < leave_venue or ret.arrive_s > p.hours_to_s:
        return Outcome("outbound_only", f"the first way home gets back at {clock(ret.arrive_s)}"
                       f", after {clock(p.hours_to_s)}", outbound=outbound, ret=ret,
                       last_home=last)
    if back_min > p.max_minutes:
        return Outcome("outbound_only", f"the way home takes {back_min} min, over the "
                       f"{p.max_minutes} min limit", outbound=outbound, ret=ret, last_home=last)
    return Outcome("feasible", None, outbound=outbound, ret=ret, last_home=last)


def _last_bus_time(j: Journey) -> int:
    """When the last way home leaves: its first bus, or the walk start."""
    for leg in j.legs:
        if leg.mode == "bus":
            return leg.depart_s
    return j.depart_s


def _buses(n: int) -> str:
    return "1 bus" if n == 1 else f"{n} buses"


def _walk_only(engine: Router, home_lat: float, home_lon: float, t: Target,
               p: EvalParams) -> Outcome:
    """Walking only: the direct walk there and back, at the client's speed."""
    metres = engine.walker.direct(home_lat, home_lon, t.lat, t.lon)
    secs = walk_seconds(metres, p.speed_kmh)
    mins = math.ceil(secs / 60)
    home = Place(HOME, home_lat, home_lon)
    venue = Place(t.name, t.lat, t.lon)
    arrive = t.start_s - p.arrival_buffer_s
    out = Journey([Leg("walk", home, venue, arrive - secs, arrive, walk_m=metres)])
    if mins > p.max_minutes:
        return Outcome("unreachable", f"a {mins} min walk, over the {p.max_minutes} min limit",
                       outbound=out)
    if arrive - secs < p.hours_from_s:
        return Outcome("unreachable", f"would need to leave at {clock(arrive - secs)}, before "
                       f"{clock(p.hours_from_s)}", outbound=out)
    leave = t.end_s + p.return_buffer_s
    back = Journey([Leg("walk", venue, home, leave, leave + secs, walk_m=metres)])
    if leave + secs > p.hours_to_s:
        return Outcome("outbound_only", f"would be home at {clock(leave + secs)}, after "
                       f"{clock(p.hours_to_s)}", outbound=out, ret=back)
    return Outcome("feasible", None, outbound=out, ret=back)
