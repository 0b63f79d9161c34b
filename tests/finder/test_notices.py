"""Data notices follow the data: a real-looking feed and directory carry none."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from app.services.notices import DIRECTORY, SAMPLE_REGION, TIMETABLE, data_notices
from tests.ingest.helpers import run_cli

FEED = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
                  "A,Real Buses Ltd,https://buses.invalid,Europe/London\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
                 "S1,High Street,53.140,-1.190\nS2,Market Place,53.150,-1.200\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_type\nR1,A,1,3\n",
    "trips.txt": "route_id,service_id,trip_id\nR1,WK,T1\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                      "T1,09:00:00,09:00:00,S1,1\nT1,09:10:00,09:10:00,S2,2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
                    "start_date,end_date\nWK,1,1,1,1,1,0,0,20260101,20271231\n",
    "feed_info.txt": "feed_publisher_name,feed_publisher_url,feed_lang,feed_version\n"
                     "Real Buses Ltd,https://buses.invalid,en,2026-11\n",
}


def _notices(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return data_notices(conn)


def test_notices_follow_the_loaded_data(fresh_db: Engine, tmp_path: Path,
                                        geodata: Path) -> None:
    assert _notices(fresh_db) == []
    feed = tmp_path / "real_feed"
    feed.mkdir()
    for name, body in FEED.items():
        (feed / name).write_text(body)
    assert run_cli(fresh_db, "gtfs", feed, "--name", "real", "--quiet").returncode == 0
    assert _notices(fresh_db) == []  # a real-looking timetable gets no warning

    synthetic = geodata / "transport" / "midnotts_synthetic_gtfs.zip"
    assert run_cli(fresh_db, "gtfs", synthetic, "--quiet").returncode == 0
    assert _notices(fresh_db) == [TIMETABLE]

    with fresh_db.begin() as conn:
        conn.execute(text(
            "INSERT INTO service (id, name, description, status, oruk_status, categories, "
            "audiences, accepts_referrals, delivery_mode, version, last_modified, oruk_extra) "
            "VALUES ('x1', 'Lunch club', 'Illustrative sample record: fictional.', 'active', "
            "'active', '{}', '{}', false, 'in-person', 1, now(), '{}')"))
        conn.execute(text(
            "INSERT INTO dataset_version (dataset, source_file, sha256, publisher, licence, "
            "attribution, vintage, row_count, details) VALUES ('sample-region', 'x', 'x', "
            "'x', 'x', 'x', 'x', 0, '{}')"))
    assert _notices(fresh_db) == [TIMETABLE, DIRECTORY, SAMPLE_REGION]
