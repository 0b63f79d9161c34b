"""The gap API over HTTP on a live server: layers, CSV, detail, what-if and input errors."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

pytestmark = pytest.mark.realdata

LADYBROOK = {"lat": 53.1405, "lon": -1.2268}


def test_ward_layer_geojson_has_metrics_need_and_class(gaps_site: dict[str, str]) -> None:
    r = httpx.get(gaps_site["url"] + "/api/gaps", params={
        "level": "ward", "band": "weekday_evening", "audience": "young", "budget": 45},
        timeout=60)
    assert r.status_code == 200
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) >= 180
    meta = fc["meta"]
    assert meta["budgets"] == [30, 45, 60] and meta["population_band"] == "16-24"
    assert meta["stale"] is False and meta["parameters"]["week"][0] == "2026-11-23"
    props = fc["features"][0]["properties"]
    for key in ("activities_mean", "activities_share", "sessions_mean", "e2sfca",
                "nearest_min", "imd_score", "health_score", "barriers_score", "gap_class",
                "gap_score", "in_region", "population"):
        assert key in props
    assert fc["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_csv_download(gaps_site: dict[str, str]) -> None:
    r = httpx.get(gaps_site["url"] + "/api/gaps", params={
        "level": "lsoa", "band": "weekday_day", "category": "food", "format": "csv"},
        timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 684 and rows[0]["category"] == "food" and rows[0]["budget"] == "45"


def test_detail_of_a_mansfield_ward(gaps_site: dict[str, str]) -> None:
    fc = httpx.get(gaps_site["url"] + "/api/gaps", params={"level": "ward", "district":
                                                          "E07000174"}, timeout=60).json()
    code = fc["features"][0]["properties"]["code"]
    d = httpx.get(gaps_site["url"] + f"/api/gaps/ward/{code}", timeout=60).json()
    assert d["lad_code"] == "E07000174" and d["population"]["total"] > 0
    assert "16-24" in d["population"] and "65+" in d["population"]
    assert d["need"]["imd_score"] is not None and "health" in d["need"]["domains"]
    assert set(d["bands"]) == {"weekday_day", "weekday_evening", "weekend"}
    day = d["bands"]["weekday_day"]
    assert set(day["by_audience"]) == {"all", "young", "older"}
    assert "missing_categories" in day and "nearest_activities" in day
    assert 0 <= d["no_way_home_after_19_share"] <= d["no_late_round_trip_share"] <= 1
    assert d["lsoas"]


def test_what_if_over_http(gaps_site: dict[str, str]) -> None:
    body = {**LADYBROOK, "days": ["thu"], "start": "18:00", "end": "20:00",
            "category": "social-connection", "audiences": ["young-people-16-25"],
            "view_audience": "young"}
    r = httpx.post(gaps_site["url"] + "/api/gaps/what-if", json=body, timeout=120)
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["saved"] is False and res["band"] == "weekday_evening"
    assert res["changes"]["ward"] and res["changes"]["lsoa"]


@pytest.mark.parametrize(("params", "field"), [
    ({"level": "msoa"}, "level"), ({"band": "night"}, "band"), ({"category": "x"}, "category"),
    ({"audience": "teens"}, "audience"), ({"budget": 50}, "budget"),
    ({"format": "xml"}, "format"),
])
def test_bad_layer_parameters_are_422_naming_the_field(gaps_site: dict[str, str],
                                                       params: dict[str, object],
                                                       field: str) -> None:
    r = httpx.get(gaps_site["url"] + "/api/gaps", params=params, timeout=30)
    assert r.status_code == 422
    assert field in r.text


def test_bad_what_if_and_unknown_area(gaps_site: dict[str, str]) -> None:
    base = gaps_site["url"]
    r = httpx.post(base + "/api/gaps/what-if", json={**LADYBROOK, "days": ["thu"],
                   "start": "20:00", "end": "19:00", "category": "food"}, timeout=30)
    assert r.status_code == 422 and "end" in r.text
    r = httpx.post(base + "/api/gaps/what-if", json={**LADYBROOK, "days": ["thu", "sat"],
                   "start": "18:00", "end": "19:00", "category": "food"}, timeout=30)
    assert r.status_code == 422 and r.json()["field"] == "days"
    r = httpx.post(base + "/api/gaps/what-if", json={"lat": 10, "lon": 0, "days": ["mon"],
                   "start": "10:00", "end": "11:00", "category": "food"}, timeout=30)
    assert r.status_code == 422 and "lat" in r.text
    assert httpx.get(base + "/api/gaps/ward/E05999999", timeout=30).status_code == 404
    assert httpx.get(base + "/api/gaps/msoa/E02000001", timeout=30).status_code == 422
