"""A tiny hand-made GTFS feed written into a test's temp folder (never the real data)."""

from __future__ import annotations

from pathlib import Path

AGENCY = "agency_id,agency_name,agency_url,agency_timezone\nT,Tiny Buses,https://example.org,Europe/London\n"
STOPS = (
    "stop_id,stop_name,stop_lat,stop_lon\n"
    "T1,First Street,53.0000,-1.2000\n"
    "T2,Second Street,53.0000,-1.1850\n"
    "T3,Third Street,53.0000,-1.1700\n"
)
ROUTES = "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,T,1,Tiny line,3\n"
TRIPS = ("route_id,service_id,trip_id,trip_headsign\n"
         "R1,ALL,TR1,Third Street\nR1,ALL,TR2,Third Street\n")
STOP_TIMES = (
    "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "TR1,08:00:00,08:00:00,T1,1\nTR1,08:05:00,08:05:00,T2,2\nTR1,08:10:00,08:10:00,T3,3\n"
    "TR2,09:00:00,09:00:00,T1,1\nTR2,,,T2,2\nTR2,09:10:00,09:10:00,T3,3\n"
)
CALENDAR = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "ALL,1,1,1,1,1,1,1,20260101,20261231\n"
)


def write_tiny_feed(folder: Path, *, version: str = "v1", extra_stop: bool = False,
                    bad_stop_time: bool = False, frequencies: bool = False) -> Path:
    """Write a 3-stop, 2-trip feed; options add a warning, an error or frequencies."""
    folder.mkdir(parents=True, exist_ok=True)
    stops = STOPS + ("T9,Unused Stop,53.01,-1.2\n" if extra_stop else "")
    st = STOP_TIMES + ("TR2,09:20:00,09:20:00,NOPE,4\n" if bad_stop_time else "")
    files = {
        "agency.txt": AGENCY, "stops.txt": stops, "routes.txt": ROUTES, "trips.txt": TRIPS,
        "stop_times.txt": st, "calendar.txt": CALENDAR,
        "feed_info.txt": ("feed_publisher_name,feed_publisher_url,feed_lang,feed_version\n"
                          f"Test,https://example.org,en,{version}\n"),
    }
    if frequencies:
        files["frequencies.txt"] = ("trip_id,start_time,end_time,headway_secs\n"
                                    "TR1,07:00:00,08:00:00,1200\n")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
