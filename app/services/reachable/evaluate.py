"""Round trips from one home to many sessions on one service date, via the routing engine.

The engine answers every session of a date from one forward profile out of home and one
reverse profile into home (`plan_round_trips`); this module adds the client's hours
(leave no earlier than, be home by) and turns the engine's answer into a status, a
reason in words and a reason code.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

from app.routing.journey import Journey, Leg, Place, attach_walks
from app.routing.raptor import QueryParams, Router
from app.routing.roundtrip import HomeProfile, RoundTrip, RoundTripParams, plan_round_trips
from app.routing.venue_session import VenueSession
from app.routing.walk import WalkParams, walk_seconds
from app.schemas.reachable import Feasibility

DAY_S = 86_400
LOOKBACK_MARGIN_S = 600
HOME = "home"


@dataclass(frozen=True)
class EvalParams:
    """The client's limits, in engine units."""

    hours_from_s: int
    hours_to_s: int
    max_minutes: int | None  # None: no limit (used to find the nearest over-limit option)
    bus_limit: int  # 0 = walk only
    wheelchair: bool
    speed_kmh: float
    max_walk_m: float
    arrival_buffer_s: int
    return_buffer_s: int

    def round_trip(self) -> RoundTripParams:
        """Engine round-trip parameters (only used when buses are allowed).

        The client's hours go in as the engine's home window, so each session's answer is
        the same whatever else is in the search (see RoundTripParams.home_window_s).
        """
        query = QueryParams(max_buses=self.bus_limit, wheelchair=self.wheelchair,
                            walk=WalkParams(speed_kmh=self.speed_kmh, max_walk_m=self.max_walk_m))
        hours = (self.hours_from_s, self.hours_to_s)
        if self.max_minutes is None:
            return RoundTripParams(query=query, arrival_buffer_s=self.arrival_buffer_s,
                                   return_buffer_s=self.return_buffer_s, max_journey_s=None,
                                   home_window_s=hours)
        # No journey longer than the limit can count, so the profile windows need reach only
        # that far beyond the sessions (the engine default of 3 h costs 3x the search time).
        return RoundTripParams(
            query=query, arrival_buffer_s=self.arrival_buffer_s,
            return_buffer_s=self.return_buffer_s, max_journey_s=self.max_minutes * 60,
            lookback_s=self.max_minutes * 60 + LOOKBACK_MARGIN_S, home_window_s=hours)


@dataclass
class Outcome:
    """What happened for one session: the plans found and, if it fails, why."""

    status: Feasibility
    reason: str | None = None
    code: str | None = None  # machine-readable reason, see schema.REASON_CODES
    outbound: Journey | None = None
    ret: Journey | None = None
    last_departure_s: int | None = None  # latest leave-the-venue time that still gets home
    walkable: bool = False
    last_way_home: Journey | None = None  # the journey leaving at last_departure_s
    next_way_home: Journey | None = None  # the way home if the planned bus is missed


def tidy(journey: Journey | None) -> Journey | None:
    """The journey with each walk attached to the bus it serves (see `attach_walks`)."""
    return None if journey is None else Journey(attach_walks(journey.legs))


def minutes_of(journey: Journey) -> int:
    """Door-to-door minutes of a journey."""
    return math.ceil((journey.arrive_s - journey.depart_s) / 60)


def clock(seconds: int) -> str:
    """HH:MM for service-day seconds (times past midnight wrap, e.g. 24:10 -> 00:10)."""
    s = int(seconds) % DAY_S
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def evaluate_day(engine: Router, day: dt.date, home_lat: float, home_lon: float,
                 targets: list[VenueSession], p: EvalParams, *,
                 home_fwd: HomeProfile | None = None) -> list[Outcome]:
    """Evaluate every session of one service date (`day`, the targets' date) for one home.

    Two engine profiles answer them all (`home_fwd`: the forward one, already run).
    Each outcome depends only on its own session, the home, the date and the limits.
    """
    if p.bus_limit == 0:
        return [_walk_only(engine, home_lat, home_lon, t, p) for t in targets]
    trips = plan_round_trips(engine, home_lat, home_lon, targets, p.round_trip(),
                             home_fwd=home_fwd)
    return [_classify(rt, p) for rt in trips]


def _code(reason: str, leg: str) -> str:
    """Reason code from the engine's reason text for one direction ('there' or 'back')."""
    if reason.startswith("needs"):
        return f"too_many_buses_{leg}"
    if reason.startswith("over"):
        return f"too_long_{leg}"
    return f"no_bus_{leg}"


def _classify(rt: RoundTrip, p: EvalParams) -> Outcome:
    """Apply the client's hours to the engine's round trip."""
    out, back = tidy(rt.outbound), tidy(rt.inbound)
    ways = Outcome("unreachable", last_departure_s=rt.last_departure_s, walkable=rt.walkable,
                   last_way_home=tidy(rt.last_way_home), next_way_home=tidy(rt.next_inbound))
    if out is None:
        reason = rt.reasons[0] if rt.reasons else "no way there in time"
        return replace(ways, reason=reason, code=_code(reason, "there"))
    if out.depart_s < p.hours_from_s:
        return replace(ways, reason=f"would need to leave home at {clock(out.depart_s)}, "
                       f"before {clock(p.hours_from_s)}", code="before_hours", outbound=out)
    if back is None:
        reason = rt.reasons[-1] if rt.reasons else "no way back that day"
        if reason == "no bus back that day":
            reason = f"no bus gets home by {clock(p.hours_to_s)} that day"
        return replace(ways, status="outbound_only", reason=reason, code=_code(reason, "back"),
                       outbound=out)
    if back.arrive_s > p.hours_to_s:
        return replace(ways, status="outbound_only", reason=f"the first way home gets back at "
                       f"{clock(back.arrive_s)}, after {clock(p.hours_to_s)}",
                       code="home_too_late", outbound=out, ret=back)
    return replace(ways, status="feasible", outbound=out, ret=back)


def _walk_only(engine: Router, home_lat: float, home_lon: float, t: VenueSession,
               p: EvalParams) -> Outcome:
    """Walking only: the direct walk there and back, at the client's speed."""
    metres = engine.walker.direct(home_lat, home_lon, t.lat, t.lon)
    secs = walk_seconds(metres, p.speed_kmh)
    mins = math.ceil(secs / 60)
    home = Place(HOME, home_lat, home_lon)
    venue = Place(t.name, t.lat, t.lon)
    arrive = t.start_s - p.arrival_buffer_s
    out = Journey([Leg("walk", home, venue, arrive - secs, arrive, walk_m=metres)])
    leave = t.end_s + p.return_buffer_s
    back = Journey([Leg("walk", venue, home, leave, leave + secs, walk_m=metres)])
    if p.max_minutes is not None and mins > p.max_minutes:
        return Outcome("unreachable", f"a {mins} min walk, over the {p.max_minutes} min limit",
                       "too_long_there", outbound=out)
    if arrive - secs < p.hours_from_s:
        return Outcome("unreachable", f"would need to leave home at {clock(arrive - secs)}, "
                       f"before {clock(p.hours_from_s)}", "before_hours", outbound=out)
    if leave + secs > p.hours_to_s:
        return Outcome("outbound_only", f"would be home at {clock(leave + secs)}, after "
                       f"{clock(p.hours_to_s)}", "home_too_late", outbound=out, ret=back)
    return Outcome("feasible", outbound=out, ret=back, walkable=True)
