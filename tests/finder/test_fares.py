"""The finder's fares on the real Mid-Notts data: bus pass, free option, cost limit, handout.

The synthetic Mid-Notts timetable carries no fares, so every bus ride is priced at the £3
national cap (an upper bound); an older person's pass is free from 09:30 on weekdays.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.finder.support import WEDNESDAY

pytestmark = pytest.mark.realdata

URL = "/api/reachable-activities"
SATURDAY = "2026-11-28"
KIRKBY = "NG17 1AA"
ORIGINS = ("NG17 1AA", "NG18 1AA", "NG22 9LY", "NG23 5QU")
DEBT_ADVICE = "Money, debt and benefits advice"


def find(api: tuple[httpx.Client, str], pc: str = KIRKBY, day: str = WEDNESDAY,
         **kw: Any) -> dict[str, Any]:
    client, _ = api
    r = client.post(URL, json={"origin": {"postcode": pc}, "dates": [day],
                               "hours_from": "08:00", "hours_to": "17:00", **kw})
    assert r.status_code == 200, r.text
    return r.json()


def first_bus(journey: dict[str, Any]) -> dict[str, Any]:
    return next(leg for leg in journey["legs"] if leg["mode"] == "bus")


def debt_advice_at_ten(body: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in body["rows"] if r["activity"]["name"].startswith(DEBT_ADVICE)
                and r["start_time"] == "10:00")


def test_older_pass_on_a_wednesday_morning_shows_the_free_option_and_the_paid_one(
        finder_api: tuple[httpx.Client, str]) -> None:
    body = find(finder_api, bus_pass="older")
    later = sum(r["free_option"] is not None and r["feasibility"] != "unreachable"
                for r in body["rows"])
    assert later and any(e.startswith(f"With the bus pass, {later} session")
                         for e in body["explanations"])
    row = debt_advice_at_ten(body)
    assert row["feasibility"] == "feasible"
    # The paid plan arrives in time and its bus boards before 09:30: £3 (the cap) there.
    paid_bus = first_bus(row["outbound"])
    assert paid_bus["depart_time"] < "09:30" <= row["start_time"]
    assert row["fare_out_pence"] == 300 and row["fare_upper_bound"] is True
    leg = row["fare_out"]["legs"][0]
    assert leg["pass_free"] is False and leg["basis"] == "cap"
    assert f"boards at {paid_bus['depart_time']}, before 09:30" in leg["reason"]
    # Home in the afternoon: free with the pass.
    assert row["fare_back_pence"] == 0 and row["fare_back"]["free_with_pass"] is True
    assert row["fare_total_pence"] == 300
    assert row["fare_text"] == "up to £3 there, free back with your bus pass (fare cap)"
    # The free option: first bus at or after 09:30, free both ways.
    free = row["free_option"]
    assert free is not None
    assert free["first_bus_time"] >= "09:30"
    assert first_bus(free["outbound"])["depart_time"] == free["first_bus_time"]
    assert free["leave_home_time"] == free["outbound"]["depart_time"] > row["leave_home_by"]
    assert free["text"] == (f"leave at {free['leave_home_time']}: free with your bus pass, "
                            f"arrive {free['arrive_time']}")
    assert (free["fare_out_pence"], free["fare_total_pence"]) == (0, 0)
    assert free["fare_text"] == "free both ways with your bus pass"
    late = (int(free["arrive_time"][:2]) * 60 + int(free["arrive_time"][3:])) - 600
    assert free["minutes_late"] == max(0, late)
    assert row["preferred_option"] == "paid"
    assert row["handout_fare_line"] == ("Bus fare: up to £3 there, free back with your bus "
                                        f"pass; or free both ways with your bus pass if you "
                                        f"catch the "
                                        f"{free['first_bus_time']}")


def test_without_a_pass_the_same_session_costs_the_cap_each_way(
        finder_api: tuple[httpx.Client, str]) -> None:
    row = debt_advice_at_ten(find(finder_api))
    assert (row["fare_out_pence"], row["fare_back_pence"], row["fare_total_pence"]) == \
        (300, 300, 600)
    assert row["fare_text"] == "up to £3 each way (fare cap)"
    assert row["handout_fare_line"] == "Bus fare: up to £3 each way"
    assert row["free_option"] is None and row["fare_free_with_pass"] is False


def test_a_companion_pass_says_what_the_companion_pays(
        finder_api: tuple[httpx.Client, str]) -> None:
    row = debt_advice_at_ten(find(finder_api, bus_pass="companion"))
    assert row["fare_out"]["companion_total_pence"] == 300  # before 09:30: both pay
    assert row["fare_back"]["companion_total_pence"] == 0  # in the pass hours: both free
    assert row["free_option"] is not None and row["free_option"]["fare_total_pence"] == 0


@pytest.mark.parametrize("pc", ORIGINS)
def test_fares_agree_with_the_rules_on_every_row(finder_api: tuple[httpx.Client, str],
                                                 pc: str) -> None:
    """Every ride is £3 (the cap) unless it boards from 09:30 with a pass; free options
    board from 09:30 and are only offered when the paid plan boards before it."""
    for row in find(finder_api, pc, bus_pass="older")["rows"]:
        for way in ("outbound", "return"):
            j = row[way] if row["feasibility"] != "unreachable" else None
            if j is None or not j["buses"]:
                continue
            fares = row["fare_out" if way == "outbound" else "fare_back"]
            boards = [leg["depart_time"] for leg in j["legs"] if leg["mode"] == "bus"]
            expect = sum(0 if "09:30" <= t <= "23:00" else 300 for t in boards)
            assert fares["total_pence"] == expect, (row["id"], way, boards)
        free = row["free_option"]
        if free is not None:
            assert first_bus(row["outbound"])["depart_time"] < "09:30" <= free["first_bus_time"]
            assert all(leg["depart_time"] >= "09:30" for leg in free["outbound"]["legs"]
                       if leg["mode"] == "bus")
            assert free["arrive_time"] < row["end_time"]
            assert free["outbound"]["minutes"] <= 45 and free["outbound"]["buses"] <= 2


def test_weekends_are_free_all_day_with_a_pass(finder_api: tuple[httpx.Client, str]) -> None:
    rows = find(finder_api, "NG18 1AA", SATURDAY, bus_pass="older")["rows"]
    by_bus = [r for r in rows if r["feasibility"] == "feasible" and r["buses"]]
    assert by_bus
    for r in by_bus:
        assert r["fare_total_pence"] == 0 and r["fare_free_with_pass"] is True
        assert r["free_option"] is None
        assert r["handout_fare_line"] == "Bus fare: free with your bus pass, both ways"


def test_preferring_free_puts_the_free_way_first_and_sorts_by_fares(
        finder_api: tuple[httpx.Client, str]) -> None:
    body = find(finder_api, bus_pass="older", fare_preference="free")
    row = debt_advice_at_ten(body)
    assert row["preferred_option"] == "free"
    feasible = [r for r in body["rows"] if r["feasibility"] == "feasible"]

    def cheapest(r: dict[str, Any]) -> int:
        paid = r["fare_total_pence"]
        free = r["free_option"]["fare_total_pence"] if r["free_option"] else None
        return min(p for p in (paid, free) if p is not None)

    costs = [cheapest(r) for r in feasible]
    assert costs == sorted(costs) and costs[0] == 0


def test_the_cost_limit_removes_sessions_and_says_so(
        finder_api: tuple[httpx.Client, str]) -> None:
    body = find(finder_api, "NG18 1AA", max_visit_cost_gbp=4)
    over = [r for r in body["rows"] if r["reason_code"] == "over_cost_limit"]
    assert over, "a £4 limit must remove the sessions that need a bus (£6 return at the cap)"
    for r in over:
        assert r["feasibility"] == "unreachable" and r["cost_within_limit"] is False
        assert r["reason"] == r["cost_reason"] and r["reason"].endswith("over your £4 limit")
        assert r["cost_total_pence"] > 400 and r["cost_limit_pence"] == 400
    # A free activity needing a bus each way: the reason gives the return fare.
    assert any(r["reason"] == "up to £6 return, over your £4 limit" for r in over)
    assert body["counts"]["over_cost_limit"] == len(over)
    n = len(over)
    assert any(f"Your £4 limit per visit (activity plus bus fares there and back) removes "
               f"{n} session{'s' if n != 1 else ''}" in e for e in body["explanations"])
    # Those within the limit say so, and the walkable ones cost only the activity.
    kept = [r for r in body["rows"] if r["feasibility"] == "feasible"]
    assert kept and all(r["cost_within_limit"] is not False for r in kept)
    # The same search without a limit keeps them all.
    free_of_limit = find(finder_api, "NG18 1AA")
    ids = {r["id"] for r in free_of_limit["rows"] if r["feasibility"] == "feasible"}
    assert {r["id"] for r in over} <= ids
    assert free_of_limit["counts"]["over_cost_limit"] == 0


def test_a_pass_keeps_sessions_within_the_limit(finder_api: tuple[httpx.Client, str]) -> None:
    """With a pass the afternoon is free, and the free option can save a morning visit."""
    without = find(finder_api, max_visit_cost_gbp=2)
    with_pass = find(finder_api, max_visit_cost_gbp=2, bus_pass="older")
    assert with_pass["counts"]["over_cost_limit"] < without["counts"]["over_cost_limit"]
    row = debt_advice_at_ten(with_pass)
    free = row["free_option"]
    if row["activity"]["cost"]["amount_gbp"] == 0:
        assert row["feasibility"] == "feasible" and row["cost_within_limit"] is True
        assert row["cost_reason"].endswith(f"if you catch the {free['first_bus_time']}")
        assert free["cost_within_limit"] is True


@pytest.mark.parametrize(("body", "field"), [
    ({"bus_pass": "gold"}, "bus_pass"),
    ({"max_visit_cost_gbp": -1}, "max_visit_cost_gbp"),
    ({"max_visit_cost_gbp": "lots"}, "max_visit_cost_gbp"),
    ({"fare_preference": "cheapest"}, "fare_preference"),
])
def test_bad_fare_fields_are_422_naming_the_field(finder_api: tuple[httpx.Client, str],
                                                  body: dict[str, Any], field: str) -> None:
    client, _ = finder_api
    r = client.post(URL, json={"origin": {"postcode": KIRKBY}, "dates": [WEDNESDAY], **body})
    assert r.status_code == 422, r.text
    assert field in {p["field"] for p in r.json()["problems"]}


def test_unknown_pass_issuer_is_422_naming_the_valid_ones(
        finder_api: tuple[httpx.Client, str]) -> None:
    client, _ = finder_api
    r = client.post(URL, json={"origin": {"postcode": KIRKBY}, "dates": [WEDNESDAY],
                               "bus_pass": "older", "bus_pass_issuer": "atlantis"})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "bus_pass_issuer" and "nottinghamshire" in r.json()["message"]
