"""Federation end to end: two ORUK feeds, an OpenActive RPDE feed and a CSV feed with
overlapping groups, served by a loopback HTTP server; merges, provenance, updates, bad pages."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.auth.users import create_user
from ingest.directory.feedrun import add_feed, run_due
from tests.directory.conftest import client_on
from tests.directory.feedserver import FeedServer, feed_server
from tests.ingest.helpers import fingerprint

NS = uuid.UUID("0c7a51b5-8a3f-4bb5-9d8a-6a1f2d3e4c5b")
VENUES = {"brookside": ("Brookside Chapel Hall", "NG17 1FU", 53.121786, -1.274587),
          "carr": ("Carr Bank Hall", "NG18 1AA", 53.143612, -1.194788),
          "newark": ("Castle Rooms", "NG24 1AB", 53.077359, -0.80959)}


def uid(*parts: str) -> str:
    return str(uuid.uuid5(NS, "|".join(parts)))


def oruk(feed: str, key: str, name: str, org: dict[str, Any], venue: str, byday: str,
         opens: str, closes: str, assured: str, **extra: Any) -> dict[str, Any]:
    """One full ORUK 3.0 service as a feed publishes it."""
    sid, lid = uid(feed, key), uid(feed, key, "loc")
    vname, pc, lat, lon = VENUES[venue]
    sal = uid(feed, key, "sal")
    return {
        "id": sid, "name": name, "status": "active", "assured_date": assured,
        "last_modified": extra.pop("last_modified", "2025-01-01T00:00:00Z"),
        "organization_id": org["id"], "organization": org,
        "service_at_locations": [{"id": sal, "service_id": sid, "location_id": lid,
                                  "location": {
                                      "id": lid, "location_type": "physical", "name": vname,
                                      "latitude": lat, "longitude": lon,
                                      "addresses": [{"id": uid(lid, "a"), "address_1": vname,
                                                     "city": "Notts", "state_province": "Notts",
                                                     "postal_code": pc, "country": "GB",
                                                     "address_type": "physical"}],
                                      "accessibility": extra.pop("accessibility", [])}}],
        "schedules": [{"id": uid(sid, "sch"), "service_id": sid, "service_at_location_id": sal,
                       "freq": "WEEKLY", "interval": 1, "byday": byday, "opens_at": opens,
                       "closes_at": closes}],
        "cost_options": [{"id": uid(sid, "cost"), "service_id": sid, "amount": 2}],
        **extra}


def org(feed: str, name: str, charity: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": uid(feed, "org", name), "name": name, "description": name}
    if charity:
        out["organization_identifiers"] = [{"id": uid(feed, "oi", name),
                                            "identifier_scheme": "GB-CHC",
                                            "identifier_type": "Charity number",
                                            "identifier": charity}]
    return out


def play_oruk(server: FeedServer, prefix: str, services: list[dict[str, Any]]) -> None:
    """Serve an ORUK 3.0 API (pages of 2, honouring modified_after) at `prefix`."""
    def listing(q: dict[str, str]) -> tuple[int, Any]:
        items = [s for s in services if s["last_modified"] >= q.get("modified_after", "")]
        page, per = int(q.get("page", 1)), 2
        pages = max(1, (len(items) + per - 1) // per)
        chunk = items[(page - 1) * per: page * per]
        return 200, {"total_items": len(items), "total_pages": pages, "page_number": page,
                     "size": len(chunk), "first_page": page == 1, "last_page": page >= pages,
                     "empty": not chunk, "contents": [{k: s[k] for k in ("id", "name",
                                                                          "status")}
                                                      for s in chunk]}
    server.routes[prefix + "/services"] = listing
    for s in services:
        server.json(f"{prefix}/services/{s['id']}", s)


def series(key: str, name: str, org_name: str, venue: str, day: str, start: str, end: str
           ) -> dict[str, Any]:
    vname, pc, lat, lon = VENUES[venue]
    return {"@type": "SessionSeries", "@id": f"https://oa.example/series/{key}", "name": name,
            "organizer": {"@type": "Organization", "name": org_name},
            "location": {"@type": "Place", "name": vname,
                         "address": {"postalCode": pc, "streetAddress": vname},
                         "geo": {"latitude": lat + 0.0003, "longitude": lon},
                         "amenityFeature": [{"name": "Step-free access", "value": True}]},
            "eventSchedule": [{"repeatFrequency": "P1W", "byDay": [f"https://schema.org/{day}"],
                               "startTime": start, "endTime": end}],
            "offers": [{"price": 3.5}]}


def play_rpde(server: FeedServer, pages: list[list[dict[str, Any]]]) -> None:
    """RPDE pages chained by afterTimestamp/afterId; the last next URL answers no items."""
    after = "0"
    for items in pages:
        last = items[-1] if items else None
        nxt_ts = str(last["modified"]) if last else after
        nxt_id = last["id"] if last else ""
        body = {"items": items, "next": f"/oa/feed?afterTimestamp={nxt_ts}&afterId={nxt_id}",
                "license": "https://creativecommons.org/licenses/by/4.0/"}
        server.routes[f"/oa/feed#{after}"] = (lambda b: lambda _q: (200, b))(body)
        after = nxt_ts

    def feed(q: dict[str, str]) -> tuple[int, Any]:
        key = f"/oa/feed#{q.get('afterTimestamp', '0')}"
        route = server.routes.get(key)
        if route is None:
            return 200, {"items": [], "next": f"/oa/feed?afterTimestamp={q.get('afterTimestamp')}"
                         f"&afterId={q.get('afterId', '')}"}
        return route(q)
    server.routes["/oa/feed"] = feed


def item(key: str, modified: int, data: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": key, "modified": modified,
                           "state": "updated" if data else "deleted", "kind": "SessionSeries"}
    if data:
        out["data"] = data
    return out


def council_services(phone: str = "01623 000001", alert: str | None = None,
                     modified: str = "2025-01-01T00:00:00Z") -> list[dict[str, Any]]:
    cafe = oruk("council", "cafe", "Memory Café", org("council", "Brookside Chapel", "1234567"),
                "brookside", "TH", "10:00", "12:00", "2025-01-10", last_modified=modified,
                description="A café for people living with dementia and their carers.",
                contacts=[{"id": uid("c1"), "name": "Jo", "phones": [{"id": uid("p1"),
                                                                      "number": phone}]}],
                accessibility=[{"id": uid("acc1"), "description": "Hearing loop; step-free"}])
    if alert:
        cafe["alert"] = alert
    walk = oruk("council", "walk", "Walking for Health Mansfield",
                org("council", "Mansfield Walkers"), "carr", "WE", "10:00", "11:00",
                "2024-06-01")
    lunch = oruk("council", "lunch", "Newark Lunch Club", org("council", "Newark Lunch Club"),
                 "newark", "TU", "12:00", "14:00", "2024-05-01")
    return [cafe, walk, lunch]


def cvs_services() -> list[dict[str, Any]]:
    cafe = oruk("cvs", "memory", "Memory Cafe (Brookside)",
                org("cvs", "Brookside Community Church", "01234567"), "brookside", "TH", "10:15",
                "12:00", "2025-03-01", description="Memory café run by volunteers.",
                email="cafe@example.org")
    carers = oruk("cvs", "carers", "Carers' Coffee Morning", org("cvs", "Carers Together"),
                  "carr", "FR", "10:00", "11:30", "2025-02-01")
    return [cafe, carers]


CSV_HEADER = ("service_id,service_name,organization,category,venue_name,postcode,day,"
              "start_time,end_time,frequency,cost_gbp,last_verified,accessibility")
CSV_ROW = ("pcn-1,Newark Lunch Club,Newark Lunch Club Ltd,food,Castle Rooms,NG24 1AB,Tuesday,"
           "12:00,14:00,weekly,4,2024-02-01,dementia friendly;accessible toilet")


@pytest.fixture
def world(tiny_postcodes: Engine, tmp_path: Path) -> Iterator[tuple[Engine, FeedServer, Path]]:
    with tiny_postcodes.begin() as conn:
        create_user(conn, "ada", "admin-password-1", "admin")
    csv_path = tmp_path / "pcn.csv"
    csv_path.write_text(CSV_HEADER + "\n" + CSV_ROW + "\n", encoding="utf-8")
    with feed_server() as server:
        play_oruk(server, "/council", council_services())
        play_oruk(server, "/cvs", cvs_services())
        play_rpde(server, [[item("walk-1", 100, series(
            "walk-1", "Walking for Health - Mansfield", "Mansfield Walkers", "carr",
            "Wednesday", "10:00", "11:00")), item("yoga", 101, series(
                "yoga", "Chair Yoga", "Active Newark", "newark", "Monday", "14:00", "15:00"))]])
        with tiny_postcodes.begin() as conn:
            add_feed(conn, "council", "oruk-api", server.base + "/council", None)
            add_feed(conn, "cvs", "oruk-api", server.base + "/cvs/", 60)
            add_feed(conn, "openactive", "openactive", server.base + "/oa/feed", None)
            add_feed(conn, "pcn", "csv", str(csv_path), None)
        yield tiny_postcodes, server, csv_path


def q(engine: Engine, sql: str, **p: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), p).all())


def listing_named(engine: Engine, like: str) -> str:
    rows = q(engine, "SELECT id FROM service WHERE name ILIKE :n", n=like)
    assert len(rows) == 1, (like, rows)
    return str(rows[0].id)


def login(api: TestClient) -> dict[str, str]:
    r = api.post("/api/auth/token", data={"username": "ada", "password": "admin-password-1"})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_overlapping_feeds_become_one_set_of_listings(world: tuple[Engine, FeedServer, Path]
                                                      ) -> None:
    engine, _, _ = world
    runs = run_due(engine, quiet=True)
    assert [r.ok for r in runs] == [True] * 4, [r.error for r in runs]
    # 3 council + 1 new from the CVS + 1 new from OpenActive; the CSV's club is the council's.
    names = sorted(r.name for r in q(engine, "SELECT name FROM service"))
    assert names == ["Carers' Coffee Morning", "Chair Yoga", "Memory Cafe (Brookside)",
                     "Newark Lunch Club", "Walking for Health Mansfield"], names
    cafe = listing_named(engine, "Memory Caf%")
    feeds = {r.feed for r in q(engine, "SELECT f.name AS feed FROM source_record r JOIN"
                                       " feed_source f ON f.id = r.feed_id WHERE"
                                       " r.service_id = :s", s=cafe)}
    assert feeds == {"council", "cvs"}
    prov = {r.field: r.feed for r in q(engine, "SELECT field, feed FROM field_provenance"
                                               " WHERE service_id = :s", s=cafe)}
    # Most recently verified wins (the CVS, 2025-03-01); the council's phone is kept.
    assert prov["name"] == "cvs" and prov["description"] == "cvs" and prov["email"] == "cvs"
    assert prov["contact_phone"] == "council"
    conflicts = {r.field for r in q(engine, "SELECT field FROM merge_conflict WHERE"
                                            " service_id = :s AND resolved_at IS NULL", s=cafe)}
    assert {"name", "description"} <= conflicts
    # One organisation: the same charity number, written differently by each feed.
    orgs = q(engine, "SELECT o.id FROM organization o JOIN organization_identifier i ON"
                     " i.organization_id = o.id WHERE i.identifier = '1234567'")
    assert len(orgs) == 1
    [why] = q(engine, "SELECT reason FROM listing_merge WHERE entity = 'organization'"
                      " AND kept_id = :o", o=orgs[0].id)
    assert why.reason == "same GB-CHC number 1234567"
    assert q(engine, "SELECT count(DISTINCT organization_id) FROM service WHERE name ILIKE"
                     " 'Memory%'")[0][0] == 1
    walk = listing_named(engine, "Walking for Health%")
    assert {r.feed for r in q(engine, "SELECT f.name AS feed FROM source_record r JOIN"
                                      " feed_source f ON f.id = r.feed_id WHERE"
                                      " r.service_id = :s", s=walk)} == {"council", "openactive"}
    lunch = listing_named(engine, "Newark Lunch Club")
    assert q(engine, "SELECT count(*) FROM source_record WHERE service_id = :s",
             s=lunch)[0][0] == 2
    with client_on(engine) as api:
        full = api.get(f"/api/oruk/services/{cafe}").json()
        assert {s["feed"] for s in full["sources"]} == {"council", "cvs"}
        assert full["name"] == "Memory Cafe (Brookside)" and full["email"] == "cafe@example.org"
        acc = {a["description"] for a in full["service_at_locations"][0]["location"][
            "accessibility"]}
        assert {"Hearing loop", "Step-free"} <= acc
        detail = api.get(f"/api/activities/{cafe}").json()
        assert detail["provenance"]["name"]["feed"] == "cvs"
        assert detail["provenance"]["contact_phone"]["feed"] == "council"
        assert detail["provenance"]["contact_phone"]["fetched_at"]
        mine = api.get(f"/api/activities/{lunch}").json()
        assert {s["feed"] for s in mine["sources"]} == {"council", "pcn"}


def test_an_update_in_one_feed_changes_only_its_fields(world: tuple[Engine, FeedServer, Path]
                                                       ) -> None:
    engine, server, _ = world
    run_due(engine, quiet=True)
    cafe = listing_named(engine, "Memory Caf%")
    lunch = listing_named(engine, "Newark Lunch Club")
    before = {r.field: (r.feed, r.fetched_at) for r in q(
        engine, "SELECT field, feed, fetched_at FROM field_provenance WHERE service_id = :s",
        s=cafe)}
    lunch_version = q(engine, "SELECT version FROM service WHERE id = :s", s=lunch)[0][0]
    play_oruk(server, "/council", council_services(phone="01623 999999",
                                                   alert="No café in August",
                                                   modified=(datetime.now(UTC) + timedelta(
                                                       minutes=5)).isoformat()))
    server.seen.clear()
    [run] = run_due(engine, ["council"], quiet=True)
    assert run.ok and run.records == 1  # incremental: only what changed since the last pull
    assert all("modified_after" in x for x in server.requests_to("/council/services"))
    row = q(engine, "SELECT name, description, contact_phone, alert, email FROM service"
                    " WHERE id = :s", s=cafe)[0]
    assert (row.contact_phone, row.alert) == ("01623 999999", "No café in August")
    assert (row.name, row.description, row.email) == ("Memory Cafe (Brookside)",
                                                      "Memory café run by volunteers.",
                                                      "cafe@example.org")
    after = {r.field: (r.feed, r.fetched_at) for r in q(
        engine, "SELECT field, feed, fetched_at FROM field_provenance WHERE service_id = :s",
        s=cafe)}
    for field, (feed, fetched) in before.items():
        if feed == "cvs":
            assert after[field] == (feed, fetched), field  # the CVS's fields are untouched
    assert after["alert"][0] == "council" and after["contact_phone"][1] > before[
        "contact_phone"][1]
    assert q(engine, "SELECT version FROM service WHERE id = :s", s=lunch)[0][0] == lunch_version


def test_a_bad_page_stops_that_feed_and_keeps_the_last_good_copy(
        world: tuple[Engine, FeedServer, Path]) -> None:
    engine, server, _ = world
    run_due(engine, quiet=True)
    tables = ("service", "location", "schedule", "source_record", "field_provenance")
    before = fingerprint(engine, tables)
    cursor = q(engine, "SELECT cursor FROM feed_source WHERE name = 'openactive'")[0][0]
    server.json("/cvs/services", "{not json", status=200)
    server.routes["/oa/feed"] = lambda _q: (200, {"items": [{"id": "x", "state": "updated"}],
                                                  "next": "/oa/feed?afterTimestamp=999"})
    server.json("/council/services", {"error": "down"}, status=500)
    runs = {r.feed: r for r in run_due(engine, ["council", "cvs", "openactive"], quiet=True)}
    assert not any(r.ok for r in runs.values())
    assert "feed 'cvs'" in str(runs["cvs"].error) and "not return JSON" in str(
        runs["cvs"].error)
    assert "HTTP 500" in str(runs["council"].error) and "/council/services" in str(
        runs["council"].error)
    assert "item x is updated but has no data" in str(runs["openactive"].error)
    assert fingerprint(engine, tables) == before  # nothing written
    state = {r.name: r for r in q(engine, "SELECT name, last_error, cursor FROM feed_source")}
    assert state["cvs"].last_error and state["pcn"].last_error is None
    assert state["openactive"].cursor == cursor  # the next pull starts where the good one ended


def test_openactive_is_incremental_and_deletes(world: tuple[Engine, FeedServer, Path]) -> None:
    engine, server, _ = world
    run_due(engine, quiet=True)
    cursor = q(engine, "SELECT cursor FROM feed_source WHERE name = 'openactive'")[0][0]
    assert "afterTimestamp=101" in cursor["next"] and "afterId=yoga" in cursor["next"]
    later = series("yoga", "Chair Yoga", "Active Newark", "newark", "Monday", "15:00", "16:00")
    server.routes["/oa/feed#101"] = lambda _q: (200, {
        "items": [item("yoga", 200, later), item("walk-1", 201, None)],
        "next": "/oa/feed?afterTimestamp=201&afterId=walk-1"})
    server.seen.clear()
    [run] = run_due(engine, ["openactive"], quiet=True)
    assert run.ok and run.records == 2 and run.deleted == 1
    first = server.requests_to("/oa/feed")[0]
    assert (first["afterTimestamp"], first["afterId"]) == ("101", "yoga")
    yoga = listing_named(engine, "Chair Yoga")
    assert str(q(engine, "SELECT opens_at FROM schedule WHERE service_id = :s", s=yoga)[0][0]
               ) == "15:00:00"
    # OpenActive deleted its copy of the walk; the council's copy keeps it running.
    walk = listing_named(engine, "Walking for Health%")
    assert q(engine, "SELECT status FROM service WHERE id = :s", s=walk)[0][0] == "active"
    assert q(engine, "SELECT deleted FROM source_record WHERE source_id = 'walk-1'")[0][0]
    server.routes["/oa/feed#201"] = lambda _q: (200, {
        "items": [item("yoga", 300, None)], "next": "/oa/feed?afterTimestamp=300&afterId=yoga"})
    run_due(engine, ["openactive"], quiet=True)
    # Yoga came only from OpenActive: deleted there, it has ended here (kept for history).
    assert q(engine, "SELECT status FROM service WHERE id = :s", s=yoga)[0][0] == "ended"


def test_admin_undoes_a_merge_and_it_stays_undone(world: tuple[Engine, FeedServer, Path]
                                                  ) -> None:
    engine, server, _ = world
    run_due(engine, quiet=True)
    walk = listing_named(engine, "Walking for Health%")
    with client_on(engine) as api:
        merges = api.get("/api/admin/merges", params={"service_id": walk},
                         headers=login(api)).json()["merges"]
        [m] = [x for x in merges if x["entity"] == "service"]
        assert m["feed"] == "openactive" and "same venue" in m["reason"]
        assert api.post(f"/api/admin/merges/{m['id']}/undo").status_code == 401
        r = api.post(f"/api/admin/merges/{m['id']}/undo", headers=login(api))
        assert r.status_code == 200, r.text
        assert len(r.json()["listings"]) == 2
    assert len(q(engine, "SELECT id FROM service WHERE name ILIKE 'Walking for Health%'")) == 2
    play_rpde(server, [[item("walk-1", 300, series(
        "walk-1", "Walking for Health - Mansfield", "Mansfield Walkers", "carr", "Wednesday",
        "10:00", "11:00"))]])
    with engine.begin() as conn:
        conn.execute(text("UPDATE feed_source SET cursor = '{}' WHERE name = 'openactive'"))
    run_due(engine, ["openactive"], quiet=True)
    assert len(q(engine, "SELECT id FROM service WHERE name ILIKE 'Walking for Health%'")) == 2
    assert q(engine, "SELECT count(*) FROM source_record WHERE service_id = :s", s=walk
             )[0][0] == 1


def test_timer_runs_only_due_feeds(world: tuple[Engine, FeedServer, Path]) -> None:
    engine, _, _ = world
    assert len(run_due(engine, quiet=True)) == 4
    # The CVS feed asks for an hour between pulls; the others run on every tick.
    assert sorted(r.feed for r in run_due(engine, quiet=True)) == ["council", "openactive",
                                                                    "pcn"]


@pytest.mark.realdata
def test_the_merged_directory_passes_the_oruk_walk(world: tuple[Engine, FeedServer, Path],
                                                    geodata: Path) -> None:
    from tests.directory.oruk_walk import Walker, reference_dir

    engine, _, _ = world
    run_due(engine, quiet=True)
    with client_on(engine) as api:
        report = Walker(reference_dir(geodata),
                        lambda p, params: api.get("/api/oruk" + p, params=params),
                        per_page=2).walk()
    assert report.errors == [] and report.details["/services/{id}"] == 5


def test_cli_adds_lists_and_runs_an_oruk_json_feed(tiny_postcodes: Engine, tmp_path: Path
                                                    ) -> None:
    from tests.ingest.helpers import run_cli

    path = tmp_path / "directory.json"
    path.write_text(json.dumps({"contents": cvs_services()}), encoding="utf-8")
    added = run_cli(tiny_postcodes, "feeds", "add", "file", "--kind", "oruk-json", "--url",
                    path)
    assert added.returncode == 0, added.stderr
    ran = run_cli(tiny_postcodes, "feeds", "run")
    assert ran.returncode == 0, ran.stderr
    assert "feed file: 2 records from 1 pages" in ran.stderr
    assert len(q(tiny_postcodes, "SELECT id FROM service")) == 2
    path.write_text("{broken", encoding="utf-8")
    failed = run_cli(tiny_postcodes, "feeds", "run", "file")
    assert failed.returncode == 1 and "feed 'file'" in failed.stderr
    assert "FAILED, nothing changed (last good copy kept)" in failed.stderr
    assert "Traceback" not in failed.stderr
    listed = run_cli(tiny_postcodes, "feeds", "list")
    assert "file\toruk-json" in listed.stdout and "FAILING" in listed.stdout
    assert len(q(tiny_postcodes, "SELECT id FROM service")) == 2
    unknown = run_cli(tiny_postcodes, "feeds", "run", "nope")
    assert unknown.returncode != 0 and "no enabled feed" in unknown.stderr


@pytest.mark.realdata
def test_our_own_oruk_api_federates_into_another_directory(real_dir: Engine,
                                                           tiny_postcodes: Engine,
                                                           tmp_path: Path) -> None:
    from tests.server import running_server

    url = real_dir.url.render_as_string(hide_password=False)
    with running_server(url, tmp_path) as srv:
        with tiny_postcodes.begin() as conn:
            add_feed(conn, "midnotts", "oruk-api", srv["url"] + "/api/oruk", None)
        [first] = run_due(tiny_postcodes, quiet=True)
        assert first.ok and first.records == 162 and not first.rejected, first.error
        [again] = run_due(tiny_postcodes, quiet=True)
        assert again.ok and again.records == 0  # nothing modified since the last pull
    names = {r.name for r in q(real_dir, "SELECT name FROM service")}
    assert {r.name for r in q(tiny_postcodes, "SELECT name FROM service")} == names
    # The copies are the same listings under the same ORUK ids, with the same schedules.
    same = q(tiny_postcodes, "SELECT count(*) FROM service s WHERE EXISTS (SELECT 1 FROM"
                             " schedule sc WHERE sc.service_id = s.id)")[0][0]
    assert same == q(real_dir, "SELECT count(*) FROM service s WHERE EXISTS (SELECT 1 FROM"
                               " schedule sc WHERE sc.service_id = s.id)")[0][0]


def test_direct_oruk_import_keeps_registered_numbers(tiny_postcodes: Engine, tmp_path: Path
                                                     ) -> None:
    from ingest.directory.load import load_source

    path = tmp_path / "one.json"
    path.write_text(json.dumps(council_services()[:1]), encoding="utf-8")
    load_source(tiny_postcodes, str(path), quiet=True)
    rows = q(tiny_postcodes, "SELECT identifier_scheme, identifier FROM organization_identifier")
    assert [tuple(r) for r in rows] == [("GB-CHC", "1234567")]
    with client_on(tiny_postcodes) as api:
        sid = q(tiny_postcodes, "SELECT id FROM service")[0][0]
        org = api.get(f"/api/oruk/services/{sid}").json()["organization"]
        assert org["organization_identifiers"][0]["identifier"] == "1234567"
