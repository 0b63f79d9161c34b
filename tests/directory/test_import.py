"""Importers on tiny files: geocoding, unplaced venues, rejections, --strict, idempotency, feeds."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, text

from app.directory.csv_template import TEMPLATE_COLUMNS
from app.settings import PROJECT_ROOT
from ingest.directory.detect import ACTIVITY_CSV, ORUK, VENUE_CSV, detect_format
from ingest.directory.load import load_source
from ingest.report import LoadRefused


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(TEMPLATE_COLUMNS))
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return path


def row(**kw: str) -> dict[str, str]:
    base = {"service_id": "svc-1", "service_name": "Walk", "organization": "Walkers",
            "category": "physical-activity", "venue_name": "Hall", "postcode": "NG18 1AA",
            "lat": "53.1436", "lon": "-1.1948", "day": "Wednesday", "start_time": "18:30",
            "end_time": "19:30", "frequency": "weekly", "cost_gbp": "0", "status": "active",
            "step_free": "true", "accepts_referrals": "true", "last_verified": "2026-10-01"}
    return base | kw


ROWS = [
    row(),
    # no coordinates: geocoded from the postcode table
    row(service_id="svc-2", service_name="Coffee morning", category="social-connection",
        venue_name="Newark Hall", postcode="NG24 1AB", lat="", lon="", day="first Tuesday",
        frequency="monthly", audiences="older-people;carers"),
    # a postcode not in the table and no coordinates: loaded, flagged as not placed
    row(service_id="svc-3", service_name="Craft club", category="arts-culture",
        venue_name="Nowhere Hall", postcode="NG99 9ZZ", lat="", lon="", frequency="fortnightly",
        schedule_valid_from="2026-01-07"),
    # bad on several counts: rejected with every reason
    row(service_id="svc-4", service_name="Bad", category="knitting", cost_gbp="-3",
        day="Funday", start_time="14:00", end_time="13:00"),
    # two rows of one listing (two weekdays)
    row(service_id="svc-5", service_name="Men's shed", day="Monday"),
    row(service_id="svc-5", service_name="Men's shed", day="Thursday"),
]


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("service", "location", "schedule", "cost_option", "organization")}


def test_csv_template_loads_good_rows_and_reports_bad(tiny_postcodes: Engine,
                                                      tmp_path: Path) -> None:
    path = write_csv(tmp_path / "acts.csv", ROWS)
    assert detect_format(path) == ACTIVITY_CSV
    report = load_source(tiny_postcodes, str(path), quiet=True)
    assert report.rows_read == 6 and report.rows_loaded == 5
    [rej] = report.rejected
    assert rej.file == "acts.csv" and rej.line == 5 and rej.column == "category"
    for bit in ("unknown category", "must not be negative", "unknown weekday",
                "ends before it starts"):
        assert bit in rej.reason
    assert any("could not be placed" in w and "NG99" not in w for w in report.warnings)
    with tiny_postcodes.connect() as conn:
        placed: dict[str, str | None] = dict(conn.execute(text(
            "SELECT l.name, l.geocoded_by FROM location l")).all())
        aud = conn.execute(text("SELECT audiences FROM service WHERE id = 'svc-2'")).scalar()
        byday = conn.execute(text("SELECT byday FROM schedule WHERE service_id = 'svc-2'")
                             ).scalar()
        lad = conn.execute(text("SELECT lad_code FROM location WHERE name = 'Newark Hall'")
                           ).scalar()
    assert placed == {"Hall": "source", "Newark Hall": "postcode", "Nowhere Hall": None}
    assert aud == ["older-adults", "carers"] and byday == "1TU" and lad == "E07000175"
    first = counts(tiny_postcodes)
    assert first == {"service": 4, "location": 3, "schedule": 5, "cost_option": 4,
                     "organization": 1}
    again = load_source(tiny_postcodes, str(path), quiet=True)  # idempotent
    assert again.rows_loaded == 5 and counts(tiny_postcodes) == first


def test_strict_refuses_the_whole_file(tiny_postcodes: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "acts.csv", ROWS)
    with pytest.raises(LoadRefused) as err:
        load_source(tiny_postcodes, str(path), strict=True, quiet=True)
    assert "--strict" in err.value.message and err.value.line == 5
    assert counts(tiny_postcodes)["service"] == 0


def test_missing_columns_refused(tiny_postcodes: Engine, tmp_path: Path) -> None:
    path = tmp_path / "acts.csv"
    path.write_text("service_id,service_name\nx,y\n", encoding="utf-8")
    with pytest.raises(LoadRefused) as err:
        load_source(tiny_postcodes, str(path), quiet=True)
    assert "missing required columns" in err.value.message


def test_venue_csv_loads_venues_without_services(tiny_postcodes: Engine, tmp_path: Path) -> None:
    path = tmp_path / "libs.csv"
    path.write_text(
        "id,name,authority,address,postcode,lat,lng,type,closed,closed_year\n"
        "1,Mansfield Library,Notts CC,Four Seasons,NG18 1AA,53.1436,-1.1948,CL,,\n"
        "2,Old Library,Notts CC,,NG24 1AB,,,,XL,2012\n"
        "3,Newark Library,Notts CC,Beaumond Gardens,NG24 1AB,,,CL,,\n"
        "4,Lost Library,Notts CC,,,,,CL,,\n", encoding="utf-8")
    assert detect_format(path) == VENUE_CSV
    report = load_source(tiny_postcodes, str(path), quiet=True)
    assert report.rows_read == 4 and report.rows_loaded == 3 and not report.rejected
    assert any("closed" in w for w in report.warnings)
    assert any("could not be placed" in w for w in report.warnings)
    assert counts(tiny_postcodes)["service"] == 0 and counts(tiny_postcodes)["location"] == 3
    load_source(tiny_postcodes, str(path), quiet=True)
    assert counts(tiny_postcodes)["location"] == 3


def oruk_service(i: int) -> dict[str, object]:
    sid = f"00000000-0000-4000-8000-00000000000{i}"
    return {
        "id": sid, "name": f"Group {i}", "status": "active", "assured_date": "2026-10-01",
        "organization": {"id": "00000000-0000-4000-8000-0000000000aa", "name": "Org"},
        "attributes": [{"link_type": "primary_category",
                        "taxonomy_term": {"term": "food"}}],
        "service_at_locations": [{"id": f"sal-{i}", "location": {
            "id": f"00000000-0000-4000-8000-0000000001{i:02d}", "name": f"Venue {i}",
            "latitude": 53.14, "longitude": -1.19,
            "addresses": [{"postal_code": "NG18 1AA", "address_1": "x", "city": "Mansfield"}]}}],
        "schedules": [{"id": f"sch-{i}", "service_at_location_id": f"sal-{i}", "freq": "WEEKLY",
                       "byday": "WE", "opens_at": "10:00", "closes_at": "11:00"}],
        "cost_options": [{"id": f"cost-{i}", "option": "Free", "amount": 0}],
    }


@pytest.fixture
def feed() -> Iterator[str]:
    """A local ORUK feed (127.0.0.1 only): 5 services, paged 2 at a time."""
    services = {s["id"]: s for s in (oruk_service(i) for i in range(1, 6))}
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            seen.append(url.path)
            if url.path == "/api/services":
                q = parse_qs(url.query)
                page, size = int(q.get("page", ["1"])[0]), 2
                items = list(services.values())
                chunk = items[(page - 1) * size: page * size]
                pages = (len(items) + size - 1) // size
                body = {"total_items": len(items), "total_pages": pages, "page_number": page,
                        "size": len(chunk), "first_page": page == 1,
                        "last_page": page >= pages, "empty": not chunk,
                        "contents": [{"id": s["id"], "name": s["name"]} for s in chunk]}
            elif url.path.startswith("/api/services/"):
                body = services.get(url.path.rsplit("/", 1)[-1])  # type: ignore[assignment]
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()
    server.server_close()
    assert "/api/services" in seen


def test_live_feed_is_paged_then_fetched_by_id(tiny_postcodes: Engine, feed: str) -> None:
    report = load_source(tiny_postcodes, feed, quiet=True)
    assert report.rows_read == 5 and report.rows_loaded == 5 and not report.rejected
    assert counts(tiny_postcodes)["service"] == 5
    load_source(tiny_postcodes, feed + "/services", quiet=True)  # either URL form
    assert counts(tiny_postcodes) == {"service": 5, "location": 5, "schedule": 5,
                                      "cost_option": 5, "organization": 1}


def test_unreachable_feed_is_refused_in_one_line(tiny_postcodes: Engine) -> None:
    with pytest.raises(LoadRefused) as err:
        load_source(tiny_postcodes, "http://127.0.0.1:9/api", quiet=True)
    assert "could not be reached" in err.value.message


def test_oruk_file_with_a_bad_record(tiny_postcodes: Engine, tmp_path: Path) -> None:
    bad = oruk_service(2) | {"schedules": [{"id": "x", "freq": "HOURLY"}], "name": ""}
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"total_items": 2, "contents": [oruk_service(1), bad]}))
    assert detect_format(path) == ORUK
    report = load_source(tiny_postcodes, str(path), quiet=True)
    assert report.rows_loaded == 1
    [rej] = report.rejected
    assert rej.line == 2 and "record 2" in rej.reason and "freq" in rej.reason
    assert "name: is required" in rej.reason


def test_cli_loads_and_creates_users(tiny_postcodes: Engine, tmp_path: Path) -> None:
    url = tiny_postcodes.url.render_as_string(hide_password=False)
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url}
    path = write_csv(tmp_path / "acts.csv", ROWS[:1])
    done = subprocess.run([sys.executable, "-m", "ingest", "activities", str(path)],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "activities-csv: loaded 1 of 1 rows" in done.stderr
    made = subprocess.run([sys.executable, "-m", "ingest", "create-user", "--username",
                           "lw1", "--role", "editor", "--password-stdin"], cwd=PROJECT_ROOT,
                          env=env, input="correct horse battery\n", capture_output=True,
                          text=True, check=False)
    assert made.returncode == 0, made.stderr
    assert "correct horse" not in made.stderr + made.stdout
    with tiny_postcodes.connect() as conn:
        stored = conn.execute(text("SELECT role, password_hash FROM app_user"
                                   " WHERE username = 'lw1'")).one()
    assert stored.role == "editor" and stored.password_hash.startswith("$argon2")
    dup = subprocess.run([sys.executable, "-m", "ingest", "create-user", "--username", "lw1",
                          "--role", "viewer", "--password-stdin"], cwd=PROJECT_ROOT, env=env,
                         input="another long password\n", capture_output=True, text=True,
                         check=False)
    assert dup.returncode == 2 and "already exists" in dup.stderr
