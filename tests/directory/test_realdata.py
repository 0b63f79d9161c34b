"""The illustrative ORUK directory loaded for real: counts, idempotency, filters, ORUK schemas."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import Engine, create_engine, text

from app.directory.occurrences import WEEKDAYS
from app.services.directory.filters import ActivityFilters
from app.services.directory.sessions import sessions_between
from app.settings import get_settings
from ingest.directory.load import load_source
from tests.dbutil import copy_database, drop_database

pytestmark = pytest.mark.realdata


def sample(geodata: Path) -> list[dict[str, Any]]:
    data = json.loads((geodata / "community_assets" / "oruk_sample_midnotts.json").read_text())
    return data["contents"]


def postcode_point(geodata: Path, pcds: str) -> tuple[float, float]:
    with open(geodata / "postcodes" / "codepoint_open_2014_ng_and_notts.csv") as fh:
        for r in csv.DictReader(fh):
            if r["pcds"] == pcds:
                return float(r["lat"]), float(r["lon"])
    raise AssertionError(pcds)


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def terms(obj: dict[str, Any]) -> set[str]:
    return {t["taxonomy_term"]["term"] for item in obj.get("accessibility", [])
            for t in item.get("attributes", [])}


def is_free(svc: dict[str, Any]) -> bool:
    return all((c.get("amount") or 0) == 0 for c in svc["cost_options"])


def is_stale(svc: dict[str, Any]) -> bool:
    days = get_settings().stale_after_days
    verified = date.fromisoformat(svc["assured_date"])
    # Loaded dates are noon UTC; stale when older than the stale period (as the SQL says).
    return datetime.combine(verified, datetime.min.time().replace(hour=12)) < (
        datetime.utcnow() - timedelta(days=days))


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("service", "organization", "schedule", "service_at_location")} | {
            "hosting_locations": conn.execute(text(
                "SELECT count(DISTINCT location_id) FROM service_at_location")).scalar_one(),
            "locations": conn.execute(text("SELECT count(*) FROM location")).scalar_one()}


def test_counts_and_idempotent_reload(real_dir: Engine, geodata: Path) -> None:
    first = table_counts(real_dir)
    assert first["service"] == 162 and first["organization"] == 56
    assert first["hosting_locations"] == 79 and first["schedule"] == 173
    # 76 open libraries, 30 of them also in the ORUK file: 79 + 46 bare venues.
    assert first["locations"] == 125
    report = load_source(real_dir, str(geodata / "community_assets" /
                                       "oruk_sample_midnotts.json"), quiet=True)
    assert (report.rows_read, report.rows_loaded, len(report.rejected)) == (162, 162, 0)
    assert table_counts(real_dir) == first
    with real_dir.connect() as conn:
        unplaced = conn.execute(text("SELECT count(*) FROM location WHERE geom IS NULL")
                                ).scalar_one()
        no_district = conn.execute(text("SELECT count(*) FROM location WHERE lad_code IS NULL")
                                   ).scalar_one()
    assert unplaced == 0 and no_district == 0


@pytest.fixture(scope="module")
def csv_dir(admin_url: str, template_db: str, geodata: Path) -> Iterator[Engine]:
    url = copy_database(admin_url, template_db, prefix="wr_dircsv")
    engine = create_engine(url, future=True)
    yield engine
    engine.dispose()
    drop_database(admin_url, url)


def test_csv_sample_loads_the_same_listings(csv_dir: Engine, real_dir: Engine,
                                            geodata: Path) -> None:
    path = geodata / "community_assets" / "activities_sample_midnotts.csv"
    report = load_source(csv_dir, str(path), quiet=True)
    assert (report.rows_read, report.rows_loaded, len(report.rejected)) == (173, 173, 0)
    again = load_source(csv_dir, str(path), quiet=True)
    assert again.rows_loaded == 173
    got = table_counts(csv_dir)
    assert (got["service"], got["organization"], got["schedule"], got["hosting_locations"]) == (
        162, 56, 173, 79)
    # Both forms of the sample give exactly the same dated sessions.
    start, end = date(2026, 11, 23), date(2027, 2, 28)
    every = ActivityFilters(status=None)
    with csv_dir.connect() as a, real_dir.connect() as b:
        from_csv = {(s.activity_id, s.date, s.start, s.location_id)
                    for s in sessions_between(a, start, end, every)}
        from_json = {(s.activity_id, s.date, s.start, s.location_id)
                     for s in sessions_between(b, start, end, every)}
    assert from_csv == from_json and len(from_csv) > 1000


def expected_wed_evening(geodata: Path, centre: tuple[float, float], radius: float,
                         free: bool | None) -> set[str]:
    today = date.today()
    out = set()
    for svc in sample(geodata):
        if svc["status"] != "active" or (free is not None and is_free(svc) != free):
            continue
        evening = any("WE" in (s.get("byday") or "") and s["opens_at"] >= "18:00"
                      and (not s.get("valid_to") or date.fromisoformat(s["valid_to"]) >= today)
                      for s in svc["schedules"])
        near = any("step-free-access" in terms(sal["location"])
                   and haversine_m(centre, (sal["location"]["latitude"],
                                            sal["location"]["longitude"])) <= radius
                   for sal in svc["service_at_locations"])
        if evening and near:
            out.add(svc["id"])
    return out


# The example (5 km, free) finds nothing in the sample: a real gap, and the answer must
# still agree with the file. Wider searches find the Kirkby youth group and more.
@pytest.mark.parametrize(("radius", "free", "at_least"), [
    (5000, True, 0), (7000, True, 1), (30000, None, 2), (30000, False, 1)])
def test_free_step_free_wednesday_evening_near_ng18(real_api: TestClient, geodata: Path,
                                                    radius: int, free: bool | None,
                                                    at_least: int) -> None:
    centre = postcode_point(geodata, "NG18 1AA")
    expected = expected_wed_evening(geodata, centre, radius, free)
    params: dict[str, Any] = {"near": "NG18 1AA", "radius_m": radius, "step_free": "true",
                              "day": "wed", "from": "18:00", "per_page": 200}
    if free is not None:
        params["free"] = str(free).lower()
    resp = real_api.get("/api/activities", params=params)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert len(expected) >= at_least
    assert {a["id"] for a in body["activities"]} == expected and body["total"] == len(expected)
    distances = [a["distance_m"] for a in body["activities"]]
    for a in body["activities"]:
        assert a["distance_m"] <= radius and a["step_free"]
        # PostGIS measures on the spheroid, haversine on a sphere: within 0.5 %.
        assert math.isclose(a["distance_m"], haversine_m(centre, (a["lat"], a["lon"])),
                            rel_tol=0.005, abs_tol=2)
    assert distances == sorted(distances) or any(a["stale"] for a in body["activities"])


def test_more_filters_against_the_file(real_api: TestClient, geodata: Path) -> None:
    services = sample(geodata)
    active = [s for s in services if s["status"] == "active"]

    def ids(**params: Any) -> set[str]:
        r = real_api.get("/api/activities", params={"per_page": 200, **params})
        assert r.status_code == 200, r.text
        assert r.json()["total"] == len(r.json()["activities"])
        return {a["id"] for a in r.json()["activities"]}

    def cats(s: dict[str, Any]) -> set[str]:
        return {a["taxonomy_term"]["term"] for a in s["attributes"]
                if a["link_type"] in ("primary_category", "category")}

    def access(s: dict[str, Any]) -> set[str]:
        return {a["taxonomy_term"]["term"] for a in s["attributes"]
                if a["link_type"] == "access_route"}

    assert ids() == {s["id"] for s in active}
    assert ids(status="all") == {s["id"] for s in services}
    assert ids(status="paused") == {s["id"] for s in services
                                    if s["status"] == "temporarily closed"}
    assert ids(category="physical-activity") == {s["id"] for s in active
                                                 if "physical-activity" in cats(s)}
    assert ids(audience="young-people-16-25", age=18) == {
        s["id"] for s in active
        if any(a["taxonomy_term"]["term"] == "young-people-16-25" for a in s["attributes"])
        and (s.get("minimum_age") or 0) <= 18 <= (s.get("maximum_age") or 200)}
    assert ids(accepts_referrals="true", drop_in="true") == {
        s["id"] for s in active
        if {"accepts-social-prescribing-referrals", "drop-in"} <= access(s)}
    assert ids(max_cost=2) == {s["id"] for s in active
                               if min((c["amount"] for c in s["cost_options"]), default=0) <= 2}
    assert ids(include_stale="false") == {s["id"] for s in active if not is_stale(s)}
    walking = ids(q="walking")
    assert walking and all("walk" in (s["name"] + s["description"]).lower()
                           for s in services if s["id"] in walking)


def test_stale_rank_below_fresh_and_paging(real_api: TestClient) -> None:
    seen: list[dict[str, Any]] = []
    page = 1
    while True:
        r = real_api.get("/api/activities", params={"per_page": 40, "page": page}).json()
        seen.extend(r["activities"])
        if page >= r["pages"]:
            break
        page += 1
    assert len(seen) == r["total"] == len({a["id"] for a in seen})
    flags = [a["stale"] for a in seen]
    assert flags == sorted(flags) and True in flags and False in flags


def test_bad_filters_are_422_naming_the_field(real_api: TestClient) -> None:
    for params, field in (({"day": "funday"}, "day"), ({"category": "knitting"}, "category"),
                          ({"near": "40.7,-74.0"}, "near"), ({"from": "25:99"}, "from"),
                          ({"radius_m": 500}, "radius_m"), ({"near": "NOT A PC"}, "near"),
                          ({"max_cost": -1}, "max_cost")):
        r = real_api.get("/api/activities", params=params)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["field"] == field


def test_detail_has_four_weeks_of_sessions_and_an_etag(real_api: TestClient,
                                                       geodata: Path) -> None:
    svc = next(s for s in sample(geodata)
               if s["status"] == "active" and s["schedules"][0]["freq"] == "WEEKLY"
               and s["schedules"][0]["interval"] == 1 and len(s["schedules"]) == 1
               and not s["schedules"][0].get("valid_to"))
    r = real_api.get(f"/api/activities/{svc['id']}")
    assert r.status_code == 200 and r.headers["etag"] == '"v1"'
    body = r.json()
    sessions = body["upcoming_sessions"]
    assert len(sessions) == 4  # weekly over 28 days
    day = WEEKDAYS.index(svc["schedules"][0]["byday"])
    for s in sessions:
        d = date.fromisoformat(s["date"])
        assert d.weekday() == day and date.today() <= d < date.today() + timedelta(days=28)
        assert s["start"] == svc["schedules"][0]["opens_at"] and s["lat"] and s["venue_name"]
    assert real_api.get("/api/activities/nope").status_code == 404


def test_stale_listings_per_district(real_api: TestClient, geodata: Path) -> None:
    r = real_api.get("/api/activities/stale").json()
    expected = {s["id"] for s in sample(geodata)
                if is_stale(s) and s["status"] in ("active", "temporarily closed")}
    got = {a["id"] for d in r["districts"] for a in d["activities"]}
    assert got == expected and r["total"] == len(expected)
    names = {d["district"] for d in r["districts"]}
    assert names <= {"Ashfield", "Mansfield", "Newark and Sherwood", "Gedling"}


def test_sessions_between_for_the_finder(real_dir: Engine) -> None:
    f = ActivityFilters(day=2, time_from=datetime.strptime("18:00", "%H:%M").time(),
                        free=True)
    start = date(2026, 11, 23)
    with real_dir.connect() as conn:
        got = sessions_between(conn, start, start + timedelta(days=27), f)
    assert got and got == sorted(got, key=lambda s: (s.date, s.start, s.details[
        "activity_name"], s.activity_id))
    for s in got:
        assert s.date.weekday() == 2 and s.start is not None and s.start.hour >= 18
        assert s.details["free"] and s.lat is not None and s.details["venue_name"]
        assert str(s.to_dict()["start_at"]).endswith("+00:00")  # GMT in winter


def schema_registry(geodata: Path) -> tuple[Path, Registry[Any]]:
    folder = geodata.parent / "reference" / "oruk" / "schema"
    resources = []
    for path in list(folder.glob("*.json")) + list((folder / "compiled").glob("*.json")):
        contents = json.loads(path.read_text())
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        resources.append((str(path.relative_to(folder)), resource))
    return folder, Registry().with_resources(resources)


def validator(geodata: Path, name: str) -> Draft202012Validator:
    folder, registry = schema_registry(geodata)
    schema = json.loads((folder / name).read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def assert_valid(v: Draft202012Validator, doc: Any) -> None:
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def page_validator(geodata: Path) -> Draft202012Validator:
    folder = geodata.parent / "reference" / "oruk" / "schema"
    page = json.loads((folder / "openapi.json").read_text())["components"]["schemas"]["Page"]
    return Draft202012Validator(page)


def test_oruk_services_validate(real_api: TestClient, geodata: Path) -> None:
    listing, full = validator(geodata, "compiled/service_list.json"), validator(
        geodata, "compiled/service.json")
    pager = page_validator(geodata)
    r = real_api.get("/api/oruk/services", params={"per_page": 100})
    body = r.json()
    assert r.status_code == 200 and body["total_items"] == 162 and body["total_pages"] == 2
    assert body["first_page"] and not body["last_page"] and body["size"] == 100
    assert_valid(pager, body)
    for item in body["contents"]:
        assert_valid(listing, item)
    last = real_api.get("/api/oruk/services", params={"per_page": 100, "page": 2,
                                                      "full": "true"}).json()
    assert last["last_page"] and last["size"] == 62
    for item in last["contents"]:
        assert_valid(full, item)
    one = real_api.get(f"/api/oruk/services/{body['contents'][0]['id']}").json()
    assert_valid(full, one)
    assert one["schedules"] and one["service_at_locations"][0]["location"]["latitude"]


def test_oruk_round_trip_keeps_the_content(real_api: TestClient, geodata: Path) -> None:
    for svc in sample(geodata)[:20]:
        out = real_api.get(f"/api/oruk/services/{svc['id']}").json()
        assert out["status"] == svc["status"] and out["name"] == svc["name"]
        assert {(s["byday"], s["opens_at"], s.get("interval")) for s in out["schedules"]} == {
            (s["byday"], s["opens_at"], s.get("interval")) for s in svc["schedules"]}
        assert {c["amount"] for c in out["cost_options"]} == {
            c["amount"] for c in svc["cost_options"]}
        assert out["assured_date"] == svc["assured_date"]
        # Every feed attribute survives, ours replacing the feed's own category/audience terms.
        kept = {(a["link_type"], a["taxonomy_term"]["term"]) for a in out["attributes"]}
        assert {(a["link_type"], a["taxonomy_term"]["term"]) for a in svc["attributes"]} <= kept


def test_oruk_filters_and_taxonomies(real_api: TestClient, geodata: Path) -> None:
    taxes = real_api.get("/api/oruk/taxonomies").json()
    tax_v = validator(geodata, "taxonomy.json")
    term_v = validator(geodata, "taxonomy_term.json")
    for t in taxes["contents"]:
        assert_valid(tax_v, t)
    terms_page = real_api.get("/api/oruk/taxonomy_terms").json()
    for t in terms_page["contents"]:
        assert_valid(term_v, t)
    food = next(t for t in terms_page["contents"] if t["term"] == "food")
    services = sample(geodata)

    def total(**params: Any) -> int:
        r = real_api.get("/api/oruk/services", params=params)
        assert r.status_code == 200, r.text
        return int(r.json()["total_items"])

    assert total(taxonomy_term_id=food["id"]) == sum(
        any(a["taxonomy_term"]["term"] == "food" for a in s["attributes"]
            if a["link_type"] in ("primary_category", "category")) for s in services)
    assert total(minimum_age=60) == sum((s.get("minimum_age") or -1) >= 60 for s in services)
    assert total(day="Saturday") == sum(any("SA" in sc["byday"] and not (
        sc.get("valid_to") and date.fromisoformat(sc["valid_to"]) < date.today())
        for sc in s["schedules"]) for s in services)
    assert total(text="lunch") >= 1
    centre = postcode_point(geodata, "NG18 1AA")
    assert total(postcode="NG18 1AA", proximity=2000) == sum(any(
        haversine_m(centre, (x["location"]["latitude"], x["location"]["longitude"])) <= 2000
        for x in s["service_at_locations"]) for s in services)
    assert real_api.get("/api/oruk/services", params={"day": "someday"}).status_code == 422
    # Terms imported from the feed (activity type, access route) are served and filter too.
    walking = next(t for t in terms_page["contents"] if t.get("term") == "walking-group")
    assert total(taxonomy_term_id=walking["id"]) == sum(
        any(a["taxonomy_term"]["term"] == "walking-group" for a in s["attributes"])
        for s in services)
    assert total(taxonomy_id=walking["taxonomy_id"]) == sum(
        any(a["link_type"] == "activity_type" for a in s["attributes"]) for s in services)
    one_tax = real_api.get(f"/api/oruk/taxonomies/{walking['taxonomy_id']}").json()
    assert_valid(tax_v, one_tax)
    assert any(t["id"] == walking["id"] for t in one_tax["taxonomy_terms"])
    assert real_api.get("/api/oruk/services",
                        params={"taxonomy_term_id": "nope"}).status_code == 404


def test_exports_and_cors(real_api: TestClient, csv_dir: Engine, tmp_path: Path) -> None:
    r = real_api.get("/api/activities/export.csv", params={"status": "all"},
                     headers={"Origin": "https://example.org"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 173 and len({x["service_id"] for x in rows}) == 162
    path = tmp_path / "export.csv"
    path.write_text(r.text, encoding="utf-8")
    report = load_source(csv_dir, str(path), quiet=True)  # the export is a valid template
    assert report.rows_loaded == 173 and not report.rejected
    geo = real_api.get("/api/activities/export.geojson", params={"category": "food"})
    fc = geo.json()
    assert geo.headers["content-type"].startswith("application/geo+json")
    assert fc["type"] == "FeatureCollection" and fc["features"]
    assert all(f["geometry"]["type"] == "Point" for f in fc["features"])
    tmpl = real_api.get("/api/activities/template.csv")
    assert tmpl.status_code == 200 and tmpl.text.startswith("service_id,service_name,")
