"""Prices per leg, per journey and there and back; the cost limit; properties of the model."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.fares import (
    NO_PASS,
    SHIPPED_POLICY,
    BusPass,
    FareLeg,
    FareModel,
    check_cost_cap,
    format_pence,
    load_policy,
)

MODEL = FareModel()
OLDER = BusPass("older")


def bus(when: datetime, route_type: int = 3, route_id: str = "R1", agency: str = "STB",
        label: str = "the 1") -> FareLeg:
    return FareLeg("bus", when, route_id=route_id, route_type=route_type, agency_id=agency,
                   board_stop_id="3300TEST0001", label=label)


def walk(when: datetime) -> FareLeg:
    return FareLeg("walk", when)


def test_money_in_words() -> None:
    assert [format_pence(p) for p in (0, 80, 100, 300, 350, 1205, 250000)] == [
        "£0", "80p", "£1", "£3", "£3.50", "£12.05", "£2,500"]


def test_one_bus_at_the_cap() -> None:
    fare = MODEL.price_journey([walk(datetime(2025, 6, 4, 9)), bus(datetime(2025, 6, 4, 9, 5))])
    assert fare.total_pence == 300 and fare.upper_bound
    assert fare.describe() == "up to £3"
    leg = fare.legs[1]
    assert leg.basis == "cap" and leg.reason.startswith("up to £3: the £3 bus fare cap")
    assert fare.legs[0].pence == 0 and fare.legs[0].basis == "walk"


def test_two_buses_pay_two_capped_singles() -> None:
    legs = [bus(datetime(2025, 6, 4, 9, 5)), walk(datetime(2025, 6, 4, 9, 30)),
            bus(datetime(2025, 6, 4, 9, 40), route_id="R2", label="the 2")]
    fare = MODEL.price_journey(legs)
    assert [f.pence for f in fare.legs] == [300, 0, 300]
    assert fare.total_pence == 600 and fare.n_buses == 2


def test_the_cap_was_2_pounds_in_2024_and_3_pounds_from_2025() -> None:
    assert MODEL.price_journey([bus(datetime(2024, 12, 31, 23, 50))]).total_pence == 200
    assert MODEL.price_journey([bus(datetime(2025, 1, 1, 0, 5))]).total_pence == 300
    assert MODEL.price_journey([bus(datetime(2023, 1, 1, 10))]).total_pence == 200
    assert "£2 bus fare cap" in MODEL.price_journey([bus(datetime(2023, 7, 1, 10))]).legs[0].reason


def test_before_the_first_cap_the_fare_is_not_known() -> None:
    fare = MODEL.price_journey([bus(datetime(2022, 12, 31, 10))])
    assert fare.total_pence is None and fare.describe() == "fare not known"
    assert "no national fare cap before 1 January 2023" in fare.legs[0].reason


def test_after_the_policy_ends_the_last_cap_is_kept_and_flagged() -> None:
    fare = MODEL.price_journey([bus(datetime(2027, 4, 1, 10))])
    assert fare.total_pence == 300
    assert any("known only until 31 March 2027" in w and "may be out of date" in w
               for w in fare.warnings)
    assert MODEL.price_journey([bus(datetime(2027, 3, 31, 10))]).warnings == ()


def test_a_policy_can_refuse_to_guess_after_its_end(tmp_path: Path) -> None:
    text = SHIPPED_POLICY.read_text(encoding="utf-8").replace(
        'after_known_until = "keep-last"', 'after_known_until = "unknown"')
    path = tmp_path / "strict.toml"
    path.write_text(text, encoding="utf-8")
    strict = FareModel(policy=load_policy(path))
    fare = strict.price_journey([bus(datetime(2027, 4, 1, 10))])
    assert fare.total_pence is None and "fares after it are not known" in fare.legs[0].reason


def test_excluded_services_are_not_capped() -> None:
    coach = MODEL.price_journey([bus(datetime(2025, 6, 4, 10), route_type=200)])
    assert coach.total_pence is None
    assert coach.legs[0].reason.startswith("fare not known: coach services are outside the £3")
    school = MODEL.price_journey([bus(datetime(2025, 6, 4, 8), route_type=712)])
    assert school.total_pence is None and "school bus" in school.legs[0].reason


def test_excluded_routes_and_non_participating_operators(tmp_path: Path) -> None:
    text = SHIPPED_POLICY.read_text(encoding="utf-8").replace(
        'excluded_route_ids = []\nexcluded_agency_ids = []\nparticipating_agency_ids = []\n'
        'sources = [\n  "Department for Transport: single bus fares capped at £3',
        'excluded_route_ids = ["AIR1"]\nexcluded_agency_ids = []\n'
        'participating_agency_ids = ["STB"]\n'
        'sources = [\n  "Department for Transport: single bus fares capped at £3')
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    m = FareModel(policy=load_policy(path))
    when = datetime(2025, 6, 4, 10)
    assert m.price_journey([bus(when)]).total_pence == 300
    airport = m.price_journey([bus(when, route_id="AIR1")])
    assert airport.total_pence is None
    assert "route AIR1 is listed as outside" in airport.legs[0].reason
    other = m.price_journey([bus(when, agency="XYZ")])
    assert other.total_pence is None and "not listed as taking part" in other.legs[0].reason


def test_the_pass_makes_the_0930_bus_free_and_the_0912_one_paid() -> None:
    wed = date(2026, 12, 2)
    early = MODEL.price_journey([bus(datetime(2026, 12, 2, 9, 12))], OLDER)
    late = MODEL.price_journey([bus(datetime(2026, 12, 2, 9, 31))], OLDER)
    assert early.total_pence == 300 and not early.free_with_pass
    assert early.legs[0].reason.startswith("not free: boards at 09:12, before 09:30; up to £3")
    assert late.total_pence == 0 and late.free_with_pass and late.describe() == (
        "free with your bus pass")
    assert late.legs[0].paid_pence == 300  # what the free option saves
    assert MODEL.earliest_free_boarding(wed, OLDER) == 9 * 3600 + 30 * 60


def test_two_buses_one_before_0930() -> None:
    legs = [bus(datetime(2026, 12, 2, 9, 20)), bus(datetime(2026, 12, 2, 9, 45), label="the 2")]
    fare = MODEL.price_journey(legs, OLDER)
    assert [f.pence for f in fare.legs] == [300, 0]
    assert [f.pass_free for f in fare.legs] == [False, True]


def test_companion_fares() -> None:
    county_c = BusPass("companion", issued_by="nottinghamshire")
    legs = [FareLeg("bus", datetime(2026, 12, 2, 10), board_stop_id="3300MA0019")]
    fare = MODEL.price_journey(legs, county_c)
    assert fare.total_pence == 0 and fare.companion_total_pence == 0
    elsewhere = MODEL.price_journey(legs, BusPass("companion"))
    assert elsewhere.total_pence == 0 and elsewhere.companion_total_pence == 300
    assert MODEL.price_journey(legs, OLDER).companion_total_pence is None


def test_round_trip() -> None:
    there = [bus(datetime(2026, 12, 2, 9, 12))]
    back = [bus(datetime(2026, 12, 2, 14, 5))]
    trip = MODEL.price_round_trip(there, back, OLDER)
    assert (trip.there.total_pence, trip.back.total_pence, trip.total_pence) == (300, 0, 300)
    assert trip.describe() == "up to £3 there, free back with your bus pass"
    assert MODEL.price_round_trip(there, back).describe() == "up to £3 each way"
    free = MODEL.price_round_trip([bus(datetime(2026, 12, 2, 9, 40))], back, OLDER)
    assert free.free_with_pass and free.describe() == "free both ways with your bus pass"
    row = MODEL.price_round_trip(there, back).as_dict()
    assert (row["fare_out_pence"], row["fare_back_pence"], row["fare_total_pence"]) == (
        300, 300, 600)
    assert row["fare_text"] == "up to £3 each way" and row["fare_upper_bound"] is True
    assert row["fare_out"]["legs"][0]["basis"] == "cap"


def test_walk_only_journeys_cost_nothing() -> None:
    fare = MODEL.price_journey([walk(datetime(2026, 12, 2, 9))], OLDER)
    assert fare.total_pence == 0 and not fare.free_with_pass
    assert fare.describe() == "no bus fare (walk)"


def test_cost_limit() -> None:
    paid = MODEL.price_round_trip([bus(datetime(2026, 12, 2, 9, 12))],
                                  [bus(datetime(2026, 12, 2, 14, 5))])
    over = check_cost_cap(0, paid, 400)
    assert over.within is False and over.reason == "up to £6 return, over your £4 limit"
    assert over.total_pence == 600 and not over.exact
    with_activity = check_cost_cap(250, paid, 1000)
    assert with_activity.within and with_activity.reason == (
        "£2.50 activity + up to £6 return = £8.50, within your £10 limit")
    free_trip = MODEL.price_round_trip([bus(datetime(2026, 12, 2, 9, 40))],
                                       [bus(datetime(2026, 12, 2, 14, 5))], OLDER)
    ok = check_cost_cap(300, free_trip, 400)
    assert ok.within and ok.reason == (
        "£3 activity + free with your bus pass both ways = £3, within your £4 limit")
    assert check_cost_cap(0, free_trip, 0).reason.startswith("free:")
    assert check_cost_cap(500, None, 400).reason == "£5 (no bus needed), over your £4 limit"
    unknown = check_cost_cap(None, paid, 400)
    assert unknown.within is None and "activity's price is not known" in unknown.reason
    coach = MODEL.price_round_trip([bus(datetime(2026, 12, 2, 10), route_type=200)], [])
    assert check_cost_cap(0, coach, 400).within is None
    assert check_cost_cap(0, paid, 400).as_dict()["cost_within_limit"] is False


# ---- properties ---------------------------------------------------------------------------

_START = datetime(2023, 1, 1)
_times = st.integers(min_value=0, max_value=(datetime(2028, 6, 30) - _START).days * 86400)
_route_types = st.sampled_from([3, 3, 3, 700, 704, 200, 712, 0])
_passes = st.sampled_from([BusPass("older"), BusPass("disabled"),
                           BusPass("disabled", "nottingham-city"),
                           BusPass("companion", "nottinghamshire"), BusPass("companion")])
_stops = st.sampled_from(["3300MA0019", "3390C11025", "9400ZZNOOLD1", ""])


@st.composite
def journeys(draw: st.DrawFn) -> list[FareLeg]:
    t = _START + timedelta(seconds=draw(_times))
    legs: list[FareLeg] = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if draw(st.booleans()):
            legs.append(FareLeg("walk", t))
        else:
            legs.append(FareLeg("bus", t, route_type=draw(_route_types),
                                route_id=draw(st.sampled_from(["R1", "R2"])),
                                board_stop_id=draw(_stops)))
        t += timedelta(minutes=draw(st.integers(min_value=1, max_value=90)))
    return legs


@settings(max_examples=150, deadline=None)
@given(journeys(), _passes)
def test_total_is_the_sum_of_the_legs(legs: list[FareLeg], holder: BusPass) -> None:
    for h in (NO_PASS, holder):
        fare = MODEL.price_journey(legs, h)
        parts = [f.pence for f in fare.legs]
        if any(p is None for p in parts):
            assert fare.total_pence is None
        else:
            assert fare.total_pence == sum(p or 0 for p in parts)
        assert fare.known_pence == sum(p or 0 for p in parts)
        assert all(f.pence == 0 for f in fare.legs if f.leg.mode == "walk")


@settings(max_examples=150, deadline=None)
@given(journeys(), _passes)
def test_a_pass_never_makes_a_journey_dearer(legs: list[FareLeg], holder: BusPass) -> None:
    without = MODEL.price_journey(legs)
    with_pass = MODEL.price_journey(legs, holder)
    for a, b in zip(without.legs, with_pass.legs, strict=True):
        if a.pence is not None and b.pence is not None:
            assert b.pence <= a.pence
        assert b.pass_free <= (b.pence == 0)
    if without.total_pence is not None:
        assert with_pass.total_pence is not None
        assert with_pass.total_pence <= without.total_pence


@settings(max_examples=100, deadline=None)
@given(journeys(), _passes)
def test_free_windows_agree_with_leg_verdicts(legs: list[FareLeg], holder: BusPass) -> None:
    for leg in legs:
        if leg.mode != "bus":
            continue
        second = leg.boarding.hour * 3600 + leg.boarding.minute * 60 + leg.boarding.second
        wins = MODEL.free_windows(leg.boarding.date(), holder, leg.route_type,
                                  leg.board_stop_id)
        assert MODEL.pass_verdict(leg, holder).free == any(w.contains(second) for w in wins)
