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
                "nearest_min", "reach_low", "reach_high", "imd_score", "health_score",
                "barriers_score", "gap_class", "need_class", "access_class", "in_region",
                "population", "n_origins"):
        assert key in props
    assert meta["access_metric"] == "activities_share" and meta["round_trip"] == \
        "/method#round-trip" and "2 buses" in meta["round_trip_rule"]
    assert meta["legend"]["access"]["0"]["label"] == "no there-and-back access"
    assert fc["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_csv_download(gaps_site: dict[str, str]) -> None:
    r = httpx.get(gaps_site["url"] + "/api/gaps", params={
        "level": "lsoa", "band": "weekday_day", "category": "food", "format": "csv"},
        timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    lines = r.text.splitlines()
    header = [x for x in lines if x.startswith("#")]
    assert "SYNTHETIC" in header[0].upper() or "Synthetic" in header[0]
    assert any("activities_share = share 0-1" in x for x in header)
    rows = list(csv.DictReader(io.StringIO("\n".join(x for x in lines if not x.startswith("#")))))
    assert len(rows) == 684 and rows[0]["category"] == "food" and rows[0]["budget"] == "45"
    shares = [x["activities_share"] for x in rows if x["activities_share"]]
    assert all(len(v.split(".")[-1]) <= 3 for v in shares)  # rounded


def test_geopackage_has_a_layer_per_level_and_a_dictionary(gaps_site: dict[str, str],
                                                          tmp_path: object) -> None:
    import pathlib

    import pyogrio

    r = httpx.get(gaps_site["url"] + "/api/gaps", params={
        "band": "weekday_evening", "audience": "young", "format": "gpkg"}, timeout=120)
    assert r.status_code == 200 and "geopackage" in r.headers["content-type"]
    path = pathlib.Path(str(tmp_path)) / "gaps.gpkg"
    path.write_bytes(r.content)
    layers = dict(pyogrio.list_layers(path))
    assert {"gaps_lsoa", "gaps_ward", "gaps_lad", "data_dictionary", "run_notes"} <= set(layers)
    lsoa = pyogrio.read_dataframe(path, layer="gaps_lsoa")
    assert len(lsoa) == 684 and lsoa.crs.to_epsg() == 4326
    dd = pyogrio.read_dataframe(path, layer="data_dictionary")
    assert set(lsoa.columns) - {"geometry"} <= set(dd["column"])
    notes = pyogrio.read_dataframe(path, layer="run_notes")
    assert "notice" in set(notes["key"])


def test_runs_are_kept_and_two_runs_compare(gaps_site: dict[str, str]) -> None:
    base = gaps_site["url"]
    runs = httpx.get(base + "/api/gaps/runs", timeout=30).json()["runs"]
    assert runs and all(r["data_versions"]["gtfs"] for r in runs)
    ids = sorted(r["run_id"] for r in runs if "weekday_day" in r["bands"])
    r = httpx.get(base + "/api/gaps/runs/compare", params={
        "a": ids[0], "b": ids[-1], "band": "weekday_day", "level": "lad"}, timeout=30)
    assert r.status_code == 200
    res = r.json()
    assert len(res["areas"]) == 8 and res["a"]["parameters"]["week"]
    if ids[0] == ids[-1]:
        assert res["changed"] == 0
    r = httpx.get(base + "/api/gaps/runs/compare", params={"a": 999999, "b": ids[0]}, timeout=30)
    assert r.status_code == 404 and r.json()["field"] == "a"


def test_method_page_is_html_with_the_round_trip_anchor(gaps_site: dict[str, str]) -> None:
    r = httpx.get(gaps_site["url"] + "/method", timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'id="round-trip"' in r.text and 'id="optimiser"' in r.text
    assert "style-src 'self'" in r.headers["content-security-policy"]
    assert "Luo" in r.text and "Journey Time Statistics" in r.text


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
    m = day["by_audience"]["all"]
    assert m["reach_low"] <= m["activities_share"] <= m["reach_high"]
    assert d["origins"] > 30 and "every postcode" in d["origins_rule"]
    assert d["round_trip"] == "/method#round-trip"


def test_what_if_over_http(gaps_site: dict[str, str]) -> None:
    body = {**LADYBROOK, "days": ["thu"], "start": "18:00", "end": "20:00",
            "category": "social-connection", "audiences": ["young-people-16-25"],
            "view_audience": "young"}
    r = httpx.post(gaps_site["url"] + "/api/gaps/what-if", json=body, timeout=120)
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["saved"] is False and res["band"] == "weekday_evening"
    assert res["changes"]["ward"] and res["changes"]["lsoa"]
    # placed at a loaded venue, and at a typed postcode
    venues = httpx.get(gaps_site["url"] + "/api/gaps/venues", timeout=30).json()["venues"]
    lib = next(v for v in venues if v["name"] == "Newark Library")
    r = httpx.post(gaps_site["url"] + "/api/gaps/what-if", json={
        "venue_id": lib["id"], "days": ["tue"], "start": "18:30", "end": "20:00"}, timeout=120)
    assert r.status_code == 200 and r.json()["scenario"]["added"]["place"] == "Newark Library"
    r = httpx.post(gaps_site["url"] + "/api/gaps/what-if", json={
        "postcode": "NG24 1UW", "days": ["tue"], "start": "18:30", "end": "20:00"}, timeout=120)
    assert r.status_code == 200 and r.json()["scenario"]["added"]["place"].startswith("postcode")


def test_optimiser_over_http(gaps_site: dict[str, str]) -> None:
    r = httpx.post(gaps_site["url"] + "/api/gaps/optimise", json={
        "band": "weekday_evening", "audience": "young-people-16-25", "k": 3}, timeout=180)
    assert r.status_code == 200, r.text
    top = r.json()["top"]
    assert len(top) == 3 and [t["pick"] for t in top] == [1, 2, 3]
    r = httpx.post(gaps_site["url"] + "/api/gaps/optimise", json={
        "band": "weekday_evening", "times": [["10:00", "11:00"]]}, timeout=30)
    assert r.status_code == 422 and r.json()["field"] == "times"


@pytest.mark.parametrize(("params", "field"), [
    ({"level": "msoa"}, "level"), ({"band": "night"}, "band"), ({"category": "x"}, "category"),
    ({"audience": "teens"}, "audience"), ({"budget": 50}, "budget"),
    ({"format": "xml"}, "format"), ({"region": "E99999999"}, "region"),
    ({"breaks": "quintiles"}, "breaks"),
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
    # well-formed but outside the loaded region (central London): 422 naming the field
    r = httpx.post(base + "/api/gaps/what-if", json={"lat": 51.5, "lon": -0.12, "days": ["mon"],
                   "start": "10:00", "end": "11:00", "category": "food"}, timeout=60)
    assert r.status_code == 422 and r.json()["field"] == "lat"
    r = httpx.post(base + "/api/gaps/what-if", json={"postcode": "NG99 9ZZ", "days": ["mon"],
                   "start": "10:00", "end": "11:00"}, timeout=60)
    assert r.status_code == 404 and "NG99" not in r.text  # postcodes are never echoed
    r = httpx.post(base + "/api/gaps/what-if", json={"band": "weekday_day"}, timeout=30)
    assert r.status_code == 422 and r.json()["field"] == "close"
    r = httpx.post(base + "/api/gaps/what-if", json={"band": "weekday_day",
                                                     "close": ["no-such-listing"]}, timeout=60)
    assert r.status_code == 404 and r.json()["field"] == "close"
    assert httpx.get(base + "/api/gaps/ward/E05999999", timeout=30).status_code == 404
    assert httpx.get(base + "/api/gaps/msoa/E02000001", timeout=30).status_code == 422
