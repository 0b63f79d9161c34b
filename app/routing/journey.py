"""Journey result types (plain dataclasses) and their reconstruction from a RAPTOR log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from app.routing.raptor_core import ACCESS, BUS, TRANSFER
from app.routing.timetable import Timetable
from app.routing.walk import walk_seconds


@dataclass(frozen=True)
class Place:
    """Where a leg starts or ends: a stop, or a free point (origin/target)."""

    name: str
    lat: float
    lon: float
    stop_id: str | None = None


@dataclass(frozen=True)
class Leg:
    """One leg of a journey: a walk or a bus ride."""

    mode: Literal["walk", "bus"]
    start: Place
    end: Place
    depart_s: int  # seconds after service-day midnight
    arrive_s: int
    walk_m: float = 0.0  # walking metres (walk legs)
    route_short_name: str = ""
    headsign: str = ""
    trip_id: str = ""
    route_id: str = ""  # "feed:route_id" (bus legs), to look up the operator
    stops: int = 0  # stops ridden: the number of stops after boarding, alighting included


@dataclass(frozen=True)
class Journey:
    """A journey from origin to target; times are seconds after service-day midnight."""

    legs: list[Leg] = field(default_factory=list)

    @property
    def depart_s(self) -> int:
        """Departure from the origin."""
        return self.legs[0].depart_s

    @property
    def arrive_s(self) -> int:
        """Arrival at the target."""
        return self.legs[-1].arrive_s

    @property
    def n_buses(self) -> int:
        """Number of bus rides."""
        return sum(1 for leg in self.legs if leg.mode == "bus")

    @property
    def walk_m(self) -> float:
        """Total walking metres."""
        return sum(leg.walk_m for leg in self.legs)


def retimed(leg: Leg, start: Place, end: Place, depart_s: int, arrive_s: int) -> Leg:
    """The leg with new ends and times, every other field kept.

    `dataclasses.replace` costs several microseconds a call, and a round trip for 500
    sessions moves about a thousand legs; this builds the leg directly.
    """
    return Leg(leg.mode, start, end, depart_s, arrive_s, leg.walk_m, leg.route_short_name,
               leg.headsign, leg.trip_id, leg.route_id, leg.stops)


def attach_walks(legs: list[Leg]) -> list[Leg]:
    """Leave as late as possible for the first bus and walk on straight after each ride.

    Search labels may hold a wait before a walk (arrive-by searches especially); a person
    follows a plan better when each walk is attached to the bus it serves.
    """
    out = list(legs)
    for i, leg in enumerate(out):
        if leg.mode != "walk":
            continue
        dur = leg.arrive_s - leg.depart_s
        if i > 0 and out[i - 1].mode == "bus":
            start = out[i - 1].arrive_s
            out[i] = retimed(leg, leg.start, leg.end, start, start + dur)
        elif i + 1 < len(out) and out[i + 1].mode == "bus":
            end = out[i + 1].depart_s
            out[i] = retimed(leg, leg.start, leg.end, end - dur, end)
    return out


def _stop_place(tt: Timetable, s: int) -> Place:
    """The Place of stop s (cached on the timetable object: legs are built in bulk)."""
    cache: dict[int, Place] = tt.__dict__.setdefault("_place_cache", {})
    place = cache.get(s)
    if place is None:
        place = Place(str(tt.stop_names[s]), float(tt.stop_lat[s]), float(tt.stop_lon[s]),
                      str(tt.stop_ids[s]))
        cache[s] = place
    return place


def legs_from_log(tt: Timetable, log: tuple[np.ndarray, ...], entry: int, origin: Place,
                  access_m: dict[int, float],
                  transfer_m: dict[tuple[int, int], float]) -> list[Leg]:
    """Legs from the origin to the stop of log `entry` (a bus or transfer label).

    access_m maps stop -> access walking metres; transfer_m maps (from, to) -> metres.
    The access walk leaves at the departure of the iteration that logged it.
    """
    kind, stop, _rnd, time, dep0, trip, bpos, apos, parent = log[:9]
    legs: list[Leg] = []
    e = entry
    while e >= 0:
        k = int(kind[e])
        s = int(stop[e])
        if k == BUS:
            g = int(trip[e])
            off, pat_start, names = _trip_facts(tt, g)
            p_board = int(bpos[e])
            p_alight = int(apos[e])
            b_stop = int(tt.pat_stops[pat_start + p_board])
            legs.append(Leg("bus", _stop_place(tt, b_stop), _stop_place(tt, s),
                            int(tt.dep[off + p_board]), int(tt.arr[off + p_alight]), 0.0,
                            *names, stops=abs(p_alight - p_board)))
        elif k == TRANSFER:
            frm = int(bpos[e])
            prev_arr = int(time[int(parent[e])])
            legs.append(Leg("walk", _stop_place(tt, frm), _stop_place(tt, s), prev_arr,
                            int(time[e]), walk_m=transfer_m.get((frm, s), 0.0)))
        elif k == ACCESS:
            legs.append(Leg("walk", origin, _stop_place(tt, s), int(dep0[e]), int(time[e]),
                            walk_m=access_m.get(s, 0.0)))
        e = int(parent[e])
    legs.reverse()
    return legs


_TRIP_CACHE_MAX = 100_000


def _trip_facts(tt: Timetable, g: int) -> tuple[int, int, tuple[str, str, str, str]]:
    """(time offset, pattern's first stop slot, (route short name, headsign, trip id,
    route id)) of trip g, cached on the timetable object like the stop places."""
    cache: dict[int, tuple[int, int, tuple[str, str, str, str]]] = \
        tt.__dict__.setdefault("_trip_cache", {})
    facts = cache.get(g)
    if facts is None:
        m = tt.source_trip(g)  # trip metadata is kept in forward order
        facts = (int(tt.trip_time_off[g]), int(tt.pat_stop_ptr[_pattern_of(tt, g)]),
                 (str(tt.trip_route_short[m]), str(tt.trip_headsign[m]), str(tt.trip_ids[m]),
                  str(tt.trip_route_ids[m])))
        if len(cache) >= _TRIP_CACHE_MAX:  # a national server must not grow without bound
            cache.clear()
        cache[g] = facts
    return facts


def _pattern_of(tt: Timetable, g: int) -> int:
    """Pattern of trip g (binary search in pat_trip_ptr)."""
    return int(np.searchsorted(tt.pat_trip_ptr, g, side="right") - 1)


def egress_leg(tt: Timetable, stop: int, arrive_stop_s: int, target: Place, metres: float,
               speed_kmh: float) -> Leg:
    """The final walk from an alighting stop to the target."""
    return Leg("walk", _stop_place(tt, stop), target, arrive_stop_s,
               arrive_stop_s + walk_seconds(metres, speed_kmh), walk_m=metres)


def mirror_legs(legs: list[Leg]) -> list[Leg]:
    """Turn legs found on the time-reversed timetable into forward legs."""
    return [retimed(leg, leg.end, leg.start, -leg.arrive_s, -leg.depart_s)
            for leg in reversed(legs)]


def walk_only(origin: Place, target: Place, depart_s: int, metres: float,
              speed_kmh: float) -> Journey:
    """A direct walk with no bus."""
    return Journey([Leg("walk", origin, target, depart_s,
                        depart_s + walk_seconds(metres, speed_kmh), walk_m=metres)])
