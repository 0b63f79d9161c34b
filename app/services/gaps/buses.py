"""Bus-timetable what-if: one extra trip on a route, e.g. a new evening journey home.

The new trip copies the stops and running times of the route's trip (in the chosen direction)
whose first departure is nearest the requested time, shifted to leave at that time. The day's
timetable is recompiled with it through the engine's public `compile_timetable` and `Router`;
nothing is stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from sqlalchemy import Connection

from app.errors import InvalidInput, NotFound
from app.routing.feed import Feed
from app.routing.raptor import Router
from app.routing.timetable import compile_timetable
from app.schemas.gaps import ExtraTrip
from app.services.transit.feeds import read_feeds
from app.services.transit.router import get_router


def _seconds(hhmm: str) -> int:
    return int(hhmm[:2]) * 3600 + int(hhmm[3:]) * 60


def _with_trip(feed: Feed, trip: ExtraTrip, day: dt.date, n: int) -> tuple[Feed, str] | None:
    """The feed with one more trip copied from its nearest trip on the route, or None."""
    routes = feed.routes[(feed.routes["route_short_name"] == trip.route)
                         | (feed.routes["route_id"] == trip.route)]
    if not len(routes):
        return None
    trips = feed.trips[feed.trips["route_id"].isin(set(routes["route_id"]))
                       & feed.trips["service_id"].isin(feed.active_services(day))]
    if trip.direction is not None:
        trips = trips[trips["direction_id"] == trip.direction]
    if not len(trips):
        return None
    st = feed.stop_times[feed.stop_times["trip_id"].isin(set(trips["trip_id"]))]
    first = st.sort_values("stop_sequence").groupby("trip_id")["departure_s"].first()
    want = _seconds(trip.depart)
    template = str((first - want).abs().idxmin())
    shift = want - int(first[template])
    new_id = f"what-if-{n}"
    times = st[st["trip_id"] == template].copy()
    times["trip_id"] = new_id
    times["arrival_s"] = times["arrival_s"] + shift
    times["departure_s"] = times["departure_s"] + shift
    row = trips[trips["trip_id"] == template].copy()
    row["trip_id"] = new_id
    out = dataclasses.replace(feed, trips=pd.concat([feed.trips, row], ignore_index=True),
                              stop_times=pd.concat([feed.stop_times, times],
                                                   ignore_index=True))
    return out, template


def routers_with_trips(conn: Connection, days: dict[int, dt.date], extra: list[ExtraTrip]
                       ) -> tuple[dict[int, Router], list[dict[str, object]]]:
    """Per weekday: a router over the timetable with the extra trips; and what was added."""
    feeds = read_feeds(conn)
    added: list[dict[str, object]] = []
    routers: dict[int, Router] = {}
    for wd, day in sorted(days.items()):
        changed = list(feeds)
        for n, trip in enumerate(extra):
            hit = None
            for i, f in enumerate(changed):
                res = _with_trip(f, trip, day, n)
                if res is not None:
                    changed[i], template = res
                    hit = template
                    break
            if hit is None:
                raise NotFound(f"route {trip.route!r} has no trip on {day:%A}"
                               + ("" if trip.direction is None else
                                  f" in direction {trip.direction}"), field="bus")
            if wd == min(days):
                added.append({"route": trip.route, "depart": trip.depart,
                              "copied_from_trip": hit})
        base = get_router(conn, day)
        tt = compile_timetable(changed, day)
        if tt.n_stops != base.tt.n_stops:
            raise InvalidInput("the extra trip changed the stop list", field="bus")
        routers[wd] = Router(tt, base.walker)
    return routers, added
