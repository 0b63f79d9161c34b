"""The fictional sample timetable: a valid, reproducible GTFS feed with the intended service."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import zipfile
from pathlib import Path

import pandas as pd

from app.routing.feed import Feed, ValidationReport
from app.routing.gtfs_reader import read_gtfs
from ingest.registry import sniff_file
from ingest.sample import sample_region
from ingest.sample.timetable import (
    AGENCY_NAME,
    FEED_NAME,
    VALID_FROM,
    VALID_TO,
    sample_gtfs_tables,
    write_sample_gtfs,
)


def _read(tmp_path: Path) -> tuple[Path, Feed, ValidationReport]:
    path = write_sample_gtfs(tmp_path)
    feed, report = read_gtfs(path, name=FEED_NAME)
    return path, feed, report


def test_feed_passes_the_reader_without_errors_or_warnings(tmp_path: Path) -> None:
    path, feed, report = _read(tmp_path)
    assert report.errors == [] and report.warnings == []
    assert feed.validity() == (VALID_FROM, VALID_TO)
    # `ingest all` would recognise it too (stops inside Great Britain).
    found = sniff_file(path)
    assert found is not None and found.dataset.name == "gtfs" and found.skip is None


def test_feed_is_byte_identical_every_time(tmp_path: Path) -> None:
    a = write_sample_gtfs(tmp_path / "a").read_bytes()
    b = write_sample_gtfs(tmp_path / "b").read_bytes()
    assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()
    with zipfile.ZipFile(tmp_path / "a" / "fictionbury_sample_gtfs.zip") as zf:
        assert {"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt",
                "calendar.txt", "calendar_dates.txt", "feed_info.txt"} == set(zf.namelist())


def test_labelled_fictional_and_on_the_sample_stops() -> None:
    tables = sample_gtfs_tables()
    assert "(FICTIONAL SAMPLE)" in AGENCY_NAME and tables["agency.txt"][1][1] == AGENCY_NAME
    assert "SYNTHETIC" in str(tables["feed_info.txt"][1][0])  # flags the feed as test data
    r = sample_region()
    stop_ids = {row[0] for row in tables["stops.txt"][1:]}
    assert stop_ids == {s.atco_code for s in r.stops}
    routes = {row[0] for row in tables["routes.txt"][1:]}
    assert routes == {line.line_id for line in r.lines}


def _departures(tables: dict[str, list[list[object]]]) -> pd.DataFrame:
    """One row per trip: route, service, direction, first departure in minutes."""
    trips = pd.DataFrame(tables["trips.txt"][1:], columns=tables["trips.txt"][0])
    st = pd.DataFrame(tables["stop_times.txt"][1:], columns=tables["stop_times.txt"][0])
    first = st[st["stop_sequence"] == 1].set_index("trip_id")["departure_time"]
    trips["first"] = trips["trip_id"].map(first).map(
        lambda t: int(t[:2]) * 60 + int(t[3:5]))
    return trips


def test_service_pattern() -> None:
    trips = _departures(sample_gtfs_tables())
    # Every line runs both ways on weekdays, every 20-30 minutes from about 07:00.
    weekday = trips[trips["service_id"] == "XF-WEEKDAY"]
    last_times = []
    for (route, direction), g in weekday.groupby(["route_id", "direction_id"]):
        times = sorted(g["first"])
        gaps = {b - a for a, b in itertools.pairwise(times)}
        assert gaps <= set(range(20, 31)), (route, direction, gaps)
        assert 7 * 60 <= times[0] <= 7 * 60 + 30
        last_times.append(times[-1])
    assert len(last_times) == 6
    # The last bus leaves between 18:30 and 19:00 (evening sessions cannot get home).
    assert all(18 * 60 + 30 <= t <= 19 * 60 for t in last_times)
    counts = trips.groupby("service_id")["trip_id"].count()
    assert counts["XF-SATURDAY"] < counts["XF-WEEKDAY"] / 1.5  # sparser Saturday
    sunday_routes = set(trips[trips["service_id"] == "XF-SUNDAY"]["route_id"])
    assert sunday_routes and sunday_routes != set(trips["route_id"])  # one line has no Sunday


def test_calendar_is_fixed_and_skips_christmas() -> None:
    tables = sample_gtfs_tables()
    calendar = tables["calendar.txt"]
    assert all(row[-2:] == ["20250101", "20301231"] for row in calendar[1:])
    removed = {(row[0], row[1]) for row in tables["calendar_dates.txt"][1:]}
    assert ("XF-WEEKDAY", "20261225") in removed  # a Friday
    assert all(row[2] == 2 for row in tables["calendar_dates.txt"][1:])
    assert dt.date(2030, 12, 31) == VALID_TO


def test_wheelchair_flags_mostly_accessible() -> None:
    tables = sample_gtfs_tables()
    stops = [row[-1] for row in tables["stops.txt"][1:]]
    trips = [row[-1] for row in tables["trips.txt"][1:]]
    assert stops.count(1) / len(stops) >= 0.9 and 2 in stops
    assert trips.count(1) / len(trips) >= 0.9 and 2 in trips
