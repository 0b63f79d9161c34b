"""Round trips with the client's hours: answers never depend on the other sessions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from wr_gtfs_builder import STOP_ROWS, basic_files, trip_rows, write_feed

from app.routing.gtfs_reader import read_gtfs
from app.routing.raptor import Router
from app.routing.roundtrip import RoundTripParams, plan_round_trips
from app.routing.timetable import compile_timetable
from app.routing.venue_session import VenueSession as Session

DAY = dt.date(2026, 12, 8)
H = 3600
XY = {sid: (lat, lon) for sid, lat, lon in STOP_ROWS}


def router(tmp_path: Path) -> Router:
    # Out to S3 every hour 09:00-17:00; back from S3 at 12:00, 15:00 and a last one at 18:00.
    rows = []
    trips = []
    for h in range(9, 18):
        rows += trip_rows(f"O{h}", ["S1", "S2", "S3"], h * H)
        trips.append((f"O{h}", "R1", "ALL", 1))
    for h in (12, 15, 18):
        rows += trip_rows(f"B{h}", ["S3", "S2", "S1"], h * H)
        trips.append((f"B{h}", "R2", "ALL", 1))
    feed, _ = read_gtfs(write_feed(tmp_path, basic_files(trips, rows)), name="t")
    return Router(compile_timetable([feed], DAY))


def test_last_way_home_is_the_same_alone_and_in_a_batch(tmp_path: Path) -> None:
    r = router(tmp_path)
    evening = Session(*XY["S3"], DAY, 19 * H, 20 * H, key="evening")
    morning = Session(*XY["S3"], DAY, 10 * H, 11 * H, key="morning")
    p = RoundTripParams(max_journey_s=3600, lookback_s=3600, home_window_s=(17 * H, 22 * H))
    alone = plan_round_trips(r, *XY["S1"], [evening], p)[0]
    both = plan_round_trips(r, *XY["S1"], [morning, evening], p)[1]
    for rt in (alone, both):
        assert not rt.feasible and rt.inbound is None
        assert rt.last_departure_s == 18 * H  # before the session starts, still named
        assert rt.reason == "no bus back after 18:00"
        assert rt.last_way_home is not None
        bus = [leg for leg in rt.last_way_home.legs if leg.mode == "bus"]
        assert bus[0].route_short_name == "R2" and bus[0].stops == 2
        assert bus[0].route_id == "t:R2"


def test_home_by_limits_the_last_way_home(tmp_path: Path) -> None:
    r = router(tmp_path)
    s = Session(*XY["S3"], DAY, 13 * H, 14 * H)
    early = RoundTripParams(home_window_s=(9 * H, 16 * H))
    rt = plan_round_trips(r, *XY["S1"], [s], early)[0]
    assert rt.feasible and rt.last_departure_s == 15 * H  # the 18:00 gets home too late
    assert rt.next_inbound is not None and rt.next_inbound.depart_s == 18 * H  # if missed
    late = plan_round_trips(r, *XY["S1"], [s], RoundTripParams(home_window_s=(9 * H, 22 * H)))
    assert late[0].last_departure_s == 18 * H
    assert late[0].inbound is not None and late[0].inbound.depart_s == 15 * H


def test_the_way_there_is_the_same_whatever_the_batch(tmp_path: Path) -> None:
    r = router(tmp_path)
    # An earlier session in the batch widens the profile; the answer must not change.
    s = Session(*XY["S3"], DAY, 11 * H + 30 * 60, 12 * H)
    p = RoundTripParams(max_journey_s=1800, lookback_s=1800, home_window_s=(9 * H, 22 * H))
    alone = plan_round_trips(r, *XY["S1"], [s], p)[0]
    other = Session(*XY["S3"], DAY, 9 * H + 30 * 60, 10 * H)
    batch = plan_round_trips(r, *XY["S1"], [other, s], p)[1]
    assert alone.leave_home_s == batch.leave_home_s
    assert alone.arrive_target_s == batch.arrive_target_s
