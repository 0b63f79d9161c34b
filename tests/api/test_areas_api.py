"""The area API through the live server on the real Nottinghamshire data."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.realdata

MANSFIELD = "E07000174"


def _coords(geom: dict[str, Any]) -> int:
    assert geom["type"] == "MultiPolygon"
    return sum(len(ring) for poly in geom["coordinates"] for ring in poly)


def test_health_lists_datasets_and_counts(api: httpx.Client) -> None:
    body = api.get("/api/health").json()
    assert body["status"] == "ok" and body["database"] == "reachable"
    datasets = {d["dataset"] for d in body["datasets"]}
    assert {"boundaries-lad", "boundaries-ward", "boundaries-lsoa21", "iod2025", "population",
            "postcodes", "naptan", "lookup-ward"} <= datasets
    assert body["counts"]["lsoa21"] == 684 and body["counts"]["bus_stop"] == 8_384
    assert body["counts"]["bus_stop_active"] == 7_763  # SOURCES.md: 7,763 active stops
    iod = next(d for d in body["datasets"] if d["dataset"] == "iod2025")
    assert iod["row_count"] == 684 and "Indices of Deprivation 2025" in iod["attribution"]


@pytest.mark.parametrize("raw", ["ng18%201aa", "NG181AA", "%20NG18%20%201AA%20", "ng18+1aa"])
def test_postcode_forms(api: httpx.Client, raw: str) -> None:
    r = api.get(f"/api/postcodes/{raw}")
    if raw == "ng18+1aa":  # '+' is not a space in a path: a malformed postcode, not a 500
        assert r.status_code == 422
        return
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["postcode"] == "NG18 1AA" and body["approximate"] is False
    assert body["lsoa21"]["code"] == "E01028268"
    assert body["lsoa11"] == {"code": "E01028268", "name": "Mansfield 008D"}
    assert body["ward"] == {"code": "E05014614", "name": "Central"}
    assert body["district"] == {"code": MANSFIELD, "name": "Mansfield"}
    assert body["imd"]["decile"] == 2 and body["imd"]["rank"] == 4243
    assert body["rural_urban"]["code"] == "UN1"
    assert abs(body["point"]["lat"] - 53.143612) < 1e-5


def test_postcode_errors(api: httpx.Client) -> None:
    bad = api.get("/api/postcodes/NOT-A-POSTCODE")
    assert bad.status_code == 422 and bad.json()["field"] == "postcode"
    unknown = api.get("/api/postcodes/NG18%209ZZ")
    assert unknown.status_code == 404
    assert "not in the loaded postcode directory" in unknown.json()["message"]


def test_outward_code_is_approximate(api: httpx.Client) -> None:
    body = api.get("/api/postcodes/NG18").json()
    assert body["approximate"] is True and "Approximate" in body["note"]
    assert body["district"]["code"] == MANSFIELD
    assert 53.0 < body["point"]["lat"] < 53.3


def test_lsoa_layer(api: httpx.Client) -> None:
    fc = api.get("/api/areas/lsoa").json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 684
    assert all(f["properties"]["imd_decile"] in range(1, 11) for f in fc["features"])
    e = next(f for f in fc["features"] if f["id"] == "E01028268")["properties"]
    assert e["population"] == 2216 and e["imd_decile"] == 2 and e["ward_code"] == "E05014614"


@pytest.mark.parametrize(("level", "key"), [("ward", "ward_code"), ("lad", "lad_code")])
def test_coarser_populations_are_sums_of_lsoas(api: httpx.Client, level: str, key: str) -> None:
    lsoas = api.get("/api/areas/lsoa").json()["features"]
    expected: dict[str, int] = defaultdict(int)
    for f in lsoas:
        expected[f["properties"][key]] += f["properties"]["population"]
    areas = api.get(f"/api/areas/{level}").json()["features"]
    assert len(areas) == {"ward": 188, "lad": 8}[level]
    for f in areas:
        # A few small wards have no best-fit LSOA at all: no data (null), not a zero count.
        assert (f["properties"]["population"] or 0) == expected.get(f["id"], 0), f["id"]
    assert sum(1 for f in areas if f["properties"]["population"]) >= 0.9 * len(areas)


def test_filters_and_simplify(api: httpx.Client) -> None:
    mansfield = api.get("/api/areas/lsoa", params={"district": "Mansfield"}).json()["features"]
    assert len(mansfield) == 68 and {f["properties"]["lad_code"] for f in mansfield} == {MANSFIELD}
    by_code = api.get("/api/areas/ward", params={"district": MANSFIELD}).json()["features"]
    assert by_code and all(f["properties"]["lad_code"] == MANSFIELD for f in by_code)
    bbox = api.get("/api/areas/lsoa", params={"bbox": "-1.21,53.13,-1.18,53.16"}).json()
    assert 0 < len(bbox["features"]) < 100
    assert "E01028268" in {f["id"] for f in bbox["features"]}
    full = api.get("/api/areas/lad").json()["features"]
    simple = api.get("/api/areas/lad", params={"simplify": 500}).json()["features"]
    assert sum(_coords(f["geometry"]) for f in simple) < sum(_coords(f["geometry"]) for f in full)


@pytest.mark.parametrize("url", [
    "/api/areas/msoa", "/api/areas/lsoa?bbox=1,2,3", "/api/areas/lsoa?bbox=a,b,c,d",
    "/api/areas/lsoa?bbox=2,53,1,54", "/api/areas/lsoa?district=Atlantis",
    "/api/areas/lsoa?simplify=-5",
])
def test_area_422s(api: httpx.Client, url: str) -> None:
    r = api.get(url)
    assert r.status_code == 422, r.text


def test_area_detail(api: httpx.Client) -> None:
    lsoa = api.get("/api/areas/lsoa/E01028268").json()["properties"]
    assert lsoa["deprivation"]["measures"]["imd"]["decile"] == 2
    assert len(lsoa["deprivation"]["measures"]) == 14
    assert lsoa["ward_name"] == "Central" and lsoa["district_name"] == "Mansfield"
    ward = api.get("/api/areas/ward/E05014614").json()["properties"]
    assert ward["deprivation"]["weighted"] is True
    assert sum(ward["population_by_age"][b] for b in ward["population_by_age"]
               if b != "total") == ward["population_by_age"]["total"] == ward["population"]
    assert api.get("/api/areas/lad/E07999999").status_code == 404


def test_stops_near(api: httpx.Client) -> None:
    body = api.get("/api/stops", params={"near": "53.143612,-1.194788", "radius_m": 300}).json()
    assert body["count"] > 0
    distances = [s["distance_m"] for s in body["stops"]]
    assert distances == sorted(distances) and distances[-1] <= 300
    assert all(s["status"] == "active" for s in body["stops"])
    assert api.get("/api/stops", params={"near": "north"}).status_code == 422


def test_access_log_never_holds_a_postcode(api: httpx.Client, live_server: dict[str, str]
                                           ) -> None:
    for raw in ("NG18%201AA", "ng181aa", "%20NG18%20%201AA%20", "NG18", "NG18%209ZZ"):
        api.get(f"/api/postcodes/{raw}")
    api.get("/api/stops", params={"near": "53.143612,-1.194788"})
    log = Path(live_server["log"]).read_text(encoding="utf-8", errors="replace")
    assert "/api/postcodes/" in log  # the requests were logged...
    for secret in ("NG18", "ng18", "1AA", "1aa", "9ZZ", "53.143612"):
        assert secret not in log  # ...without the postcode or place
