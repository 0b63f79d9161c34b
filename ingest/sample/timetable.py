"""A FICTIONAL bus timetable for the sample region, as a GTFS zip loaded like any other feed.

The three sample lines (`sample_region().lines`) each become one route run in both
directions: weekdays every 20-30 minutes from about 07:00 with the last buses leaving
18:30-19:00 (so evening sessions show "can get there but not back"), a sparser Saturday, a
Sunday service on two lines only, and no buses on Christmas Day. Dates are fixed (2025-2030),
not taken from the clock, so the feed is byte-identical on every machine and in CI.

The zip goes through `ingest.transit.gtfs_load.load_gtfs`, the code behind
`python -m ingest gtfs`, under the feed name `sample-region` (dataset `gtfs:sample-region`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import math
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from app.settings import get_settings
from ingest.sample.region import SEED, SampleLine, SampleRegion, SampleStop, sample_region
from ingest.transit.gtfs_load import load_gtfs

FEED_NAME = "sample-region"
DATASET = f"gtfs:{FEED_NAME}"  # how load_gtfs names the provenance row
ZIP_NAME = "fictionbury_sample_gtfs.zip"
VALID_FROM = dt.date(2025, 1, 1)
VALID_TO = dt.date(2030, 12, 31)
AGENCY_ID = "XFB"
AGENCY_NAME = "Fictionbury Buses (FICTIONAL SAMPLE)"
# "SYNTHETIC" makes app.services.transit.feeds flag the feed as test data, not a timetable.
PUBLISHER = "Within Reach sample generator (SYNTHETIC, FICTIONAL SAMPLE: not a real timetable)"
EXAMPLE_URL = "https://example.org/fictionbury-fictional-sample"  # reserved domain (RFC 2606)
BUS_KMH = 20.0  # average speed including stops: sets the minutes between stops
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member timestamps keep the zip byte-identical

# Calendar services shared by all lines: id -> days it runs (Monday first).
SERVICES: dict[str, tuple[int, ...]] = {
    "XF-WEEKDAY": (1, 1, 1, 1, 1, 0, 0),
    "XF-SATURDAY": (0, 0, 0, 0, 0, 1, 0),
    "XF-SUNDAY": (0, 0, 0, 0, 0, 0, 1),
}


@dataclass(frozen=True)
class Pattern:
    """Departures from each terminus: first and last (minutes after midnight) and headway."""

    service_id: str
    first: int
    last: int
    every: int

    def departures(self) -> range:
        """Departure minutes from the first stop of a trip."""
        return range(self.first, self.last + 1, self.every)


def _hm(hours: int, minutes: int = 0) -> int:
    return hours * 60 + minutes


# Line id -> its timetable. F2 has no Sunday buses; every line's last bus leaves by 19:00.
PATTERNS: dict[str, tuple[Pattern, ...]] = {
    "F1": (Pattern("XF-WEEKDAY", _hm(7), _hm(19), 20),
           Pattern("XF-SATURDAY", _hm(8), _hm(18), 40),
           Pattern("XF-SUNDAY", _hm(9, 30), _hm(17, 30), 60)),
    "F2": (Pattern("XF-WEEKDAY", _hm(7), _hm(18, 30), 30),
           Pattern("XF-SATURDAY", _hm(9), _hm(17), 60)),
    "F3": (Pattern("XF-WEEKDAY", _hm(7, 15), _hm(18, 45), 30),
           Pattern("XF-SATURDAY", _hm(9, 15), _hm(16, 15), 60),
           Pattern("XF-SUNDAY", _hm(10), _hm(16), 120)),
}
STEPPED_STOP = "Windmill Hill"  # its kerbs are too low for a ramp: wheelchair_boarding 2
OLD_BUS_EVERY = 4  # every 4th F3 weekday trip uses an older bus without a ramp


Table = list[list[object]]


def _distance_m(a: SampleStop, b: SampleStop) -> float:
    """Great-circle distance between two stops."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def run_minutes(stops: list[SampleStop]) -> list[int]:
    """Minutes from the first stop to each stop of a trip (at least one minute per hop)."""
    out = [0]
    for a, b in itertools.pairwise(stops):
        out.append(out[-1] + max(1, round(_distance_m(a, b) / 1000 / BUS_KMH * 60)))
    return out


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _stop_rows(r: SampleRegion) -> Table:
    rows: Table = [["stop_id", "stop_code", "stop_name", "stop_lat", "stop_lon",
                    "location_type", "wheelchair_boarding"]]
    for s in r.stops:
        # ATCO codes as stop ids, as UK feeds do, so the loader matches them to NaPTAN.
        stepped = s.name.startswith(STEPPED_STOP)
        rows.append([s.atco_code, s.naptan_code, s.name, f"{s.lat:.6f}", f"{s.lon:.6f}", 0,
                     2 if stepped else 1])
    return rows


def _trips(r: SampleRegion) -> tuple[Table, Table]:
    """trips.txt and stop_times.txt rows for every line, direction and pattern."""
    by_atco = {s.atco_code: s for s in r.stops}
    trips: Table = [["route_id", "service_id", "trip_id", "trip_headsign", "direction_id",
                     "wheelchair_accessible"]]
    times: Table = [["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"]]
    for line in r.lines:
        for direction in (0, 1):
            stops = [by_atco[a] for a in line.stops[direction]]
            offsets = run_minutes(stops)
            headsign = stops[-1].name
            for pattern in PATTERNS[line.line_id]:
                for n, start in enumerate(pattern.departures()):
                    trip_id = (f"{line.line_id}-{direction}-{pattern.service_id[3:5]}-"
                               f"{start // 60:02d}{start % 60:02d}")
                    old_bus = (line.line_id == "F3" and pattern.service_id == "XF-WEEKDAY"
                               and n % OLD_BUS_EVERY == OLD_BUS_EVERY - 1)
                    trips.append([line.line_id, pattern.service_id, trip_id, headsign,
                                  direction, 2 if old_bus else 1])
                    for seq, (stop, off) in enumerate(zip(stops, offsets, strict=True), 1):
                        t = _clock(start + off)
                        times.append([trip_id, t, t, stop.atco_code, seq])
    return trips, times


def _routes(lines: tuple[SampleLine, ...]) -> Table:
    rows: Table = [["route_id", "agency_id", "route_short_name", "route_long_name",
                    "route_type", "route_desc"]]
    for line in lines:
        rows.append([line.line_id, AGENCY_ID, line.line_id, line.name, 3,
                     "FICTIONAL sample route in the fictional town of Fictionbury"])
    return rows


def _calendar() -> tuple[Table, Table]:
    cal: Table = [["service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                   "saturday", "sunday", "start_date", "end_date"]]
    dates: Table = [["service_id", "date", "exception_type"]]
    for sid, days in SERVICES.items():
        cal.append([sid, *days, VALID_FROM.strftime("%Y%m%d"), VALID_TO.strftime("%Y%m%d")])
        for year in range(VALID_FROM.year, VALID_TO.year + 1):
            christmas = dt.date(year, 12, 25)
            if days[christmas.weekday()]:
                dates.append([sid, christmas.strftime("%Y%m%d"), 2])  # no buses on 25 Dec
    return cal, dates


def sample_gtfs_tables(region: SampleRegion | None = None) -> dict[str, Table]:
    """Every GTFS file of the sample feed as rows (header first), in file order."""
    r = region or sample_region()
    trips, stop_times = _trips(r)
    calendar, calendar_dates = _calendar()
    tables: dict[str, Table] = {
        "agency.txt": [["agency_id", "agency_name", "agency_url", "agency_timezone",
                        "agency_lang"],
                       [AGENCY_ID, AGENCY_NAME, EXAMPLE_URL, "Europe/London", "en"]],
        "stops.txt": _stop_rows(r),
        "routes.txt": _routes(r.lines),
        "trips.txt": trips,
        "stop_times.txt": stop_times,
        "calendar.txt": calendar,
        "calendar_dates.txt": calendar_dates,
    }
    # The version names the content, so a changed generator reloads as a new feed version.
    digest = hashlib.sha256(b"".join(_csv_bytes(t) for t in tables.values())).hexdigest()
    tables["feed_info.txt"] = [
        ["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date",
         "feed_end_date", "feed_version"],
        [PUBLISHER, EXAMPLE_URL, "en", VALID_FROM.strftime("%Y%m%d"),
         VALID_TO.strftime("%Y%m%d"), f"fictionbury-{SEED}-{digest[:10]}"]]
    return tables


def _csv_bytes(rows: Table) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_sample_gtfs(folder: Path, region: SampleRegion | None = None) -> Path:
    """Write the sample feed as a GTFS zip in `folder` (created if needed); return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ZIP_NAME
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, rows in sample_gtfs_tables(region).items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, _csv_bytes(rows))
    return path


def load_sample_timetable(engine: Engine, *, quiet: bool = False) -> int:
    """Write the sample feed to a temporary folder and load it as `ingest gtfs` does."""
    with tempfile.TemporaryDirectory(prefix="fictionbury-gtfs-") as tmp:
        path = write_sample_gtfs(Path(tmp))
        result = load_gtfs(engine, path, get_settings().cache_dir, name=FEED_NAME, quiet=quiet)
    return result.load_report.rows_loaded


def remove_sample_timetable(conn: Connection) -> None:
    """Delete the sample feed (its rows go by cascade) and its provenance rows."""
    conn.execute(text("DELETE FROM gtfs_feed WHERE name = :n"), {"n": FEED_NAME})
    conn.execute(text("DELETE FROM dataset_version WHERE dataset = :d"), {"d": DATASET})
