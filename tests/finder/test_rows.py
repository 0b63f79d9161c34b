"""Pure checks of plan legs, the last bus home and the reach polygon."""

from __future__ import annotations

import numpy as np
from shapely.geometry import Point, shape

from app.routing.journey import Journey, Leg, Place
from app.services.reachable.evaluate import HOME, Outcome, clock, tidy
from app.services.reachable.isochrone import circles_polygon
from app.services.reachable.rows import journey_out, last_bus

HOME_PLACE = Place(HOME, 53.14, -1.19)
STOP_A = Place("Leeming Street (Stop D)", 53.141, -1.191, stop_id="3300MA0556")
STOP_B = Place("Chester Street (opp)", 53.15, -1.21, stop_id="3300MA0999")
VENUE = Place("Thistle Community Hub", 53.151, -1.2197)


def trip() -> Journey:
    # The walk to the stop starts early and then waits: tidy() should leave later instead.
    return Journey([
        Leg("walk", HOME_PLACE, STOP_A, 13 * 3600, 13 * 3600 + 300, walk_m=360),
        Leg("bus", STOP_A, STOP_B, 13 * 3600 + 1200, 13 * 3600 + 1740,
            route_short_name="D11", headsign="Pleasley"),
        Leg("walk", STOP_B, VENUE, 13 * 3600 + 1800, 13 * 3600 + 1980, walk_m=170),
    ])


def test_tidy_leaves_late_and_walks_on_at_once() -> None:
    j = tidy(trip())
    assert j is not None
    assert clock(j.depart_s) == "13:15" and clock(j.legs[2].depart_s) == "13:29"


def test_legs_name_home_but_never_locate_it() -> None:
    out = journey_out(trip(), "Thistle Community Hub")
    assert out.legs[0].from_name == "home" and out.legs[-1].to_name == "Thistle Community Hub"
    bus = out.legs[1]
    assert (bus.route, bus.headsign, bus.from_stop_code) == ("D11", "Pleasley", "3300MA0556")
    assert "53.14" not in out.model_dump_json()
    assert out.buses == 1 and out.walk_m == 530


def test_last_bus_home_names_the_route_when_known() -> None:
    home_leg = Journey([
        Leg("walk", VENUE, STOP_B, 18 * 3600, 18 * 3600 + 240, walk_m=280),
        Leg("bus", STOP_B, STOP_A, 18 * 3600 + 240, 18 * 3600 + 720, route_short_name="D11"),
        Leg("walk", STOP_A, HOME_PLACE, 18 * 3600 + 720, 18 * 3600 + 1020, walk_m=380),
    ])
    named = last_bus(Outcome("outbound_only", last_departure_s=18 * 3600,
                             last_way_home=home_leg))
    assert named is not None
    assert (named.leave_venue_by, named.route, named.bus_depart_time, named.home_by) == (
        "18:00", "D11", "18:04", "18:17")
    bare = last_bus(Outcome("outbound_only", last_departure_s=18 * 3600))
    assert bare is not None and bare.route is None
    assert last_bus(Outcome("feasible", walkable=True, last_departure_s=1)) is None


def test_reach_polygon_covers_its_circles() -> None:
    geom = circles_polygon(53.14, np.array([53.14, 53.20]), np.array([-1.19, -1.10]),
                           np.array([500.0, 800.0]))
    assert geom is not None
    area = shape(geom)
    assert area.contains(Point(-1.19, 53.1425))  # ~280 m north of the first centre
    assert not area.contains(Point(-1.19, 53.15))  # ~1.1 km: outside
    assert circles_polygon(53.0, np.array([53.0]), np.array([-1.0]), np.array([0.0])) is None


def test_last_bus_home_before_the_session_is_noted() -> None:
    home_leg = Journey([
        Leg("walk", VENUE, STOP_B, 18 * 3600, 18 * 3600 + 180, walk_m=200),
        Leg("bus", STOP_B, STOP_A, 18 * 3600 + 180, 18 * 3600 + 900, route_short_name="D18",
            route_id="feed:D18", stops=4),
    ])
    o = Outcome("outbound_only", last_departure_s=18 * 3600, last_way_home=home_leg)
    starts = last_bus(o, start_s=18 * 3600 + 1800, end_s=20 * 3600,
                      agencies={"feed:D18": "Demo Buses"})
    assert starts is not None and starts.before_session == "starts"
    assert starts.note == ("the last bus home, D18 at 18:03, means leaving the venue by 18:00, "
                           "before the session starts")
    assert starts.agency == "Demo Buses"
    ends = last_bus(o, start_s=17 * 3600, end_s=19 * 3600)
    assert ends is not None and ends.before_session == "ends" and "session ends" in str(ends.note)
    after = last_bus(o, start_s=16 * 3600, end_s=17 * 3600)
    assert after is not None and after.before_session is None and after.note is None


def test_bus_legs_carry_stops_and_operator() -> None:
    legs = [Leg("bus", STOP_A, STOP_B, 36000, 36600, route_short_name="D1", route_id="f:D1",
                stops=3)]
    out = journey_out(Journey(legs), "Hall", {"f:D1": "Sherwood Buses"})
    assert (out.legs[0].stops, out.legs[0].agency) == (3, "Sherwood Buses")
    assert out.legs[0].depart_time == out.legs[0].depart == "10:00"
