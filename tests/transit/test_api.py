"""/api/journeys and /api/isochrone on a real PostGIS with the Mid-Notts feed and postcodes."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from app.db import get_engine
from app.main import create_app
from app.services.transit.router import clear_memory_cache
from app.settings import get_settings
from ingest.transit.gtfs_load import load_gtfs
from tests.dbutil import copy_database, drop_database

WEEKDAY = "2026-11-25"  # a Wednesday inside the synthetic feed's validity
SUTTON = "53.1230,-1.2640"  # near Sutton-in-Ashfield centre (NG17 1AA)


def load_postcodes(engine: Engine, geodata: Path, outwards: tuple[str, ...]) -> int:
    """Insert the Code-Point centroids of some postcode districts into `postcode`."""
    df = pd.read_csv(geodata / "postcodes" / "codepoint_open_2014_ng_and_notts.csv", dtype=str,
                     keep_default_na=False)
    df = df[df["pcds"].str.split(" ").str[0].isin(outwards)]
    rows = [{"pcd": str(r["pcds"]).replace(" ", ""), "pcds": r["pcds"],
             "out": str(r["pcds"]).split(" ")[0], "lat": float(r["lat"]), "lon": float(r["lon"]),
             "lad": r["admin_district_code"]}
            for r in df.to_dict("records")]
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO postcode (pcd, pcds, outward, lad_code, geom) VALUES (:pcd, :pcds, :out,"
            " :lad, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"), rows)
    return len(rows)


@contextmanager
def app_on(url: str, cache: Path) -> Iterator[TestClient]:
    """The real app (in process) pointed at database `url`, settings restored afterwards."""
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "CACHE_DIR")}
    os.environ["DATABASE_URL"] = url
    os.environ["CACHE_DIR"] = str(cache)
    get_settings.cache_clear()
    get_engine.cache_clear()
    clear_memory_cache()
    try:
        with TestClient(create_app()) as client:
            yield client
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()
        get_engine.cache_clear()
        clear_memory_cache()


@pytest.fixture(scope="module")
def transit_url(admin_url: str, template_db: str, geodata: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with the Mid-Notts feed and the NG17/NG18 postcodes loaded."""
    url = copy_database(admin_url, template_db, prefix="wr_transit")
    eng = create_engine(url)
    load_gtfs(eng, geodata / "transport" / "midnotts_synthetic_gtfs.zip",
              tmp_path_factory.mktemp("cache"), name="midnotts", quiet=True)
    load_postcodes(eng, geodata, ("NG17", "NG18"))
    eng.dispose()
    yield url
    drop_database(admin_url, url)


@pytest.fixture(scope="module")
def client(transit_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """HTTP client on the transit database."""
    with app_on(transit_url, tmp_path_factory.mktemp("cache")) as c:
        yield c


def _journey(client: TestClient, **extra: str) -> dict:
    params = {"from": "NG18 1AA", "to": SUTTON, "date": WEEKDAY, "depart_at": "09:00", **extra}
    r = client.get("/api/journeys", params=params)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.realdata
def test_journey_from_a_postcode_names_the_buses(client: TestClient,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    body = _journey(client)
    assert body["found"] is True
    j = body["journey"]
    assert j["buses"] >= 1
    buses = [leg for leg in j["legs"] if leg["mode"] == "bus"]
    assert all(b["route"].startswith("D") and b["headsign"] for b in buses)
    assert all(b["board"]["stop"] and b["alight"]["stop"] for b in buses)
    assert j["legs"][0]["mode"] == "walk" and j["legs"][0]["metres"] > 0
    assert j["legs"][-1]["mode"] == "walk"
    assert j["leave_at"] >= "09:00" and j["arrive_at"] < "11:00"
    assert any("take bus D" in s for s in j["steps"])
    assert body["from"] == "NG18 1AA"
    assert j["steps"][-1].endswith("arrive at your destination")  # `to` was a lat,lon
    assert "SYNTHETIC" in body["timetable"]["warning"]
    # Privacy: the client's postcode never reaches a server log record (httpx is the client).
    server = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "NG18" not in server and "1AA" not in server


@pytest.mark.realdata
def test_arrive_by_leaves_late_enough(client: TestClient) -> None:
    body = _journey(client, depart_at="", arrive_by="10:30")
    assert body["found"] is True
    assert body["journey"]["arrive_at"] <= "10:30"
    assert body["journey"]["leave_at"] >= "09:00"


@pytest.mark.realdata
def test_fewer_bus_alternatives_are_pareto(client: TestClient) -> None:
    body = _journey(client, to="52.9530,-1.1500", max_buses="4")  # Nottingham centre
    best = body["journey"]
    for alt in body["alternatives"]:
        assert alt["buses"] < best["buses"]
        assert alt["arrive_at"] > best["arrive_at"]


@pytest.mark.realdata
def test_date_outside_validity_names_the_range(client: TestClient) -> None:
    r = client.get("/api/journeys", params={"from": "NG18 1AA", "to": SUTTON,
                                            "date": "2030-06-05", "depart_at": "09:00"})
    assert r.status_code == 422
    body = r.json()
    assert body["field"] == "date"
    assert "2026-01-01 to 2027-12-31" in body["message"]


@pytest.mark.realdata
@pytest.mark.parametrize(("param", "value"), [
    ("max_buses", "5"), ("walk_speed_kmh", "1.5"), ("depart_at", "9h"), ("date", "25/11/2026"),
    ("from", "ZZ"), ("to", "91,500"), ("max_walk_m", "-3"),
])
def test_bad_parameters_are_422_naming_the_field(client: TestClient, param: str,
                                                 value: str) -> None:
    params = {"from": "NG18 1AA", "to": SUTTON, "date": WEEKDAY, "depart_at": "09:00",
              param: value}
    r = client.get("/api/journeys", params=params)
    assert r.status_code == 422, r.text
    body = r.json()
    fields = {body.get("field")} | {p.get("field") for p in body.get("problems", [])}
    assert param in fields


@pytest.mark.realdata
def test_both_or_neither_time_is_refused(client: TestClient) -> None:
    r = client.get("/api/journeys", params={"from": "NG18 1AA", "to": SUTTON, "date": WEEKDAY})
    assert r.status_code == 422 and r.json()["field"] == "depart_at"


@pytest.mark.realdata
def test_origin_without_stops_is_an_explained_empty_result(client: TestClient) -> None:
    body = _journey(client, **{"from": "53.3000,-0.6000"})  # open country east of the feed
    assert body["found"] is False and body["journey"] is None
    assert body["reason_code"] == "no_stop_near_origin"
    assert "800 m" in body["reason"]


@pytest.mark.realdata
def test_isochrone_polygon_and_stops(client: TestClient) -> None:
    r = client.get("/api/isochrone", params={"from": "NG18 1AA", "date": WEEKDAY,
                                             "depart_at": "09:00", "minutes": "40"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["stop_count"] > 10
    assert all(s["minutes"] <= 40 for s in body["stops"])
    assert any(s["by_bus"] for s in body["stops"])
    geom = body["polygon"]["geometry"]
    assert geom["type"] in ("Polygon", "MultiPolygon")
    from shapely.geometry import Point, shape

    area = shape(geom)
    assert area.contains(Point(-1.194788, 53.143612))  # NG18 1AA itself
    # Every stop reached with time to spare lies inside its own walking circle.
    for s in body["stops"]:
        if s["minutes"] <= 38:
            assert area.contains(Point(s["lon"], s["lat"]))


@pytest.mark.realdata
def test_isochrone_from_nowhere_is_explained(client: TestClient) -> None:
    r = client.get("/api/isochrone", params={"from": "53.3000,-0.6000", "date": WEEKDAY,
                                             "depart_at": "09:00", "minutes": "30"})
    body = r.json()
    assert r.status_code == 200 and body["stop_count"] == 0
    assert body["reason_code"] == "no_stop_near_origin"


def test_no_timetable_loaded_is_503_with_advice(fresh_db: Engine, tmp_path: Path) -> None:
    url = fresh_db.url.render_as_string(hide_password=False)
    with app_on(url, tmp_path) as c:
        r = c.get("/api/journeys", params={"from": "53.14,-1.19", "to": SUTTON, "date": WEEKDAY,
                                           "depart_at": "09:00"})
    assert r.status_code == 503
    assert "ingest gtfs" in r.json()["message"]


@pytest.mark.realdata
def test_timetables_lists_feeds_and_validity(client: TestClient) -> None:
    body = client.get("/api/timetables").json()
    assert (body["valid_from"], body["valid_to"]) == ("2026-01-01", "2027-12-31")
    assert [f["name"] for f in body["feeds"]] == ["midnotts"]
