"""The ORUK 3.0 API walked as the ORUK validator does, on the illustrative Mid-Notts directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.directory import access, vocab
from tests.directory.oruk_walk import Walker, reference_dir

pytestmark = pytest.mark.realdata
BASE = "/api/oruk"


def walker(api: TestClient, geodata: Path, **kw: Any) -> Walker:
    return Walker(reference_dir(geodata), lambda p, q: api.get(BASE + p, params=q), **kw)


def test_walk_every_endpoint_with_no_schema_error(real_api: TestClient, geodata: Path) -> None:
    report = walker(real_api, geodata, per_page=40).walk()
    assert report.errors == []
    # Every list was paged to the end and every id chained to its detail.
    assert report.items["/services"] == 162 and report.details["/services/{id}"] == 162
    assert report.items["/service_at_locations"] >= 162
    assert report.details["/service_at_locations/{id}"] == report.items["/service_at_locations"]
    assert report.items["/taxonomies"] >= 3 and report.details["/taxonomies/{id}"] >= 3
    assert report.details["/taxonomy_terms/{id}"] == report.items["/taxonomy_terms"]


def _envelope(api: TestClient, path: str, **params: Any) -> dict[str, Any]:
    r = api.get(BASE + path, params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.parametrize("path", ["/services", "/service_at_locations"])
def test_every_listed_filter_answers_valid_pages(real_api: TestClient, geodata: Path,
                                                 path: str) -> None:
    w = walker(real_api, geodata)
    term = vocab.TAXONOMY_BY_KEY["category"].term_id("food")
    step_free = access.TAXONOMY.term_id("step-free")
    cases: list[dict[str, Any]] = [
        {"search": "lunch"}, {"text": "walk"}, {"taxonomy_term_id": term},
        {"taxonomy_id": vocab.TAXONOMY_BY_KEY["audience"].id},
        {"taxonomy_term_id": step_free}, {"minimum_age": 60}, {"maximum_age": 25},
        {"day": "TU"}, {"day": "Wednesday", "start_time": "18:00"}, {"end_time": "12:00"},
        {"modified_after": "2000-01-01T00:00:00Z"}, {"postcode": "NG18 1AA", "proximity": 3000},
        {"postcode": "NG18 1AA"}, {"full": "true"},
    ]
    for params in cases:
        ids = w.walk_list(path, params)
        assert ids or params.get("maximum_age") == 25, params
    assert w.report.errors == []


def test_filters_mean_what_the_spec_says(real_api: TestClient) -> None:
    every = _envelope(real_api, "/services", per_page=1000)["contents"]
    older = _envelope(real_api, "/services", minimum_age=60, per_page=1000)["contents"]
    assert older and all(s["minimum_age"] >= 60 for s in older) and len(older) < len(every)
    tue = _envelope(real_api, "/services", day="TU", full="true", per_page=1000)["contents"]
    assert tue and all(any("TU" in (x.get("byday") or "") for x in s["schedules"]) for s in tue)
    eve = _envelope(real_api, "/services", start_time="18:00", full="true",
                    per_page=1000)["contents"]
    assert eve and all(any(x["opens_at"] >= "18:00" for x in s["schedules"]) for s in eve)
    near = _envelope(real_api, "/service_at_locations", postcode="NG18 1AA", proximity=2000,
                     per_page=1000)["contents"]
    assert near and all(item["distance_m"] <= 2000 for item in near)
    assert [i["distance_m"] for i in near] == sorted(i["distance_m"] for i in near)
    future = _envelope(real_api, "/services", modified_after="2999-01-01T00:00:00Z")
    assert future["total_items"] == 0 and future["empty"] and future["contents"] == []
    food = vocab.TAXONOMY_BY_KEY["category"].term_id("food")
    got = _envelope(real_api, "/services", taxonomy_term_id=food, full="true", per_page=1000)
    assert got["contents"] and all(any(a["taxonomy_term_id"] == food for a in s["attributes"])
                                   for s in got["contents"])


def test_minimal_ndjson_and_freshness_fields(real_api: TestClient) -> None:
    minimal = _envelope(real_api, "/services", minimal="true", per_page=5)["contents"]
    assert set(minimal[0]) >= {"id", "last_modified", "last_verified", "stale"}
    r = real_api.get(BASE + "/services", params={"format": "ndjson"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(x) for x in r.text.splitlines()]
    assert len(lines) == _envelope(real_api, "/services")["total_items"] > 50  # not one page
    assert all("stale" in x and "last_verified" in x for x in lines)
    sal = real_api.get(BASE + "/service_at_locations", params={"format": "ndjson"})
    assert len(sal.text.splitlines()) == _envelope(real_api, "/service_at_locations"
                                                   )["total_items"]
    one = _envelope(real_api, "/services", per_page=1)["contents"][0]
    full = real_api.get(f"{BASE}/services/{one['id']}").json()
    assert full["stale"] in (True, False) and full["last_verified"] is not None
    assert full["assured_date"] == full["last_verified"][:10]


@pytest.mark.parametrize("params", [
    {"page": 10**12}, {"per_page": 10**9}, {"page": 0}, {"per_page": 0}, {"page": "x"},
    {"proximity": 5}, {"postcode": "NG18 1AA", "proximity": 10**9}, {"day": "funday"},
    {"start_time": "25:99"}, {"modified_after": "yesterday"}, {"format": "xml"},
    {"minimum_age": -1}, {"full": "true", "minimal": "true"},
])
def test_bad_or_huge_values_are_4xx_naming_the_field(real_api: TestClient,
                                                      params: dict[str, Any]) -> None:
    for path in ("/services", "/service_at_locations"):
        if "minimal" in params and path != "/services":
            continue
        r = real_api.get(BASE + path, params=params)
        assert 400 <= r.status_code < 500, (path, params, r.status_code)
        assert r.json()["error"] and r.json().get("field"), r.json()


def test_unknown_ids_are_404_and_the_api_is_open(real_api: TestClient) -> None:
    for path in ("/services/nope", "/service_at_locations/nope", "/taxonomies/nope",
                 "/taxonomy_terms/nope"):
        assert real_api.get(BASE + path).status_code == 404
    r = real_api.get(BASE + "/services")
    assert r.headers["access-control-allow-origin"] == "*"
    root = real_api.get(BASE + "/").json()
    assert root["version"] == "3.0" and root["openapi_url"].startswith("http")


def test_huge_pages_of_the_activities_api_are_422(real_api: TestClient) -> None:
    r = real_api.get("/api/activities", params={"page": 10**20})
    assert r.status_code == 422 and r.json()["field"] == "page"


def test_ids_that_are_not_uuids_are_published_as_uuids(tiny_postcodes: Any, tmp_path: Path,
                                                       geodata: Path) -> None:
    from ingest.directory.load import load_source
    from tests.directory.conftest import client_on

    csv = tmp_path / "acts.csv"
    csv.write_text(
        "service_id,service_name,organization,category,venue_name,postcode,location_id,day,"
        "start_time,end_time,frequency\n"
        "svc-1,Knit and natter,Carr Bank Crafters,social-connection,Carr Bank Hall,NG18 1AA,"
        "hall-1,Monday,10:00,12:00,weekly\n", encoding="utf-8")
    load_source(tiny_postcodes, str(csv), quiet=True)
    with client_on(tiny_postcodes) as api:
        report = walker(api, geodata).walk()
        assert report.errors == [] and report.details["/services/{id}"] == 1
        listed = api.get(BASE + "/services").json()["contents"][0]
        assert listed["id"] != "svc-1" and api.get(f"{BASE}/services/{listed['id']}").json()[
            "name"] == "Knit and natter"
        sal = api.get(BASE + "/service_at_locations").json()["contents"][0]
        assert sal["service_id"] == listed["id"] and sal["location_id"] == sal["location"]["id"]


def test_postcode_without_proximity_means_the_service_area_covers_it(real_api: TestClient
                                                                     ) -> None:
    lad = "E07000174"  # Mansfield, the district of NG18 1AA
    got = _envelope(real_api, "/services", postcode="NG18 1AA", full="true",
                    per_page=1000)["contents"]
    assert got
    for s in got:
        gss = [a["extent"] for a in s["service_areas"] if a.get("extent_type") == "gss_code"]
        assert not gss or lad in gss, (s["name"], gss)
    every = _envelope(real_api, "/services", full="true", per_page=1000)["contents"]
    covering = {s["id"] for s in every if any(a.get("extent") == lad
                                              for a in s["service_areas"])}
    assert covering <= {s["id"] for s in got}
    # With a proximity it is distance from the postcode instead, whatever the service area.
    near = _envelope(real_api, "/service_at_locations", postcode="NG18 1AA", proximity=10000,
                     per_page=1000)["contents"]
    assert {i["service_id"] for i in near} - {s["id"] for s in got}
