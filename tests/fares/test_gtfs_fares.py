"""A feed's own fares (GTFS Fares v1 and v2), the cap on top of them, and the real feeds."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.fares import (
    BusPass,
    FareLeg,
    FareModel,
    FaresDataError,
    FeedFareError,
    FeedFares,
    fare_legs_from_engine,
    load_feed_fares,
)
from app.fares.feed_store import feed_fares_from_json, feed_fares_from_routes, feed_fares_to_json
from app.routing.journey import Leg, Place

FEEDS = Path(__file__).parent / "feeds"
WED_2025 = datetime(2025, 6, 4)


def at(hh: int, mm: int, day: datetime = WED_2025) -> datetime:
    return day.replace(hour=hh, minute=mm)


@pytest.fixture(scope="module")
def v1() -> FeedFares:
    return load_feed_fares(FEEDS / "v1", "stb")


@pytest.fixture(scope="module")
def v2() -> FeedFares:
    return load_feed_fares(FEEDS / "v2", "ltb")


def _price(feed: FeedFares, legs: list[FareLeg], holder: BusPass | None = None) -> list[
        int | None]:
    model = FareModel(feeds={feed.name: feed})
    fare = model.price_journey(legs, holder or BusPass())
    return [f.pence for f in fare.legs]


def test_v1_feed_is_read(v1: FeedFares) -> None:
    assert v1.version == "v1"
    assert v1.routes["C1"].route_type == 200 and v1.routes["R1"].agency_id == "STB"
    assert v1.trip_routes["T1"] == "R1" and v1.stop_zones["3300TEST0003"] == "B"
    leg = v1.fare_leg("T1", "3300TEST0001", "3300TEST0002", at(9, 0))
    assert (leg.route_id, leg.route_type, leg.label, leg.feed) == ("R1", 3, "the 1", "stb")


def test_v1_zone_fares(v1: FeedFares) -> None:
    a_to_a = v1.fare_leg("T1", "3300TEST0001", "3300TEST0002", at(9, 0))
    a_to_b = v1.fare_leg("T1", "3300TEST0001", "3300TEST0003", at(9, 0))
    model = FareModel(feeds={"stb": v1})
    fare = model.price_journey([a_to_a])
    assert fare.total_pence == 180 and not fare.upper_bound
    assert fare.legs[0].basis == "feed"
    assert fare.legs[0].reason == "£1.80: the timetable's fare 'town_single'"
    assert _price(v1, [a_to_b]) == [240]


def test_feed_fares_above_the_cap_are_capped(v1: FeedFares) -> None:
    long_ride = v1.fare_leg("T2", "3300TEST0003", "3390TEST0004", at(9, 20))
    fare = FareModel(feeds={"stb": v1}).price_journey([long_ride])
    assert fare.total_pence == 300 and fare.legs[0].basis == "feed-capped"
    assert fare.legs[0].reason == ("£3: the timetable's fare 'long_single' is £4.50, capped at "
                                   "£3 by the £3 bus fare cap")
    in_2024 = v1.fare_leg("T2", "3300TEST0003", "3390TEST0004", at(9, 20, datetime(2024, 6, 5)))
    assert _price(v1, [in_2024]) == [200]


def test_coach_fares_from_the_feed_are_not_capped(v1: FeedFares) -> None:
    coach = v1.fare_leg("T3", "3300TEST0001", "3390TEST0004", at(10, 0))
    assert _price(v1, [coach]) == [700]
    assert _price(v1, [coach], BusPass("older")) == [700]  # nor free with a pass


def test_v1_transfers_within_the_duration(v1: FeedFares) -> None:
    first = v1.fare_leg("T6", "3300TEST0001", "3300TEST0002", at(10, 0))
    second = v1.fare_leg("T7", "3300TEST0002", "3300TEST0003", at(10, 10))
    model = FareModel(feeds={"stb": v1})
    fare = model.price_journey([first, FareLeg("walk", at(10, 5)), second])
    assert [f.pence for f in fare.legs] == [150, 0, 0]
    assert fare.legs[2].basis == "transfer" and "covered by the ticket bought on the 3" in (
        fare.legs[2].reason)
    # one transfer only, and within an hour of buying the ticket
    third = v1.fare_leg("T6", "3300TEST0001", "3300TEST0002", at(10, 30))
    assert _price(v1, [first, second, third]) == [150, 0, 150]
    too_late = v1.fare_leg("T7", "3300TEST0002", "3300TEST0003", at(11, 1))
    assert _price(v1, [first, too_late]) == [150, 150]


def test_v1_contains_rules_need_the_zones_passed(v1: FeedFares) -> None:
    through = v1.fare_leg("T8", "3300TEST0001", "3390TEST0004", at(11, 0))
    assert _price(v1, [through]) == [290]  # passes zones A, B and C: abc_through
    part = v1.fare_leg("T8", "3300TEST0003", "3390TEST0004", at(11, 10))
    fare = FareModel(feeds={"stb": v1}).price_journey([part])
    assert fare.total_pence == 300 and fare.legs[0].basis == "cap"  # no feed fare: the cap


def test_feed_fares_and_the_pass(v1: FeedFares) -> None:
    leg = v1.fare_leg("T1", "3300TEST0001", "3300TEST0002", at(9, 29))
    later = v1.fare_leg("T1", "3300TEST0001", "3300TEST0002", at(9, 30))
    assert _price(v1, [leg], BusPass("older")) == [180]
    fare = FareModel(feeds={"stb": v1}).price_journey([later], BusPass("older"))
    assert fare.total_pence == 0 and fare.legs[0].paid_pence == 180


def test_v2_leg_rules(v2: FeedFares) -> None:
    assert v2.version == "v2"
    wed, sat = datetime(2025, 6, 4), datetime(2025, 6, 7)
    centre = v2.fare_leg("U1", "3390TEST1001", "3390TEST1002", at(10, 0, wed))
    early = v2.fare_leg("U1", "3390TEST1001", "3390TEST1002", at(8, 0, wed))
    early_saturday = v2.fare_leg("U1", "3390TEST1001", "3390TEST1002", at(8, 0, sat))
    out = v2.fare_leg("U1", "3390TEST1001", "3390TEST1003", at(8, 0, sat))
    express = v2.fare_leg("U2", "3390TEST1004", "3390TEST1005", at(10, 0, wed))
    # the senior product (50p) is not the default rider category, so adults pay £1.70
    assert _price(v2, [centre]) == [170]
    assert _price(v2, [early]) == [100]  # early-bird timeframe on weekdays (service WKDY)
    assert _price(v2, [early_saturday]) == [170]
    assert _price(v2, [out]) == [220]
    fare = FareModel(feeds={"ltb": v2}).price_journey([express])
    assert fare.total_pence == 300 and fare.legs[0].basis == "feed-capped"  # £4.20 capped


def test_v2_transfer_rules(v2: FeedFares) -> None:
    wed = datetime(2025, 6, 4)
    centre = v2.fare_leg("U1", "3390TEST1001", "3390TEST1002", at(9, 0, wed))
    express = v2.fare_leg("U2", "3390TEST1004", "3390TEST1005", at(9, 20, wed))
    model = FareModel(feeds={"ltb": v2})
    fare = model.price_journey([centre, FareLeg("walk", at(9, 10, wed)), express])
    assert [f.pence for f in fare.legs] == [170, 0, 100]  # A + AB: the £1 transfer fare
    assert "a transfer fare after the L1" in fare.legs[2].reason
    # over the 90 minutes from the first departure: the express single (£4.20, capped at £3)
    late = v2.fare_leg("U2", "3390TEST1004", "3390TEST1005", at(10, 31, wed))
    assert _price(v2, [centre, late]) == [170, 300]
    # express first, then town: no rule in that direction
    town_after = v2.fare_leg("U1", "3390TEST1001", "3390TEST1002", at(9, 40, wed))
    assert _price(v2, [express, town_after]) == [300, 170]
    # with a bus pass: a free ride buys no ticket, so the 23:05 ride cannot transfer from it
    # (£0 + £3); buying both tickets (£1.70 + £1 transfer) is cheaper, and is what is shown
    free = v2.fare_leg("U1", "3390TEST1001", "3390TEST1002", at(22, 50, wed))
    after_23 = v2.fare_leg("U2", "3390TEST1004", "3390TEST1005", at(23, 5, wed))
    late_fare = model.price_journey([free, after_23], BusPass("older"))
    assert [f.pence for f in late_fare.legs] == [170, 100]
    assert "buying tickets all the way is cheaper here than using the pass" in late_fare.warnings
    assert _price(v2, [centre, express], BusPass("older")) == [170, 100]


def test_v2_rule_priority(tmp_path: Path, v2: FeedFares) -> None:
    feed = tmp_path / "v2p"
    shutil.copytree(FEEDS / "v2", feed)
    (feed / "fare_transfer_rules.txt").unlink()
    (feed / "fare_leg_rules.txt").write_text(
        "leg_group_id,network_id,from_area_id,to_area_id,fare_product_id,rule_priority\n"
        "anything,,,,express_single,0\n"
        "town,town,,,town_out,1\n", encoding="utf-8")
    fares = load_feed_fares(feed, "p")
    centre = fares.fare_leg("U1", "3390TEST1001", "3390TEST1002", at(10, 0))
    express = fares.fare_leg("U2", "3390TEST1004", "3390TEST1005", at(10, 0))
    assert _price(fares, [centre]) == [220]  # the town rule outranks the catch-all
    assert _price(fares, [express]) == [300]  # the catch-all (£4.20), capped


def test_a_zipped_feed_in_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "stb.zip"
    with zipfile.ZipFile(path, "w") as z:
        for f in (FEEDS / "v1").iterdir():
            z.write(f, f"stb-gtfs/{f.name}")
    fares = load_feed_fares(path)
    assert fares.name == "stb" and fares.version == "v1"
    leg = fares.fare_leg("T8", "3300TEST0001", "3390TEST0004", at(11, 0))
    assert _price(fares, [leg]) == [290]  # contains rule: stop_times read from the zip


def test_a_feed_without_fares_falls_back_to_the_cap(tmp_path: Path) -> None:
    feed = tmp_path / "nofares"
    shutil.copytree(FEEDS / "v1", feed)
    (feed / "fare_attributes.txt").unlink()
    (feed / "fare_rules.txt").unlink()
    fares = load_feed_fares(feed)
    assert fares.version is None
    leg = fares.fare_leg("T1", "3300TEST0001", "3300TEST0002", at(9, 0))
    assert _price(fares, [leg]) == [300]


def test_fares_in_another_currency_are_not_used(tmp_path: Path) -> None:
    feed = tmp_path / "eur"
    shutil.copytree(FEEDS / "v1", feed)
    text = (feed / "fare_attributes.txt").read_text(encoding="utf-8").replace("GBP", "EUR")
    (feed / "fare_attributes.txt").write_text(text, encoding="utf-8")
    fares = load_feed_fares(feed, "eur")
    leg = fares.fare_leg("T1", "3300TEST0001", "3300TEST0002", at(9, 0))
    fare = FareModel(feeds={"eur": fares}).price_journey([leg])
    assert fare.total_pence is None and "fares are in EUR, not GBP" in fare.legs[0].reason


def test_bad_fare_files_report_every_row(tmp_path: Path) -> None:
    feed = tmp_path / "bad"
    shutil.copytree(FEEDS / "v1", feed)
    (feed / "fare_attributes.txt").write_text(
        "fare_id,price,currency_type,payment_method,transfers\n"
        "a,1.805,GBP,0,0\n"
        "b,two,GBP,0,0\n"
        "c,1.00,pounds,0,7\n"
        "a,1.00,GBP,0,0\n", encoding="utf-8")
    (feed / "fare_rules.txt").write_text(
        "fare_id,route_id,origin_id\nzz,R1,A\na,R9,Q\n", encoding="utf-8")
    with pytest.raises(FeedFareError) as err:
        load_feed_fares(feed, "bad")
    problems = err.value.problems
    for needle in ("fare_attributes.txt:2 price: '1.805'", "fare_attributes.txt:3 price: 'two'",
                   "fare_attributes.txt:4 currency_type: 'POUNDS'",
                   "fare_attributes.txt:4 transfers: '7'", "fare_attributes.txt:5 fare_id: 'a'",
                   "fare_rules.txt:2 fare_id: 'zz'", "fare_rules.txt:3 route_id: 'R9'",
                   "fare_rules.txt:3 origin_id: zone 'Q'"):
        assert any(p.startswith(needle) for p in problems), (needle, problems)
    with pytest.raises(FeedFareError, match="cannot open"):
        load_feed_fares(tmp_path / "missing.zip")


def test_engine_legs_become_fare_legs(v1: FeedFares) -> None:
    a = Place("Market Place", 53.14, -1.2, "3300TEST0001")
    b = Place("Forest Road", 53.15, -1.19, "3300TEST0003")
    c = Place("Victoria Centre", 52.958, -1.149, "3390TEST0004")
    home = Place("home", 53.139, -1.201)
    day = date(2025, 6, 4)
    legs = [Leg("walk", home, a, 8 * 3600 + 50 * 60, 9 * 3600, walk_m=300),
            Leg("bus", a, b, 9 * 3600, 9 * 3600 + 900, route_short_name="1", trip_id="stb:T1"),
            Leg("bus", b, c, 9 * 3600 + 1200, 9 * 3600 + 3000, route_short_name="2",
                trip_id="stb:T2"),
            Leg("bus", c, a, 25 * 3600, 25 * 3600 + 600, route_short_name="9",
                trip_id="other:N9")]
    fare_legs = fare_legs_from_engine(legs, day, {"stb": v1})
    assert [f.mode for f in fare_legs] == ["walk", "bus", "bus", "bus"]
    assert (fare_legs[1].route_id, fare_legs[1].label, fare_legs[1].boarding) == (
        "R1", "the 1", datetime(2025, 6, 4, 9, 0))
    assert fare_legs[2].alighting == datetime(2025, 6, 4, 9, 50)
    assert fare_legs[3].boarding == datetime(2025, 6, 5, 1, 0) and fare_legs[3].feed == ""
    fare = FareModel(feeds={"stb": v1}).price_journey(fare_legs)
    assert [f.pence for f in fare.legs] == [0, 240, 300, 300]


# ---- the real feeds under GEODATA_DIR ------------------------------------------------------


def _shared(rel: str) -> Path:
    path = Path(os.environ.get("GEODATA_DIR", "")) / rel
    if not path.exists():
        pytest.fail(f"{path} is missing (GEODATA_DIR must hold the shared data)")
    return path


@pytest.mark.realdata
def test_midnotts_feed_has_no_fares_so_the_cap_applies() -> None:
    feed_path = _shared("transport/midnotts_synthetic_gtfs.zip")
    with zipfile.ZipFile(feed_path) as z:
        assert not {"fare_attributes.txt", "fare_rules.txt", "fare_products.txt"} & set(
            z.namelist())
    fares = load_feed_fares(feed_path, "midnotts")
    assert fares.version is None and len(fares.routes) == 34
    trip = next(t for t, r in fares.trip_routes.items() if r == "D1")
    leg = fares.fare_leg(trip, "", "", datetime(2026, 12, 2, 9, 10))
    assert leg.route_id == "D1" and leg.agency_id == "LCS" and leg.label == "the D1"
    model = FareModel(feeds={"midnotts": fares})
    assert model.price_journey([leg]).total_pence == 300
    assert model.price_journey([leg], BusPass("older")).legs[0].reason.startswith(
        "not free: boards at 09:10, before 09:30")


@pytest.mark.realdata
def test_porto_alegre_fares_are_read_but_not_mixed_with_pounds() -> None:
    fares = load_feed_fares(_shared("poa/poa_eptc.zip"), "poa")
    assert fares.version == "v1" and fares.fares_v1["tarifa"].minor == 470
    assert fares.fares_v1["tarifa"].currency == "BRL"
    trip = next(iter(fares.trip_routes))
    leg = fares.fare_leg(trip, "", "", datetime(2026, 12, 2, 10, 0))
    fare = FareModel(feeds={"poa": fares}).price_journey([leg])
    assert fare.total_pence is None and "in BRL, not GBP" in fare.legs[0].reason


def test_bad_transfer_rules_are_reported(tmp_path: Path) -> None:
    feed = tmp_path / "badv2"
    shutil.copytree(FEEDS / "v2", feed)
    (feed / "fare_transfer_rules.txt").write_text(
        "from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,"
        "fare_transfer_type,fare_product_id\n"
        "nowhere,express,x,90m,,5,gold\n", encoding="utf-8")
    with pytest.raises(FeedFareError) as err:
        load_feed_fares(feed)
    problems = err.value.problems
    for needle in ("from_leg_group_id: 'nowhere'", "transfer_count: 'x'",
                   "duration_limit: '90m'", "fare_transfer_type: '5'", "fare_product_id: 'gold'"):
        assert any(f"fare_transfer_rules.txt:2 {needle}" in p for p in problems), (needle,
                                                                                  problems)


_RIDES = [("T1", "3300TEST0001", "3300TEST0002"), ("T1", "3300TEST0001", "3300TEST0003"),
          ("T2", "3300TEST0003", "3390TEST0004"), ("T3", "3300TEST0001", "3390TEST0004"),
          ("T6", "3300TEST0001", "3300TEST0002"), ("T7", "3300TEST0002", "3300TEST0003"),
          ("T8", "3300TEST0001", "3390TEST0004"), ("T8", "3300TEST0003", "3390TEST0004")]


_FIXTURE_FEEDS = {"stb": load_feed_fares(FEEDS / "v1", "stb")}


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_RIDES), st.integers(0, 180)), min_size=1,
                max_size=4),
       st.integers(0, 5 * 365 * 24 * 60),
       st.sampled_from([BusPass("older"), BusPass("companion", "nottinghamshire")]))
def test_feed_fares_properties(rides: list[tuple[tuple[str, str, str], int]], start_min: int,
                               holder: BusPass) -> None:
    feeds = _FIXTURE_FEEDS
    model = FareModel(feeds=feeds)
    t = datetime(2023, 1, 1) + timedelta(minutes=start_min)
    legs = []
    for (trip, a, b), gap in rides:
        t += timedelta(minutes=gap)
        legs.append(feeds["stb"].fare_leg(trip, a, b, t, t + timedelta(minutes=20)))
    without, with_pass = model.price_journey(legs), model.price_journey(legs, holder)
    for fare in (without, with_pass):
        parts = [f.pence for f in fare.legs]
        assert fare.total_pence == (None if None in parts else sum(p or 0 for p in parts))
    if without.total_pence is not None and with_pass.total_pence is not None:
        assert with_pass.total_pence <= without.total_pence
    # a capped service never costs more than the cap in force
    for f in without.legs:
        if f.pence is not None and f.leg.route_type == 3:
            assert f.pence <= (200 if f.leg.boarding.year < 2025 else 300)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_feed_fares_survive_json(version: str) -> None:
    original = load_feed_fares(FEEDS / version, "f")
    doc = json.loads(json.dumps(feed_fares_to_json(original)))
    copy = feed_fares_from_json(doc)
    assert copy.version == original.version
    legs = {"v1": [("T8", "3300TEST0001", "3390TEST0004", 11, 0),
                   ("T6", "3300TEST0001", "3300TEST0002", 12, 0),
                   ("T7", "3300TEST0002", "3300TEST0003", 12, 10)],
            "v2": [("U1", "3390TEST1001", "3390TEST1002", 8, 0),
                   ("U2", "3390TEST1004", "3390TEST1005", 8, 30)]}[version]
    for feed in (original, copy):
        fare_legs = [feed.fare_leg(t, a, b, at(h, m)) for t, a, b, h, m in legs]
        assert _price(feed, fare_legs) == ({"v1": [290, 150, 0], "v2": [100, 300]}[version])
    with pytest.raises(FaresDataError, match="format"):
        feed_fares_from_json({"format": "other"})


def test_feed_fares_from_route_tables() -> None:
    feed = feed_fares_from_routes("m", [("D1", "LCS", 3, "D1"), ("X9", "TVX", 200, "X9")],
                                  [("t1", "D1"), ("t2", "X9")])
    model = FareModel(feeds={"m": feed})
    d1 = feed.fare_leg("t1", "", "", at(10, 0))
    coach = feed.fare_leg("t2", "", "", at(10, 0))
    assert (d1.agency_id, d1.label) == ("LCS", "the D1")
    assert [f.pence for f in model.price_journey([d1, coach]).legs] == [300, None]
