"""What `make run` serves with no data: a working finder and planner on the sample region."""

from __future__ import annotations

import httpx

from tests.sample.conftest import postcode_near_stop

TUESDAY = "2027-03-02"  # inside the feed's fixed 2025-2030 calendar


def test_config_and_timetable_say_sample(sample_server: httpx.Client) -> None:
    config = sample_server.get("/api/config").json()
    assert config["sample_region"] is True
    assert any("FICTIONAL" in a and "Activities" in a for a in config["attributions"])
    assert any("FICTIONAL SAMPLE" in a and "Timetable" in a for a in config["attributions"])
    feeds = sample_server.get("/api/timetables").json()["feeds"]
    assert [(f["name"], f["synthetic"]) for f in feeds] == [("sample-region", True)]


def test_finder_on_a_weekday_shows_feasible_and_no_bus_back(sample_server: httpx.Client
                                                            ) -> None:
    # Home beside the east end of line F1; the Tuesday sessions are along the same line.
    home = postcode_near_stop("F1", 6)
    body = {"origin": {"postcode": home.pcds}, "dates": [TUESDAY],
            "hours_from": "09:00", "hours_to": "22:00"}
    res = sample_server.post("/api/reachable-activities", json=body)
    assert res.status_code == 200, res.text
    rows = res.json()["rows"]
    feasible = [r for r in rows if r["feasibility"] == "feasible"]
    assert feasible and all(r["outbound"] and r["return"] for r in feasible)
    assert any(leg["mode"] == "bus" for r in feasible for leg in r["outbound"]["legs"])
    stranded = [r for r in rows if r["reason_code"] == "no_bus_back"]
    assert stranded, [(r["activity"]["name"], r["reason"]) for r in rows]
    evening = stranded[0]
    assert evening["feasibility"] == "outbound_only" and evening["starts"] >= "18:30"
    assert "no bus back" in evening["reason"] and evening["outbound"] is not None
    assert "fictional" in evening["activity"]["name"]
    assert any("no bus home" in e for e in res.json()["explanations"])


def test_journey_between_sample_postcodes_names_a_bus_route(sample_server: httpx.Client
                                                            ) -> None:
    start, end = postcode_near_stop("F1", 0), postcode_near_stop("F1", 6)
    res = sample_server.get("/api/journeys", params={
        "from": start.pcds, "to": end.pcds, "date": TUESDAY, "depart_at": "09:00"})
    assert res.status_code == 200, res.text
    journey = res.json()["journey"]
    assert journey["bus_routes"] == ["F1"]
    bus = [leg for leg in journey["legs"] if leg["mode"] == "bus"]
    assert bus[0]["route"] == "F1" and "(fictional)" in bus[0]["board"]["stop"]


def test_sunday_on_a_line_without_sunday_buses(sample_server: httpx.Client) -> None:
    # Line F2 runs no Sunday service: end to end there is no bus that day.
    start, end = postcode_near_stop("F2", 0), postcode_near_stop("F2", 6)
    res = sample_server.get("/api/journeys", params={
        "from": start.pcds, "to": end.pcds, "date": "2027-03-07", "depart_at": "10:00",
        "max_buses": 1})
    assert res.status_code == 200, res.text
    body = res.json()
    assert not body["found"] or "F2" not in body["journey"]["bus_routes"]
