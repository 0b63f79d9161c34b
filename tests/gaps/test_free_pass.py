"""The planner's "free with a bus pass" view: the masking rules, and the view on real data."""

from __future__ import annotations

import datetime as dt

import httpx
import numpy as np
import pytest

from app.routing.roundtrip_venue import NO_ARR, NO_DEP
from app.services.gaps.free_pass import FreeRule, fare_model, free_searches, rule_text
from tests.gaps.test_gaps_realdata import q

H = 3600
WEDNESDAY = dt.date(2026, 11, 25)
SATURDAY = dt.date(2026, 11, 28)
BOXING_DAY_MONDAY = dt.date(2026, 12, 28)  # substitute bank holiday (Boxing Day is a Saturday)


def masked(day: dt.date, latest: list[int], earliest: list[int], start: int,
           end: int) -> tuple[list[int], list[int]]:
    """free_searches on one session with one value per stop."""
    lat, ear = free_searches(FreeRule(fare_model(), day), np.array([latest]), np.array([earliest]),
                             np.array([start]), np.array([end]), 300)
    return lat[0].tolist(), ear[0].tolist()


def hm(h: int, m: int) -> int:
    return h * H + m * 60


def test_weekday_outward_boarding_0929_is_not_free_0930_is() -> None:
    lat, _ = masked(WEDNESDAY, [hm(9, 29), hm(9, 30), NO_DEP], [NO_ARR] * 3, hm(10, 30),
                    hm(12, 0))
    assert lat == [NO_DEP, hm(9, 30), NO_DEP]


def test_weekday_return_must_board_before_2300() -> None:
    # the session ends 21:30, so the way home starts at 21:35; arriving at a stop by 22:59
    # means every bus home was boarded before 23:00; arriving at 23:05 may not have been
    _, ear = masked(WEDNESDAY, [hm(18, 0)] * 3, [hm(22, 59), hm(23, 5), NO_ARR], hm(19, 0),
                    hm(21, 30))
    assert ear == [hm(22, 59), NO_ARR, NO_ARR]


def test_a_morning_session_ending_before_0925_has_no_free_way_home() -> None:
    _, ear = masked(WEDNESDAY, [hm(7, 0)], [hm(9, 40)], hm(8, 0), hm(9, 0))
    assert ear == [NO_ARR]  # the bus home boards from 09:05, before the pass is valid


@pytest.mark.parametrize("day", [SATURDAY, BOXING_DAY_MONDAY])
def test_weekends_and_bank_holidays_are_free_all_day(day: dt.date) -> None:
    lat, ear = masked(day, [hm(7, 10), hm(9, 0)], [hm(12, 0), hm(23, 30)], hm(10, 0), hm(11, 0))
    assert lat == [hm(7, 10), hm(9, 0)] and ear == [hm(12, 0), hm(23, 30)]


def test_free_from_is_0930_on_weekdays_and_none_at_weekends() -> None:
    assert FreeRule(fare_model(), WEDNESDAY).free_from() == "09:30"
    assert FreeRule(fare_model(), SATURDAY).free_from() is None
    assert FreeRule(fare_model(), BOXING_DAY_MONDAY).free_from() is None


def test_the_rule_in_words_comes_from_the_policy() -> None:
    week = [WEDNESDAY - dt.timedelta(days=2) + dt.timedelta(days=i) for i in range(7)]
    text = rule_text(week)
    assert "from 09:30 until 23:00 on weekdays" in text and "all day at weekends" in text
    assert "Concessionary" in text


# ---- the view on the real Notts data ----------------------------------------------------

@pytest.mark.realdata
def test_free_view_never_gains_and_loses_reach_on_weekday_mornings(gaps_db: str) -> None:
    rows = q(gaps_db, """
        SELECT o.band, count(*), sum((f.activities_share < o.activities_share - 1e-9)::int),
               sum((f.activities_share > o.activities_share + 1e-9)::int),
               sum(o.activities_share), sum(f.activities_share)
        FROM gap_result o JOIN gap_result f USING (band, budget, level, code, category)
        WHERE o.audience = 'older' AND f.audience = 'older_free' GROUP BY 1""")
    by_band = {r[0]: r[1:] for r in rows}
    assert set(by_band) == {"weekday_day", "weekday_evening", "weekend"}
    for n, _lower, higher, _, _ in by_band.values():
        assert n > 0 and higher == 0  # only free trips count: never more reach
    # weekday daytime: sessions before about 10:00 can only be reached on a bus before 09:30
    assert by_band["weekday_day"][1] > 0
    assert by_band["weekday_day"][4] < by_band["weekday_day"][3]
    # weekends are free all day: the view is the older residents' own
    assert by_band["weekend"][1] == 0


@pytest.mark.realdata
def test_losing_access_counts_add_up(gaps_db: str) -> None:
    rows = q(gaps_db, """
        SELECT r.band, r.budget, r.detail -> 'free_with_pass', (a.population ->> '65+')::float
        FROM gap_result r JOIN gap_area a ON a.level = 'lsoa' AND a.code = r.code
        WHERE r.level = 'lsoa' AND r.category = 'all' AND r.audience = 'all'""")
    lost: dict[str, int] = {}
    for band, _, f, older in rows:
        assert f["older_residents"] == round(older)
        assert 0 <= f["with_access_free"] <= f["with_access"] <= f["older_residents"] + 1
        assert f["residents_losing_access"] == pytest.approx(
            f["residents_losing_access_before_0930"] + f["residents_losing_access_late_return"],
            abs=1)
        assert f["residents_losing_access"] == pytest.approx(
            f["with_access"] - f["with_access_free"], abs=2)
        assert f["free_from"] == (None if band == "weekend" else "09:30")
        lost[band] = lost.get(band, 0) + f["residents_losing_access_before_0930"]
    assert lost["weekday_day"] > 0 and lost["weekend"] == 0


@pytest.mark.realdata
def test_free_view_over_http(gaps_site: dict[str, str]) -> None:
    url = gaps_site["url"] + "/api/gaps"
    base = {"level": "lsoa", "band": "weekday_day", "audience": "older", "budget": 45}
    normal = httpx.get(url, params=base, timeout=60).json()
    free = httpx.get(url, params=base | {"free_with_pass": "true"}, timeout=60).json()
    assert free["meta"]["free_with_pass"] is True and "09:30" in free["meta"][
        "free_with_pass_rule"]
    assert normal["meta"]["free_with_pass"] is False
    a = {f["id"]: f["properties"]["activities_share"] for f in normal["features"]}
    b = {f["id"]: f["properties"]["activities_share"] for f in free["features"]}
    assert a.keys() == b.keys() and any(b[k] < a[k] for k in a)
    classes_a = {f["id"]: f["properties"]["gap_class"] for f in normal["features"]}
    classes_b = {f["id"]: f["properties"]["gap_class"] for f in free["features"]}
    assert classes_a != classes_b
    # only for older residents: a clear 422 naming the field
    r = httpx.get(url, params=base | {"audience": "all", "free_with_pass": "true"}, timeout=60)
    assert r.status_code == 422 and "free_with_pass" in r.text
    csv = httpx.get(url, params=base | {"free_with_pass": "true", "format": "csv"}, timeout=60)
    assert csv.status_code == 200 and "Free with a bus pass" in csv.text
    assert "_free_" in csv.headers["content-disposition"]
    # the detail: per band, how many older residents lose access; a ward sums its LSOAs
    ward = free["features"][0]["properties"]["ward_code"]
    d = httpx.get(gaps_site["url"] + f"/api/gaps/ward/{ward}",
                  params={"free_with_pass": "true"}, timeout=60).json()
    assert d["free_with_pass"] is True
    day = d["bands"]["weekday_day"]["free_with_pass"]
    assert day["free_from"] == "09:30" and day["older"] and day["free"]
    assert day["free"]["activities_share"] <= day["older"]["activities_share"]
    total = 0
    for lsoa in d["lsoas"]:
        ld = httpx.get(gaps_site["url"] + f"/api/gaps/lsoa/{lsoa['code']}",
                       params={"free_with_pass": "true"}, timeout=60).json()
        total += ld["bands"]["weekday_day"]["free_with_pass"][
            "residents_losing_access_before_0930"]
    assert day["residents_losing_access_before_0930"] == total
    method = httpx.get(gaps_site["url"] + "/method", timeout=30).text
    assert 'id="free-with-a-bus-pass"' in method and "before 09:30" in method
    plain = httpx.get(gaps_site["url"] + f"/api/gaps/ward/{ward}", timeout=60).json()
    assert plain["free_with_pass"] is False
    assert "free_with_pass" not in plain["bands"]["weekday_day"]
