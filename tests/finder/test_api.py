"""POST /api/reachable-activities against the real Mid-Notts data on a live server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.finder.support import WEDNESDAY, WEEK

pytestmark = pytest.mark.realdata

URL = "/api/reachable-activities"
TOWN = "NG18 1AA"  # Mansfield town centre
RURAL = "NG22 9LY"  # Ollerton: rural routes stop running in the early evening


def post(api: tuple[httpx.Client, str], **body: Any) -> httpx.Response:
    client, _ = api
    return client.post(URL, json=body)


def week(pc: str = TOWN, **kw: Any) -> dict[str, Any]:
    return {"origin": {"postcode": pc}, "date_from": WEEK[0], "date_to": WEEK[1], **kw}


def test_a_week_from_town(finder_api: tuple[httpx.Client, str]) -> None:
    r = post(finder_api, **week(hours_from="09:00", hours_to="22:00"))
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    d = r.json()
    rows = d["rows"]
    assert rows and d["counts"]["sessions"] == len(rows)
    assert d["counts"]["feasible"] > 0
    # Sorted: feasible, then there-only, then unreachable; each by travel time.
    rank = {"feasible": 0, "outbound_only": 1, "unreachable": 2}
    keys = [(rank[x["feasibility"]], x["travel_minutes"] if x["travel_minutes"] is not None
             else 10**6) for x in rows]
    assert keys == sorted(keys)
    for row in rows:
        if row["feasibility"] == "feasible":
            out, back = row["outbound"], row["return"]
            assert "09:00" <= row["leave_home_by"] == out["depart"]
            assert out["arrive"] <= row["starts"] and back["depart"] >= row["ends"]
            assert row["home_by"] == back["arrive"] <= "22:00"
            assert out["minutes"] <= 45 and back["minutes"] <= 45
            assert out["legs"][0]["from_name"] == "home"
            assert back["legs"][-1]["to_name"] == "home"
            assert row["travel_minutes"] == out["minutes"] + back["minutes"]
        else:
            assert row["reason"] and row["reason_code"]
    bus_rows = [x for x in rows if x["feasibility"] == "feasible" and x["outbound"]["buses"]]
    assert bus_rows, "some sessions need a bus"
    bus = next(leg for leg in bus_rows[0]["outbound"]["legs"] if leg["mode"] == "bus")
    assert bus["route"] and bus["from_name"] and bus["to_name"] and bus["from_stop_code"]
    # The client's area is the outward code's, never the address.
    assert d["origin_area"]["outward"] == "NG18" and d["origin_area"]["radius_m"] >= 600
    assert "1AA" not in r.text
    assert d["summaries"] and d["explanations"]
    assert any("SYNTHETIC" in n for n in d["notices"])
    assert d["isochrone"]["type"] == "Feature"
    assert "origin" not in d["parameters"]


def test_rural_evening_cut_off_is_there_but_not_back(
        finder_api: tuple[httpx.Client, str]) -> None:
    r = post(finder_api, origin={"postcode": RURAL}, dates=[WEDNESDAY], hours_from="09:00",
             hours_to="23:00")
    assert r.status_code == 200, r.text
    d = r.json()
    evening = [x for x in d["rows"] if x["starts"] >= "18:00"
               and x["feasibility"] == "outbound_only"]
    assert evening, d["explanations"]
    row = evening[0]
    assert row["reason_code"] == "no_bus_back"
    assert row["reason"].startswith("no bus back after")
    assert row["outbound"] is not None and row["return"] is None
    last = row["last_bus_home"]
    assert last["departs"] < row["ends"]
    assert last["route"] and last["route"].startswith("D") and last["stop_name"]
    assert any("no bus home after" in e for e in d["explanations"])
    summary = next(s for s in d["summaries"] if s["activity_id"] == row["activity"]["id"])
    assert summary["text"].startswith("Wednesdays: can get there, but no bus back after")


def test_one_bus_and_walk_only_limits(finder_api: tuple[httpx.Client, str]) -> None:
    one = post(finder_api, **week(max_buses=1)).json()
    for row in one["rows"]:
        for way in ("outbound", "return"):
            if row["feasibility"] == "feasible":
                assert row[way]["buses"] <= 1
    walk = post(finder_api, **week(mode="walk")).json()
    feasible = [x for x in walk["rows"] if x["feasibility"] == "feasible"]
    assert feasible and all(x["buses"] == 0 for x in feasible)


def test_slower_walking_never_reaches_more(finder_api: tuple[httpx.Client, str]) -> None:
    def ok(speed: str) -> set[str]:
        rows = post(finder_api, **week(walk_speed=speed)).json()["rows"]
        return {x["id"] for x in rows if x["feasibility"] == "feasible"}

    assert ok("slow") <= ok("normal")


def test_filters_apply(finder_api: tuple[httpx.Client, str]) -> None:
    d = post(finder_api, **week(filters={"free_only": True, "category": ["food"]})).json()
    assert d["rows"]
    assert all(x["activity"]["cost"]["free"] for x in d["rows"])
    bad = post(finder_api, **week(filters={"category": ["knitting"]}))
    assert bad.status_code == 422 and bad.json()["field"] == "filters.category"


def test_nothing_within_limit_says_how_far_the_nearest_is(
        finder_api: tuple[httpx.Client, str]) -> None:
    d = post(finder_api, **week(max_minutes=5, filters={"category": ["physical-activity"]})
             ).json()
    assert d["counts"]["feasible"] == 0
    text = " ".join(d["explanations"])
    assert "within 5 min" in text
    assert "The nearest activity that works there and back takes" in text


def test_no_stop_near_home_is_explained(finder_api: tuple[httpx.Client, str]) -> None:
    d = post(finder_api, **week("NG22 8TE")).json()  # a farm far from any served stop
    assert any("no bus stop within 800 m" in e for e in d["explanations"])


def test_unknown_postcode_is_404_with_advice(finder_api: tuple[httpx.Client, str]) -> None:
    r = post(finder_api, **week("NG18 9ZZ"))
    assert r.status_code == 404
    body = r.json()
    assert body["field"] == "origin.postcode" and "NG18" in body["message"]


def test_outside_the_region_names_the_districts(finder_api: tuple[httpx.Client, str]) -> None:
    r = post(finder_api, **week("NG20 8AL"))  # Shirebrook, Derbyshire
    assert r.status_code == 422
    body = r.json()
    assert "Mansfield" in body["message"]
    assert {"code": "E07000174", "name": "Mansfield"} in body["covered_districts"]


def test_dates_outside_the_timetable(finder_api: tuple[httpx.Client, str]) -> None:
    r = post(finder_api, origin={"postcode": TOWN}, date_from="2028-03-01",
             date_to="2028-03-02")
    assert r.status_code == 422
    body = r.json()
    assert (body["valid_from"], body["valid_to"]) == ("2026-01-01", "2027-12-31")
    assert "2027-12-31" in body["message"]


def test_too_many_days(finder_api: tuple[httpx.Client, str]) -> None:
    r = post(finder_api, origin={"postcode": TOWN}, date_from="2026-11-01",
             date_to="2026-12-31")
    assert r.status_code == 422
    assert r.json()["limits"]["max_span_days"] == 14


def test_every_problem_is_listed(finder_api: tuple[httpx.Client, str]) -> None:
    r = post(finder_api, origin={"postcode": TOWN}, max_minutes=0, max_buses=9,
             hours_from="18:00", hours_to="08:00")
    assert r.status_code == 422
    fields = {p["field"] for p in r.json()["problems"]}
    assert {"max_minutes", "max_buses", "hours_to"} <= fields
    assert TOWN not in r.text


def test_postcodes_never_reach_the_log(finder_api: tuple[httpx.Client, str]) -> None:
    post(finder_api, **week(TOWN))
    post(finder_api, **week(RURAL))
    log = Path(finder_api[1]).read_text()
    assert "POST /api/reachable-activities" in log
    for secret in (TOWN, TOWN.replace(" ", ""), RURAL, RURAL.replace(" ", ""), "1AA", "9LY"):
        assert secret not in log


def test_pages_and_config(finder_api: tuple[httpx.Client, str]) -> None:
    client, _ = finder_api
    page = client.get("/")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    config = client.get("/api/config").json()
    assert any("SYNTHETIC" in n for n in config["notices"])
    assert {"code": "older-adults", "label": "Older people"} in config["audiences"]
    assert len(config["categories"]) == 10


def test_wheelchair_users_get_step_free_venues(finder_api: tuple[httpx.Client, str]) -> None:
    d = post(finder_api, **week(wheelchair=True)).json()
    assert d["rows"]
    assert all(x["venue"]["step_free"] for x in d["rows"])
    assert d["parameters"]["wheelchair"] is True


def test_lat_lon_and_outward_origins(finder_api: tuple[httpx.Client, str]) -> None:
    by_point = post(finder_api, origin={"lat": 53.1388, "lon": -1.1960}, dates=[WEDNESDAY])
    assert by_point.status_code == 200 and by_point.json()["origin_area"]["outward"]
    by_outward = post(finder_api, origin={"postcode": "NG18"}, dates=[WEDNESDAY])
    assert by_outward.status_code == 200
    assert by_outward.json()["origin_area"]["outward"] == "NG18"
    walk = post(finder_api, origin={"postcode": "NG18"}, dates=[WEDNESDAY], mode="walk").json()
    assert walk["isochrone"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
