"""Tiny hand-made GTFS feeds written into a temp directory by the tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

AGENCY = "agency_id,agency_name,agency_url,agency_timezone\nA,Test Buses,https://example.org,Europe/London\n"
CALENDAR_ALL = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "ALL,1,1,1,1,1,1,1,20260101,20271231\n"
)

# A line of stops running east along latitude 53.0, about 1 km apart.
STOP_ROWS = [
    ("S1", 53.0, -1.200), ("S2", 53.0, -1.185), ("S3", 53.0, -1.170),
    ("S4", 53.0, -1.155), ("S5", 53.0, -1.140), ("S6", 53.0, -1.125),
]


def stops_txt(rows: list[tuple[str, float, float]] | None = None,
              wheelchair: dict[str, int] | None = None) -> str:
    """stops.txt text for (id, lat, lon) rows."""
    wheelchair = wheelchair or {}
    out = "stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding\n"
    for sid, lat, lon in rows or STOP_ROWS:
        out += f"{sid},Stop {sid},{lat},{lon},{wheelchair.get(sid, 1)}\n"
    return out


def write_feed(base: Path, files: dict[str, str], as_zip: bool = False,
               encoding: str = "utf-8") -> Path:
    """Write files into base/feed (directory) or base/feed.zip and return the path."""
    base.mkdir(parents=True, exist_ok=True)
    if as_zip:
        path = base / "feed.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for name, text in files.items():
                zf.writestr(name, text.encode(encoding))
        return path
    path = base / "feed"
    path.mkdir(exist_ok=True)
    for name, text in files.items():
        (path / name).write_bytes(text.encode(encoding))
    return path


StopTimeRow = tuple[str, str, str, str, int]


def basic_files(trips: list[tuple[str, str, str, int]], stop_times: list[StopTimeRow],
                routes: list[str] | None = None, extra: dict[str, str] | None = None,
                stops: str | None = None) -> dict[str, str]:
    """Files for a feed: trips (trip_id, route_id, service_id, wheelchair) and stop_times
    (trip_id, arrival, departure, stop_id, seq)."""
    routes = routes or sorted({t[1] for t in trips})
    files = {
        "agency.txt": AGENCY,
        "stops.txt": stops or stops_txt(),
        "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\n"
        + "".join(f"{r},A,{r},Route {r},3\n" for r in routes),
        "trips.txt": "route_id,service_id,trip_id,trip_headsign,wheelchair_accessible\n"
        + "".join(f"{r},{s},{t},To {r},{w}\n" for t, r, s, w in trips),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        + "".join(f"{t},{a},{d},{s},{q}\n" for t, a, d, s, q in stop_times),
        "calendar.txt": CALENDAR_ALL,
    }
    files.update(extra or {})
    return files


def hms(seconds: int) -> str:
    """Seconds -> H:MM:SS text."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def trip_rows(trip_id: str, stops: list[str], start_s: int, hop_s: int = 300) -> list[StopTimeRow]:
    """Stop_times rows of a trip visiting stops every hop_s seconds from start_s."""
    return [(trip_id, hms(start_s + i * hop_s), hms(start_s + i * hop_s), s, i + 1)
            for i, s in enumerate(stops)]
