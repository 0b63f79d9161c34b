"""GTFS reader: real feeds, each quirk, each error and warning kind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from wr_gtfs_builder import basic_files, stops_txt, trip_rows, write_feed

from app.routing.feed import Feed, FeedError, FeedRefusedError, ValidationReport
from app.routing.gtfs_reader import read_gtfs

# --- real feeds -------------------------------------------------------------------------


def test_midnotts_counts(midnotts_feed: Feed) -> None:
    f = midnotts_feed
    assert len(f.stops) == 990
    assert len(f.routes) == 34
    assert len(f.trips) == 3711
    assert len(f.stop_times) == 74574
    assert f.version == "midnotts-synthetic-1.0-seed20260101"
    assert f.validity() == (dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    late = f.stop_times.loc[f.stop_times["arrival_s"] >= 86400, "trip_id"].nunique()
    assert late == 31
    assert not f.stop_times["interpolated"].any()


def _trips_on(f: Feed, day: dt.date) -> int:
    return int(f.trips["service_id"].isin(f.active_services(day)).sum())


def test_midnotts_service_days(midnotts_feed: Feed) -> None:
    f = midnotts_feed
    assert _trips_on(f, dt.date(2026, 12, 2)) == 1880  # Wednesday
    assert _trips_on(f, dt.date(2026, 12, 5)) == 1444  # Saturday
    assert _trips_on(f, dt.date(2026, 12, 6)) == 387  # Sunday
    assert f.active_services(dt.date(2026, 12, 25)) == set()
    assert f.active_services(dt.date(2026, 12, 26)) == set()
    assert f.active_services(dt.date(2026, 12, 28)) == {"SUNDAY"}  # substitute bank holiday


def test_poa_counts(poa_feed: Feed) -> None:
    f = poa_feed
    assert len(f.stops) == 3986
    assert len(f.stop_times) == 130019
    assert f.stop_times["interpolated"].sum() > 100_000  # many blank times, all filled
    assert f.stop_times[["arrival_s", "departure_s"]].notna().all().all()
    st = f.stop_times.sort_values(["trip_id", "stop_sequence"])
    same = st["trip_id"].to_numpy()[1:] == st["trip_id"].to_numpy()[:-1]
    assert (st["arrival_s"].to_numpy()[1:][same] >= st["departure_s"].to_numpy()[:-1][same]).all()


# --- quirks ------------------------------------------------------------------------------


def _read(tmp_path: Path, files: dict[str, str], **kw: object) -> tuple[Feed, ValidationReport]:
    return read_gtfs(write_feed(tmp_path, files, **kw))  # type: ignore[arg-type]


def test_bom_crlf_quotes_and_late_times(tmp_path: Path) -> None:
    files = basic_files([("T1", "R1", "ALL", 1)], trip_rows("T1", ["S1", "S2"], 86400 + 600))
    files["routes.txt"] = ('route_id,agency_id,route_short_name,route_long_name,route_type\r\n'
                           '"R1",A,"1A","Long, ""quoted"" name",3\r\n')
    two = stops_txt([("S1", 53.0, -1.2), ("S2", 53.0, -1.19)])
    files["stops.txt"] = "\ufeff" + two.replace("\n", "\r\n")
    feed, rep = _read(tmp_path, files, as_zip=True)
    assert rep.ok
    assert feed.routes.iloc[0]["route_long_name"] == 'Long, "quoted" name'
    assert list(feed.stops["stop_id"]) == ["S1", "S2"]
    assert list(feed.stop_times["departure_s"]) == [87000, 87300]


def test_interpolation_by_haversine_rounds_half_up(tmp_path: Path) -> None:
    # S1 -> S2 -> S3 equally spaced: the blank middle time is exactly halfway.
    rows = [("T1", "08:00:00", "08:00:00", "S1", 1), ("T1", "", "", "S2", 2),
            ("T1", "08:00:11", "08:00:11", "S3", 3)]
    stops = stops_txt([("S1", 53.0, -1.2), ("S2", 53.0, -1.19), ("S3", 53.0, -1.18)])
    feed, _ = _read(tmp_path, basic_files([("T1", "R1", "ALL", 1)], rows, stops=stops))
    st = feed.stop_times.set_index("stop_id")
    assert st.loc["S2", "arrival_s"] == 8 * 3600 + 6  # 5.5 s rounds half up to 6
    assert bool(st.loc["S2", "interpolated"]) and not bool(st.loc["S1", "interpolated"])


def test_interpolation_by_shape_dist_traveled(tmp_path: Path) -> None:
    files = basic_files([("T1", "R1", "ALL", 1)], [])
    files["stop_times.txt"] = (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
        "T1,08:00:00,08:00:00,S1,1,0\nT1,,,S2,2,1.0\nT1,08:10:00,08:10:00,S3,3,4.0\n")
    feed, _ = _read(tmp_path, files)
    st = feed.stop_times.set_index("stop_id")
    assert st.loc["S2", "departure_s"] == 8 * 3600 + 150  # a quarter of the way by shape distance


def test_only_arrival_or_departure(tmp_path: Path) -> None:
    rows = [("T1", "", "08:00:00", "S1", 1), ("T1", "08:05:00", "", "S2", 2)]
    feed, _ = _read(tmp_path, basic_files([("T1", "R1", "ALL", 1)], rows))
    assert list(feed.stop_times["arrival_s"]) == [28800, 29100]
    assert list(feed.stop_times["departure_s"]) == [28800, 29100]


@pytest.mark.parametrize("exact", ["0", "1"])
def test_frequencies_expand(tmp_path: Path, exact: str) -> None:
    files = basic_files([("F", "R1", "ALL", 1)], trip_rows("F", ["S1", "S2", "S3"], 0, 120))
    files["frequencies.txt"] = ("trip_id,start_time,end_time,headway_secs,exact_times\n"
                                f"F,07:00:00,08:00:00,1200,{exact}\n")
    feed, _ = _read(tmp_path, files)
    assert sorted(feed.trips["trip_id"]) == ["F@07:00:00", "F@07:20:00", "F@07:40:00"]
    t = feed.stop_times[feed.stop_times["trip_id"] == "F@07:20:00"]
    assert list(t["departure_s"]) == [26400, 26520, 26640]


def test_parent_station_and_station_not_boardable(tmp_path: Path) -> None:
    stops = ("stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
             "ST,Station,53.0,-1.2,1,\nS1,Platform 1,53.0,-1.2,0,ST\nS2,Other,53.0,-1.19,0,\n")
    files = basic_files([("T1", "R1", "ALL", 1)], trip_rows("T1", ["S1", "S2"], 28800), stops=stops)
    feed, rep = _read(tmp_path, files)
    assert feed.stops.set_index("stop_id").loc["S1", "parent_station"] == "ST"
    assert rep.ok and not rep.warnings  # the station is a parent, so not "unused"
    files = basic_files([("T1", "R1", "ALL", 1)], trip_rows("T1", ["ST", "S2"], 28800), stops=stops)
    with pytest.raises(FeedRefusedError) as exc:
        _read(tmp_path / "b", files)
    assert "not a boardable stop" in str(exc.value)


def test_calendar_dates_only_and_missing_optional(tmp_path: Path) -> None:
    files = basic_files([("T1", "R1", "XMAS", 1)], trip_rows("T1", ["S1", "S2"], 28800))
    del files["calendar.txt"]
    files["calendar_dates.txt"] = "service_id,date,exception_type\nXMAS,20261225,1\n"
    feed, _ = _read(tmp_path, files)
    assert feed.active_services(dt.date(2026, 12, 25)) == {"XMAS"}
    assert feed.active_services(dt.date(2026, 12, 24)) == set()
    assert feed.feed_info is None and feed.version.startswith("sha256-")


def test_calendar_exception_removes_service(tmp_path: Path) -> None:
    files = basic_files([("T1", "R1", "ALL", 1)], trip_rows("T1", ["S1", "S2"], 28800))
    files["calendar_dates.txt"] = "service_id,date,exception_type\nALL,20261225,2\n"
    feed, _ = _read(tmp_path, files)
    assert feed.active_services(dt.date(2026, 12, 25)) == set()
    assert feed.active_services(dt.date(2026, 12, 24)) == {"ALL"}


# --- errors --------------------------------------------------------------------------------


def _refused(tmp_path: Path, files: dict[str, str], **kw: object) -> ValidationReport:
    with pytest.raises(FeedRefusedError) as exc:
        read_gtfs(write_feed(tmp_path, files, **kw))  # type: ignore[arg-type]
    assert isinstance(exc.value, FeedError)
    return exc.value.report


def _good() -> dict[str, str]:
    return basic_files([("T1", "R1", "ALL", 1)], trip_rows("T1", ["S1", "S2", "S3"], 28800))


def test_error_missing_required_file(tmp_path: Path) -> None:
    files = _good()
    del files["stop_times.txt"]
    errs = _refused(tmp_path, files).errors
    assert errs[0].file == "stop_times.txt" and "missing" in errs[0].message


def test_error_missing_calendar_and_calendar_dates(tmp_path: Path) -> None:
    files = _good()
    del files["calendar.txt"]
    assert "calendar_dates" in _refused(tmp_path, files).errors[0].message


def test_error_missing_column(tmp_path: Path) -> None:
    files = _good()
    files["trips.txt"] = "route_id,trip_id\nR1,T1\n"
    e = _refused(tmp_path, files).errors[0]
    assert (e.file, e.line, e.column) == ("trips.txt", 1, "service_id")


def test_error_unknown_stop_and_trip(tmp_path: Path) -> None:
    files = _good()
    files["stop_times.txt"] += "T1,09:00:00,09:00:00,NOPE,9\nGHOST,09:00:00,09:00:00,S1,1\n"
    errs = _refused(tmp_path, files).errors
    found = {(e.line, e.column) for e in errs}
    assert (5, "stop_id") in found and (6, "trip_id") in found


def test_error_unknown_route_and_service(tmp_path: Path) -> None:
    files = _good()
    files["trips.txt"] += "RX,ALL,T2,x,1\nR1,NOSERVICE,T3,x,1\n"
    errs = _refused(tmp_path, files).errors
    assert {(e.line, e.column) for e in errs} == {(3, "route_id"), (4, "service_id")}


def test_error_repeated_stop_sequence(tmp_path: Path) -> None:
    files = _good()
    files["stop_times.txt"] += "T1,09:00:00,09:00:00,S4,3\n"
    errs = _refused(tmp_path, files).errors
    assert any("repeated" in e.message for e in errs)


def test_error_times_decreasing(tmp_path: Path) -> None:
    rows = [("T1", "08:00:00", "08:00:00", "S1", 1), ("T1", "07:59:00", "07:59:00", "S2", 2)]
    errs = _refused(tmp_path, basic_files([("T1", "R1", "ALL", 1)], rows)).errors
    assert errs[0].line == 3 and "backwards" in errs[0].message


def test_error_unparseable_time(tmp_path: Path) -> None:
    rows = [("T1", "8h00", "08:00:00", "S1", 1), ("T1", "08:10:00", "08:10:00", "S2", 2)]
    e = _refused(tmp_path, basic_files([("T1", "R1", "ALL", 1)], rows)).errors[0]
    assert (e.file, e.line, e.column) == ("stop_times.txt", 2, "arrival_time")


def test_error_truncated_zip(tmp_path: Path) -> None:
    path = write_feed(tmp_path, _good(), as_zip=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FeedRefusedError):
        read_gtfs(path)


def test_error_not_utf8(tmp_path: Path) -> None:
    files = _good()
    files["stops.txt"] = files["stops.txt"].replace("Stop S2", "Stöp S2")
    errs = _refused(tmp_path, files, encoding="latin-1").errors
    assert errs[0].file == "stops.txt" and errs[0].line == 3 and "UTF-8" in errs[0].message


def test_error_first_stop_blank(tmp_path: Path) -> None:
    rows = [("T1", "", "", "S1", 1), ("T1", "08:10:00", "08:10:00", "S2", 2)]
    report = _refused(tmp_path, basic_files([("T1", "R1", "ALL", 1)], rows))
    assert "need times" in report.errors[0].message


# --- warnings ------------------------------------------------------------------------------


def test_warnings_unused_stop_short_trip_unused_route(tmp_path: Path) -> None:
    files = basic_files([("T1", "R1", "ALL", 1), ("T2", "R1", "ALL", 1)],
                        trip_rows("T1", ["S1", "S2"], 28800) + trip_rows("T2", ["S3"], 28800),
                        routes=["R1", "R2"])
    files["stops.txt"] += "NOXY,No coordinates,,,0\n"
    feed, rep = _read(tmp_path, files)
    msgs = [w.message for w in rep.warnings]
    assert any("has 1 stop_times" in m for m in msgs)
    assert any("'S4' is not used" in m for m in msgs)
    assert any("'NOXY' is not used by any trip and has no coordinates" in m for m in msgs)
    assert any("'R2' has no trips" in m for m in msgs)
    assert list(feed.trips["trip_id"]) == ["T1"]  # the 1-stop trip is dropped

