"""Hand-built tiny feeds: each routing rule in isolation, with exact expected times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from wr_gtfs_builder import STOP_ROWS, basic_files, hms, stops_txt, trip_rows, write_feed

from app.routing.cache import TimetableCache
from app.routing.errors import RoutingError
from app.routing.gtfs_reader import read_gtfs
from app.routing.profile import forward_profile, reverse_profile
from app.routing.raptor import INF, QueryParams, Router
from app.routing.roundtrip import RoundTripParams, plan_round_trips
from app.routing.timetable import BuildParams, compile_timetable, feeds_validity
from app.routing.venue_session import VenueSession as Session
from app.routing.walk import WalkParams, walk_seconds

DAY = dt.date(2026, 12, 8)  # a Tuesday
H = 3600
XY = {sid: (lat, lon) for sid, lat, lon in STOP_ROWS}


def router_for(tmp_path: Path, files: dict[str, str], day: dt.date = DAY) -> Router:
    feed, _ = read_gtfs(write_feed(tmp_path, files), name="t")
    return Router(compile_timetable([feed], day))


def arrival(router: Router, frm: str, to: str, t0: int, **kw: object) -> int:
    res = router.earliest_arrival(*XY[frm], t0, QueryParams(**kw))  # type: ignore[arg-type]
    return int(res.stop_times()[router.tt.stop_index(to)])


def test_missed_connection_and_min_change(tmp_path: Path) -> None:
    rows = (trip_rows("A", ["S1", "S2", "S3"], 8 * H)  # reaches S3 at 08:10
            + trip_rows("B1", ["S3", "S4"], 8 * H + 9 * 60)  # leaves S3 08:09: missed
            + trip_rows("B2", ["S3", "S4"], 8 * H + 10 * 60)  # leaves 08:10: caught if no margin
            + trip_rows("B3", ["S3", "S4"], 8 * H + 30 * 60))
    trips = [("A", "R1", "ALL", 1), ("B1", "R2", "ALL", 1), ("B2", "R2", "ALL", 1),
             ("B3", "R2", "ALL", 1)]
    r = router_for(tmp_path, basic_files(trips, rows))
    assert arrival(r, "S1", "S4", 8 * H - 60) == 8 * H + 15 * 60
    slow = WalkParams(min_change_s=60)
    assert arrival(r, "S1", "S4", 8 * H - 60, walk=slow) == 8 * H + 35 * 60
    j = r.earliest_arrival(*XY["S1"], 8 * H - 60).journey(*XY["S4"])
    assert j is not None
    assert [(leg.mode, leg.route_short_name) for leg in j.legs] == [
        ("walk", ""), ("bus", "R1"), ("bus", "R2"), ("walk", "")]
    assert j.legs[1].start.stop_id == "S1" and j.legs[2].end.stop_id == "S4"
    assert j.n_buses == 2 and j.arrive_s == 8 * H + 15 * 60


def test_last_bus(tmp_path: Path) -> None:
    rows = trip_rows("L", ["S1", "S2"], 22 * H)
    r = router_for(tmp_path, basic_files([("L", "R1", "ALL", 1)], rows))
    assert arrival(r, "S1", "S2", 22 * H - 5 * 60) == 22 * H + 300
    assert arrival(r, "S1", "S2", 22 * H + 1) == INF


def test_midnight_crossing_from_previous_day(tmp_path: Path) -> None:
    files = basic_files([("N", "R1", "MON", 1)], trip_rows("N", ["S1", "S2", "S3"], 24 * H + 600))
    files["calendar.txt"] = ("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
                             "start_date,end_date\nMON,1,0,0,0,0,0,0,20260101,20271231\n")
    r = router_for(tmp_path, files)  # Tuesday: Monday's 24:10 trip runs at 00:10
    assert r.tt.n_trips == 1 and int(r.tt.trip_day_offset[0]) == -1
    assert arrival(r, "S1", "S3", 0) == 600 + 600
    monday = router_for(tmp_path / "m", files, dt.date(2026, 12, 7))
    assert arrival(monday, "S1", "S3", 24 * H) == 24 * H + 1200


def test_calendar_exception_christmas(tmp_path: Path) -> None:
    files = basic_files([("T", "R1", "ALL", 1)], trip_rows("T", ["S1", "S2"], 9 * H))
    files["calendar_dates.txt"] = "service_id,date,exception_type\nALL,20261225,2\n"
    feed, _ = read_gtfs(write_feed(tmp_path, files))
    assert compile_timetable([feed], dt.date(2026, 12, 25)).n_trips == 0
    assert compile_timetable([feed], dt.date(2026, 12, 24)).n_trips == 1
    assert feeds_validity([feed]) == (dt.date(2026, 1, 1), dt.date(2027, 12, 31))


def test_frequency_trips(tmp_path: Path) -> None:
    files = basic_files([("F", "R1", "ALL", 1)], trip_rows("F", ["S1", "S2"], 0, 240))
    files["frequencies.txt"] = ("trip_id,start_time,end_time,headway_secs\n"
                                "F,07:00:00,08:00:00,600\n")
    r = router_for(tmp_path, files)
    assert r.tt.n_trips == 6
    assert arrival(r, "S1", "S2", 7 * H + 31 * 60) == 7 * H + 40 * 60 + 240


def test_wheelchair_exclusion(tmp_path: Path) -> None:
    rows = (trip_rows("X", ["S1", "S2", "S3"], 8 * H)
            + trip_rows("OK", ["S1", "S2", "S3"], 8 * H + 1800))
    files = basic_files([("X", "R1", "ALL", 2), ("OK", "R1", "ALL", 1)], rows,
                        stops=stops_txt(wheelchair={"S2": 2}))
    r = router_for(tmp_path, files)
    assert arrival(r, "S1", "S3", 7 * H) == 8 * H + 600
    assert arrival(r, "S1", "S3", 7 * H, wheelchair=True) == 8 * H + 1800 + 600
    assert arrival(r, "S1", "S2", 7 * H, wheelchair=True) == INF  # cannot get off at S2
    assert arrival(r, "S1", "S2", 7 * H) == 8 * H + 300


def test_bus_limit(tmp_path: Path) -> None:
    rows = (trip_rows("A", ["S1", "S2"], 8 * H) + trip_rows("B", ["S2", "S3"], 8 * H + 600)
            + trip_rows("C", ["S3", "S4"], 8 * H + 1200))
    r = router_for(tmp_path, basic_files(
        [("A", "R1", "ALL", 1), ("B", "R2", "ALL", 1), ("C", "R3", "ALL", 1)], rows))
    assert arrival(r, "S1", "S3", 7 * H, max_buses=1) == INF
    assert arrival(r, "S1", "S3", 7 * H, max_buses=2) == 8 * H + 900
    assert arrival(r, "S1", "S4", 7 * H, max_buses=2) == INF
    assert arrival(r, "S1", "S4", 7 * H, max_buses=3) == 8 * H + 1500
    with pytest.raises(RoutingError):
        QueryParams(max_buses=5)
    with pytest.raises(RoutingError):
        WalkParams(speed_kmh=1.5)


def test_walking_access_transfer_and_direct(tmp_path: Path) -> None:
    near = [("P1", 53.0, -1.200), ("P2", 53.0, -1.196)]  # 268 m crow-fly, 348 m walked
    stops = stops_txt([*STOP_ROWS, *near])
    rows = trip_rows("A", ["S2", "P1"], 8 * H) + trip_rows("B", ["P2", "S3"], 8 * H + 900)
    r = router_for(tmp_path, basic_files([("A", "R1", "ALL", 1), ("B", "R2", "ALL", 1)], rows,
                                         stops=stops))
    res = r.earliest_arrival(*XY["S2"], 7 * H)
    tt = r.tt
    p1_p2 = r.walker.direct(53.0, -1.2, 53.0, -1.196)
    assert 340 < p1_p2 < 360
    walk_t = walk_seconds(p1_p2, 4.8)
    times = res.stop_times()
    assert times[tt.stop_index("P2")] == 8 * H + 300 + walk_t  # transfer walk after the bus
    assert times[tt.stop_index("S3")] == 8 * H + 900 + 300
    j = res.journey(*XY["S3"])
    assert j is not None and [leg.mode for leg in j.legs] == ["walk", "bus", "walk", "bus", "walk"]
    assert j.legs[2].walk_m == pytest.approx(p1_p2)
    # A target 200 m away is reached on foot; direct walking is its own option.
    lat, lon = 53.0018, -1.185
    arr = res.at_targets(np.array([lat]), np.array([lon]))[0]
    d = r.walker.direct(*XY["S2"], lat, lon)
    assert arr == 7 * H + walk_seconds(d, 4.8)


def test_reverse_query(tmp_path: Path) -> None:
    rows = trip_rows("A", ["S1", "S2", "S3"], 8 * H) + trip_rows("B", ["S1", "S2", "S3"], 9 * H)
    r = router_for(tmp_path, basic_files([("A", "R1", "ALL", 1), ("B", "R1", "ALL", 1)], rows))
    res = r.latest_departure(*XY["S3"], 9 * H + 599)
    assert res.stop_times()[r.tt.stop_index("S1")] == 8 * H
    res = r.latest_departure(*XY["S3"], 9 * H + 600)
    assert res.stop_times()[r.tt.stop_index("S1")] == 9 * H
    j = res.journey(*XY["S1"], name="home")
    assert j is not None and j.depart_s == 9 * H and j.arrive_s == 9 * H + 600
    assert [leg.mode for leg in j.legs] == ["walk", "bus", "walk"]
    assert j.legs[1].start.stop_id == "S1" and j.legs[1].end.stop_id == "S3"


def test_range_query_pareto(tmp_path: Path) -> None:
    rows = (trip_rows("SLOW", ["S1", "S2", "S3"], 8 * H, 1800)  # one bus, S3 at 09:00
            + trip_rows("F1", ["S1", "S2"], 8 * H + 600, 300)  # two buses, S3 at 08:30
            + trip_rows("F2", ["S2", "S3"], 8 * H + 1200, 600)
            + trip_rows("LATE", ["S1", "S2", "S3"], 9 * H, 600))  # one bus, S3 at 09:20
    trips = [("SLOW", "R1", "ALL", 1), ("F1", "R2", "ALL", 1), ("F2", "R3", "ALL", 1),
             ("LATE", "R1", "ALL", 1)]
    r = router_for(tmp_path, basic_files(trips, rows))
    prof = forward_profile(r, *XY["S1"], 7 * H, 10 * H)
    assert prof.at_stop("S3") == [(9 * H, 9 * H + 1200, 1), (8 * H + 600, 8 * H + 1800, 2),
                                  (8 * H, 9 * H, 1)]
    rev = reverse_profile(r, *XY["S3"], 7 * H, 12 * H)
    assert rev.at_stop("S1") == [(9 * H, 9 * H + 1200, 1), (8 * H + 600, 8 * H + 1800, 2),
                                 (8 * H, 9 * H, 1)]


def test_round_trip_there_but_not_back(tmp_path: Path) -> None:
    rows = (trip_rows("OUT", ["S1", "S2", "S3"], 13 * H)
            + trip_rows("BACK", ["S3", "S2", "S1"], 10 * H))
    r = router_for(tmp_path, basic_files([("OUT", "R1", "ALL", 1), ("BACK", "R1", "ALL", 1)], rows))
    ok = Session(*XY["S3"], DAY, 13 * H + 20 * 60, 14 * H, key="a")
    early = Session(*XY["S3"], DAY, 9 * H, 9 * H + 1800, key="b")
    res = plan_round_trips(r, *XY["S1"], [ok, early])
    assert not res[0].feasible
    assert res[0].leave_home_s == 13 * H and res[0].arrive_target_s == 13 * H + 600
    assert res[0].outbound is not None and res[0].outbound.legs[1].route_short_name == "R1"
    assert res[0].last_departure_s == 10 * H
    assert res[0].reason == "no bus back after 10:00"
    assert res[1].reason is not None and res[1].reason.startswith("no bus there by 08:55")
    long = plan_round_trips(r, *XY["S1"], [ok], RoundTripParams(max_journey_s=300))
    assert long[0].reasons[0] == "over 5 min"


def test_round_trip_feasible_and_bus_count(tmp_path: Path) -> None:
    rows = (trip_rows("A", ["S1", "S2"], 9 * H) + trip_rows("B", ["S2", "S3"], 9 * H + 600)
            + trip_rows("C", ["S3", "S2"], 16 * H) + trip_rows("D", ["S2", "S1"], 16 * H + 600))
    trips = [("A", "R1", "ALL", 1), ("B", "R2", "ALL", 1), ("C", "R2", "ALL", 1),
             ("D", "R1", "ALL", 1)]
    r = router_for(tmp_path, basic_files(trips, rows))
    s = Session(*XY["S3"], DAY, 10 * H, 15 * H)
    two = plan_round_trips(r, *XY["S1"], [s], RoundTripParams(QueryParams(max_buses=2)))[0]
    assert two.feasible and two.reason is None
    assert (two.leave_home_s, two.arrive_target_s) == (9 * H, 9 * H + 900)
    assert (two.leave_target_s, two.arrive_home_s) == (16 * H, 16 * H + 900)
    assert two.inbound is not None and [x.route_short_name for x in two.inbound.legs] == [
        "", "R2", "R1", ""]
    one = plan_round_trips(r, *XY["S1"], [s], RoundTripParams(QueryParams(max_buses=1)))[0]
    assert not one.feasible and one.reason == "needs 2 buses; needs 2 buses"


def test_timetable_cache_roundtrip(tmp_path: Path) -> None:
    rows = trip_rows("A", ["S1", "S2", "S3"], 8 * H)
    feed, _ = read_gtfs(write_feed(tmp_path, basic_files([("A", "R1", "ALL", 1)], rows)))
    cache = TimetableCache(tmp_path / "cache")
    tt = cache.get_or_build([feed], DAY)
    key = cache.key([feed], DAY, BuildParams())
    assert cache.path(key).exists()
    again = cache.load(key)
    assert again is not None and again.service_date == DAY.isoformat()
    assert np.array_equal(again.dep, tt.dep) and list(again.trip_ids) == ["feed:A"]
    assert cache.key([feed], DAY + dt.timedelta(days=1), BuildParams()) != key


def test_overtaking_trips_split_patterns(tmp_path: Path) -> None:
    rows = [("SLOW", hms(8 * H), hms(8 * H), "S1", 1), ("SLOW", hms(9 * H), hms(9 * H), "S2", 2),
            ("FAST", hms(8 * H + 60), hms(8 * H + 60), "S1", 1),
            ("FAST", hms(8 * H + 600), hms(8 * H + 600), "S2", 2)]
    trips = [("SLOW", "R1", "ALL", 1), ("FAST", "R1", "ALL", 1)]
    r = router_for(tmp_path, basic_files(trips, rows))
    assert r.tt.n_patterns == 2
    assert arrival(r, "S1", "S2", 7 * H) == 8 * H + 600
