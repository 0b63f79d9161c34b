"""When a bus pass makes a leg free: every boundary of the ENCTS window and the local extras."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from app.fares import BusPass, FareLeg, FareModel, service_time

OLDER = BusPass("older")
MODEL = FareModel()
WED = date(2026, 12, 2)  # an ordinary Wednesday


def bus(when: datetime, stop: str = "3300TEST0001", route_type: int = 3,
        route_id: str = "R1") -> FareLeg:
    return FareLeg("bus", when, route_id=route_id, route_type=route_type, board_stop_id=stop,
                   label="the 1")


def at(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss)


def test_0929_is_not_free_and_0930_is() -> None:
    early = MODEL.pass_verdict(bus(at(WED, 9, 29)), OLDER)
    assert not early.free and early.reason == "not free: boards at 09:29, before 09:30"
    last_second = MODEL.pass_verdict(bus(at(WED, 9, 29, 59)), OLDER)
    assert not last_second.free
    on_time = MODEL.pass_verdict(bus(at(WED, 9, 30)), OLDER)
    assert on_time.free and on_time.rule == "ENCTS"
    assert on_time.reason == ("free with your bus pass: boards at 09:30, at or after 09:30 on "
                              "a weekday")


def test_the_2300_boundary_is_inclusive() -> None:
    assert MODEL.pass_verdict(bus(at(WED, 23, 0)), OLDER).free
    late = MODEL.pass_verdict(bus(at(WED, 23, 1)), OLDER)
    assert not late.free and late.reason == "not free: boards at 23:01, after 23:00"
    assert not MODEL.pass_verdict(bus(at(WED, 0, 15)), OLDER).free


def test_weekends_are_free_all_day() -> None:
    sat = MODEL.pass_verdict(bus(datetime(2026, 12, 5, 6, 10)), OLDER)
    sun = MODEL.pass_verdict(bus(datetime(2026, 12, 6, 23, 50)), OLDER)
    assert sat.free and sat.reason == "free with your bus pass: Saturday, all day"
    assert sun.free


def test_bank_holidays_are_free_all_day() -> None:
    easter_monday = MODEL.pass_verdict(bus(datetime(2027, 3, 29, 7, 45)), OLDER)
    assert easter_monday.free
    assert easter_monday.reason == ("free with your bus pass: bank holiday (Easter Monday), "
                                    "all day")
    coronation = MODEL.pass_verdict(bus(datetime(2023, 5, 8, 8, 0)), BusPass("disabled"))
    assert coronation.free
    substitute = MODEL.pass_verdict(bus(datetime(2026, 12, 28, 8, 0)), OLDER)
    assert substitute.free and "Boxing Day" in substitute.reason


def test_a_year_without_bank_holiday_data_is_flagged() -> None:
    # Easter Monday 2028 is not in the shipped data: weekday rules apply, with a warning.
    v = MODEL.pass_verdict(bus(datetime(2028, 4, 17, 8, 0)), OLDER)
    assert not v.free and "bank holidays for 2028" in v.warning
    assert MODEL.pass_verdict(bus(at(WED, 8, 0)), OLDER).warning == ""


def test_no_pass_and_walks_have_no_verdict() -> None:
    assert not MODEL.pass_verdict(bus(at(WED, 10, 0)), BusPass()).applies
    assert not MODEL.pass_verdict(FareLeg("walk", at(WED, 10, 0)), OLDER).applies
    with pytest.raises(ValueError, match="pass kind"):
        BusPass("student")  # type: ignore[arg-type]


def test_coach_and_school_buses_do_not_take_the_pass() -> None:
    coach = MODEL.pass_verdict(bus(at(WED, 10, 0), route_type=200), OLDER)
    assert not coach.free and coach.reason == ("not free: coach services are not covered by "
                                               "the bus pass")
    school = MODEL.pass_verdict(bus(at(WED, 10, 0), route_type=712), OLDER)
    assert not school.free and "school bus" in school.reason
    assert not MODEL.pass_verdict(bus(at(WED, 10, 0), route_type=0), OLDER).free  # tram


def test_gtfs_times_after_midnight_belong_to_the_next_day() -> None:
    # Friday's 24:40 trip boards on Saturday at 00:40: free all day at the weekend.
    fri = date(2026, 12, 4)
    when = service_time(fri, 24 * 3600 + 40 * 60)
    assert when == datetime(2026, 12, 5, 0, 40)
    assert MODEL.pass_verdict(bus(when), OLDER).free
    # Thursday's 24:40 trip boards on Friday at 00:40: before 09:30, not free.
    assert not MODEL.pass_verdict(bus(service_time(date(2026, 12, 3), 88800)), OLDER).free


def test_service_time_on_the_clock_change_days() -> None:
    # GTFS measures from noon minus 12 h: on 29 March 2026 (clocks go forward) that is 23:00
    # the evening before, so daytime times read true and 00:30 is 23:30 on the 28th.
    assert service_time(date(2026, 3, 29), 9 * 3600 + 1800) == datetime(2026, 3, 29, 9, 30)
    assert service_time(date(2026, 3, 29), 1800) == datetime(2026, 3, 28, 23, 30)
    # on 25 October 2026 (clocks go back) service midnight is 01:00 on the clock
    assert service_time(date(2026, 10, 25), 9 * 3600 + 1800) == datetime(2026, 10, 25, 9, 30)
    assert service_time(date(2026, 10, 25), 1800) == datetime(2026, 10, 25, 1, 30)
    assert service_time(WED, 9 * 3600 + 1800) == datetime(2026, 12, 2, 9, 30)


def test_earliest_free_boarding() -> None:
    assert MODEL.earliest_free_boarding(WED, OLDER) == 9 * 3600 + 1800
    assert MODEL.earliest_free_boarding(WED, OLDER, not_before_s=10 * 3600) == 10 * 3600
    assert MODEL.earliest_free_boarding(WED, OLDER, not_before_s=23 * 3600 + 60) is None
    assert MODEL.earliest_free_boarding(date(2026, 12, 5), OLDER) == 0
    assert MODEL.earliest_free_boarding(WED, BusPass()) is None
    assert MODEL.earliest_free_boarding(WED, OLDER, route_type=200) is None


def test_free_boarding_mask_for_the_planner() -> None:
    secs = np.array([9 * 3600 + 1799, 9 * 3600 + 1800, 23 * 3600, 23 * 3600 + 1])
    assert MODEL.free_boarding_mask(WED, secs, OLDER).tolist() == [False, True, True, False]
    assert MODEL.free_boarding_mask(date(2026, 12, 6), secs, OLDER).all()
    assert not MODEL.free_boarding_mask(WED, secs, BusPass()).any()


# ---- local enhancements (travel concession authorities) ----------------------------------

CITY_STOP = "3390C11025"
COUNTY_STOP = "3300MA0019"


def test_nottingham_city_disabled_passes_are_free_before_0930_in_the_city() -> None:
    city_disabled = BusPass("disabled", issued_by="nottingham-city")
    v = MODEL.pass_verdict(bus(at(WED, 7, 45), stop=CITY_STOP), city_disabled)
    assert v.free and v.rule == "nottingham-city-disabled-before-0930"
    assert "Nottingham City Council allows on weekdays" in v.reason
    assert MODEL.earliest_free_boarding(WED, city_disabled, board_stop_id=CITY_STOP) == 0
    # ... not for journeys beginning in the county, nor for older or county-issued passes
    assert not MODEL.pass_verdict(bus(at(WED, 7, 45), stop=COUNTY_STOP), city_disabled).free
    assert not MODEL.pass_verdict(bus(at(WED, 7, 45), stop=CITY_STOP),
                                  BusPass("older", issued_by="nottingham-city")).free
    assert not MODEL.pass_verdict(bus(at(WED, 7, 45), stop=CITY_STOP),
                                  BusPass("disabled", issued_by="nottinghamshire")).free
    # ... nor when the issuer is unknown: only the national scheme is assumed
    assert not MODEL.pass_verdict(bus(at(WED, 7, 45), stop=CITY_STOP),
                                  BusPass("disabled")).free


def test_nottinghamshire_passes_follow_the_statutory_hours() -> None:
    county = BusPass("disabled", issued_by="nottinghamshire")
    assert not MODEL.pass_verdict(bus(at(WED, 9, 29), stop=COUNTY_STOP), county).free
    assert MODEL.earliest_free_boarding(WED, county, board_stop_id=COUNTY_STOP) == 34200


def test_net_tram_is_free_for_notts_passes_only() -> None:
    tram = FareLeg("bus", at(WED, 10, 0), route_type=0, board_stop_id="9400ZZNOOLD1")
    assert MODEL.pass_verdict(tram, BusPass("older", issued_by="nottinghamshire")).free
    assert MODEL.pass_verdict(tram, BusPass("older", issued_by="nottingham-city")).free
    assert not MODEL.pass_verdict(tram, BusPass("older")).free
    early = FareLeg("bus", at(WED, 9, 0), route_type=0, board_stop_id="9400ZZNOOLD1")
    assert not MODEL.pass_verdict(early, BusPass("older", issued_by="nottinghamshire")).free


def test_companion_passes() -> None:
    county_c = BusPass("companion", issued_by="nottinghamshire")
    v = MODEL.pass_verdict(bus(at(WED, 10, 0), stop=COUNTY_STOP), county_c)
    assert v.free and v.companion_free
    assert v.reason.endswith("your companion travels free too")
    # a companion pass from elsewhere: the holder is free nationally, the companion pays
    other = MODEL.pass_verdict(bus(at(WED, 10, 0), stop=COUNTY_STOP), BusPass("companion"))
    assert other.free and not other.companion_free and other.reason.endswith("companion pays")
    # at the weekend the companion entitlement runs all day too
    sat = MODEL.pass_verdict(bus(datetime(2026, 12, 5, 8, 0), stop=COUNTY_STOP), county_c)
    assert sat.free and sat.companion_free


def test_free_journey_mask_needs_every_boarding_in_the_window() -> None:
    first = np.array([9 * 3600 + 1740, 9 * 3600 + 1800, 22 * 3600, 10 * 3600])
    last = np.array([10 * 3600, 10 * 3600, 23 * 3600 + 300, 23 * 3600])
    assert MODEL.free_journey_mask(WED, first, last, OLDER).tolist() == [
        False, True, False, True]
    assert MODEL.free_journey_mask(date(2026, 12, 5), first, last, OLDER).all()
    assert not MODEL.free_journey_mask(WED, first, last, BusPass()).any()
