"""Finder v2 on the real Mid-Notts data: deterministic rows, last bus home, coverage, names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

import app.api  # noqa: F401  (loaded first, as the app does)
from app.schemas.reachable import ReachableRequest, Row
from app.services.directory.sessions import sessions_between
from app.services.reachable.service import (
    directory_filters,
    eval_params,
    evaluate_sessions,
    fare_params,
    find_reachable,
)

pytestmark = pytest.mark.realdata

URL = "/api/reachable-activities"
NG23 = {"origin": {"postcode": "NG23 5QU"}, "date_from": "2026-12-07", "date_to": "2026-12-11",
        "hours_to": "21:30", "walk_speed": "slow"}
LISTENING = "Mental health listening group"


def post(api: tuple[httpx.Client, str], **body: Any) -> httpx.Response:
    client, _ = api
    return client.post(URL, json=body)


def elm_tree_thursday(body: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in body["rows"] if r["activity"]["name"].startswith(LISTENING)
                and r["weekday"] == "Thursday" and "Elm Tree" in r["venue"]["name"])


@pytest.mark.parametrize("hours_from", ["17:00", "14:00", "09:00"])
def test_last_bus_home_is_named_whatever_the_hours_start(
        finder_api: tuple[httpx.Client, str], hours_from: str) -> None:
    r = post(finder_api, **NG23, hours_from=hours_from)
    assert r.status_code == 200, r.text
    row = elm_tree_thursday(r.json())
    assert row["feasibility"] == "outbound_only"
    assert row["reason"] == "no bus back after 18:28"
    last = row["last_bus_home"]
    assert (last["leave_venue_by"], last["route"], last["bus_depart_time"], last["stop_name"]) \
        == ("18:28", "D18", "18:31", "Boundary Court (opp)")
    assert last["before_session"] == "starts" and "18:28, before the session starts" in \
        last["note"]
    assert last["agency"]
    # The old names still work for one release.
    assert last["departs"] == "18:28" and last["bus_departs"] == "18:31"
    assert row["starts"] == row["start_time"] == "18:30"


def test_last_bus_home_agrees_with_the_journey_planner(
        finder_api: tuple[httpx.Client, str]) -> None:
    client, _ = finder_api
    row = elm_tree_thursday(post(finder_api, **NG23, hours_from="17:00").json())
    venue = f"{row['venue']['lat']},{row['venue']['lon']}"
    plan = client.get("/api/journeys", params={
        "from": venue, "to": "NG23 5QU", "date": row["date"], "arrive_by": "21:30",
        "walk_speed_kmh": 3.2}).json()
    assert plan["found"]
    assert plan["journey"]["leave_at"] == row["last_bus_home"]["leave_venue_by"] == "18:28"
    assert plan["journey"]["bus_routes"][0] == row["last_bus_home"]["route"]


def test_bus_legs_name_operator_and_stops(finder_api: tuple[httpx.Client, str]) -> None:
    d = post(finder_api, origin={"postcode": "NG18 1AA"}, dates=["2026-12-09"]).json()
    legs = [leg for r in d["rows"] if r["feasibility"] == "feasible"
            for way in ("outbound", "return") for leg in r[way]["legs"]]
    bus = [leg for leg in legs if leg["mode"] == "bus"]
    assert bus and all(leg["agency"] and leg["stops"] >= 1 for leg in bus)
    assert all(leg["depart"] == leg["depart_time"] for leg in legs)
    walk = [leg for leg in legs if leg["mode"] == "walk"]
    assert all(leg["stops"] is None and leg["agency"] is None for leg in walk)
    row = next(r for r in d["rows"] if r["feasibility"] == "feasible")
    assert row["travel_basis"] == "round_trip" and row["distance_km"] > 0
    assert row["venue"]["town"] and "last_verified" in row["activity"]
    assert row["schedule"] and row["schedule"].startswith(("Every", "The"))


def test_missed_bus_home_has_a_next_one(finder_api: tuple[httpx.Client, str]) -> None:
    d = post(finder_api, origin={"postcode": "NG18 1AA"}, dates=["2026-12-09"]).json()
    rows = [r for r in d["rows"] if r["feasibility"] == "feasible" and r["return"]["buses"]]
    with_next = [r for r in rows if r["next_way_home"]]
    assert with_next
    for r in with_next:
        planned = next(leg for leg in r["return"]["legs"] if leg["mode"] == "bus")
        nxt = next(leg for leg in r["next_way_home"]["legs"] if leg["mode"] == "bus")
        assert nxt["depart_time"] > planned["depart_time"]
        assert r["next_way_home"]["arrive_time"] >= r["return"]["arrive_time"]


def test_openapi_marks_old_names_deprecated(finder_api: tuple[httpx.Client, str]) -> None:
    client, _ = finder_api
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    row = schemas.get("Row-Output") or schemas["Row"]
    assert row["properties"]["starts"]["deprecated"] is True
    assert "start_time" in row["properties"]["starts"]["description"]
    last = schemas.get("LastBus-Output") or schemas["LastBus"]
    assert last["properties"]["departs"]["deprecated"] is True


def test_outward_code_is_approximate(finder_api: tuple[httpx.Client, str]) -> None:
    d = post(finder_api, origin={"postcode": "NG18"}, dates=["2026-12-09"]).json()
    assert d["origin_area"]["approximate"] is True
    assert any("approximate" in e for e in d["explanations"])
    full = post(finder_api, origin={"postcode": "NG18 1AA"}, dates=["2026-12-09"]).json()
    assert full["origin_area"]["approximate"] is False
    assert d["isochrone"]["properties"]["from"] == "area_centre"


def test_coverage_messages(finder_api: tuple[httpx.Client, str]) -> None:
    london = post(finder_api, origin={"postcode": "SW1A 1AA"}, dates=["2026-12-09"])
    assert london.status_code == 422, london.text
    body = london.json()
    assert body["field"] == "origin.postcode" and "outside the loaded region" in body["message"]
    assert "Mansfield" in body["message"] and "Code-Point Open" in body["message"]
    assert "2014" not in body["message"] and "may be newer" not in body["message"]
    bassetlaw = post(finder_api, origin={"postcode": "S80 1AA"}, dates=["2026-12-09"]).json()
    text = " ".join(bassetlaw["explanations"])
    assert "no buses at them" in text and "no bus stop within" not in text
    assert "Sherwood Demo Buses" in text and "midnotts_synthetic_gtfs" not in text
    city = post(finder_api, origin={"postcode": "NG1 1AA"}, dates=["2026-12-09"]).json()
    text = " ".join(city["explanations"])
    assert "none are listed in Nottingham" in text and "Illustrative sample directory" in text
    unknown = post(finder_api, origin={"postcode": "NG18 9ZZ"}, dates=["2026-12-09"])
    assert unknown.status_code == 404 and "Code-Point Open" in unknown.json()["message"]


def test_age_keeps_all_ages_and_removals_are_counted(
        finder_api: tuple[httpx.Client, str]) -> None:
    base = {"origin": {"postcode": "NG24 1AB"}, "date_from": "2026-12-07",
            "date_to": "2026-12-13", "hours_from": "09:00", "hours_to": "22:00"}
    aimed = post(finder_api, **base, filters={"audience": ["young-people"]}).json()
    aged = post(finder_api, **base, filters={"age": 18}).json()
    assert aged["counts"]["sessions"] > aimed["counts"]["sessions"]
    assert aged["counts"]["feasible"] > 0
    assert aged["counts"]["removed_by_filters"] > 0
    assert any("The filters (age 18) leave out" in e for e in aged["explanations"])
    wheel = post(finder_api, origin={"postcode": "NG17 1AA"}, date_from="2026-12-07",
                 date_to="2026-12-11", wheelchair=True).json()
    n = wheel["counts"]["removed_not_step_free"]
    assert n > 0 and any(f"For a wheelchair user, {n} sessions" in e
                         for e in wheel["explanations"])


@pytest.mark.parametrize("body,field", [
    ({"hours_to": "17:00Z"}, "hours_to"),
    ({"hours_from": "09:00+01:00", "hours_to": "17:00"}, "hours_from"),
    ({"date_from": "9999-12-31"}, "date_from"),
    ({"date_from": "2026-12-07", "date_to": "9999-12-31"}, "date_to"),
    ({"dates": ["0001-01-01"]}, "dates.0"),
])
def test_bad_times_and_dates_are_422(finder_api: tuple[httpx.Client, str],
                                    body: dict[str, Any], field: str) -> None:
    r = post(finder_api, origin={"postcode": "NG18 1AA"}, **body)
    assert r.status_code == 422, r.text
    assert field in {p["field"] for p in r.json()["problems"]}


def test_config_example_postcode_is_loaded(finder_api: tuple[httpx.Client, str]) -> None:
    client, _ = finder_api
    example = client.get("/api/config").json()["example_postcode"]
    r = post(finder_api, origin={"postcode": example["postcode"]}, dates=["2026-12-09"])
    assert r.status_code == 200 and r.json()["origin_area"]["outward"] == example["outward"]


# ------------------------------------------------------------ determinism (property test)

ORIGINS = ("NG23 5QU", "NG18 1AA", "NG22 9LY", "NG17 1AA", "NG24 1AB", "NG21 9AA")
WIDE = {"date_from": "2026-12-07", "date_to": "2026-12-20", "hours_to": "22:00"}


_WIDE_CACHE: dict[tuple[str, str, str], list[Row]] = {}


def _wide(db: Session, req: ReachableRequest) -> list[Row]:
    key = (str(req.origin.postcode), req.hours_from.isoformat(), str(req.walk_speed),
           req.bus_pass, str(req.max_visit_cost_gbp))
    if key not in _WIDE_CACHE:
        _WIDE_CACHE[key] = find_reachable(db, req).rows
    return _WIDE_CACHE[key]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(origin=st.sampled_from(ORIGINS), pick=st.integers(0, 10**6),
       start=st.sampled_from(["07:00", "09:00", "13:00"]),
       speed=st.sampled_from(["normal", "slow"]),
       fares=st.sampled_from([{}, {"bus_pass": "older"},
                              {"bus_pass": "disabled", "max_visit_cost_gbp": 3}]))
def test_a_row_is_the_same_alone_and_in_a_wide_search(db: Session, origin: str, pick: int,
                                                      start: str, speed: str,
                                                      fares: dict[str, Any]) -> None:
    req = ReachableRequest.model_validate({"origin": {"postcode": origin}, **WIDE,
                                           "hours_from": start, "walk_speed": speed, **fares})
    rows = _wide(db, req)
    assert rows
    row = rows[pick % len(rows)]
    activity, schedule, day = row.id.split(":")
    date = dt.date.fromisoformat(day)
    same_day = [s for s in sessions_between(db.connection(), date, date, directory_filters(req))
                if s.start is not None and s.lat is not None
                and req.hours_from <= s.start and s.end is not None and s.end <= req.hours_to]
    mine = [s for s in same_day if (s.activity_id, s.schedule_id) == (activity, schedule)]
    origin_lat, origin_lon, lad = _origin_point(db, origin)
    p = eval_params(req)
    # With a bus pass and a cost limit too: fares, the free option and the cost check.
    fp = fare_params(db.connection(), req, lad)
    alone = evaluate_sessions(db, mine, origin_lat, origin_lon, p, fp)[0]
    assert alone.model_dump() == row.model_dump()
    # The order of evaluation does not matter either.
    backwards = evaluate_sessions(db, same_day[::-1], origin_lat, origin_lon, p, fp)
    assert next(r for r in backwards if r.id == row.id).model_dump() == row.model_dump()
    # Nor does the start of the client's hours, for the last bus home.
    later = req.model_copy(update={"hours_from": mine[0].start})
    again = evaluate_sessions(db, mine, origin_lat, origin_lon, eval_params(later), fp)[0]
    assert again.last_bus_home == row.last_bus_home


def _origin_point(db: Session, postcode: str) -> tuple[float, float, str | None]:
    from app.schemas.reachable import Origin
    from app.services.reachable.origin import resolve_origin

    o = resolve_origin(db, Origin(postcode=postcode))
    return o.lat, o.lon, o.lad_code


def test_a_there_only_row_does_not_price_the_missing_way_home_as_a_walk(
        finder_api: tuple[httpx.Client, str]) -> None:
    row = elm_tree_thursday(post(finder_api, **NG23, hours_from="17:00").json())
    assert row["feasibility"] == "outbound_only"
    assert "walk" not in row["fare_text"] and row["fare_text"].endswith("no bus back in time")
    assert "no bus back in time" in row["handout_fare_line"]
