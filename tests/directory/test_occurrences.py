"""Schedule expansion: examples and hypothesis properties of weekly, fortnightly, monthly."""

from __future__ import annotations

import calendar
import itertools
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.directory.occurrences import (
    WEEKDAYS,
    Rule,
    ScheduleError,
    describe,
    make_rule,
    occurrences,
    parse_weekday,
)

DAYS = st.sampled_from(WEEKDAYS)
DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
SPANS = st.integers(min_value=0, max_value=400)


def dates_of(rule: Rule, start: date, end: date, status: str = "active") -> list[date]:
    return [o.date for o in occurrences(rule, start, end, status=status)]


def test_weekly_thursday_from_dtstart() -> None:
    rule = make_rule(freq="WEEKLY", byday="TH", dtstart=date(2026, 11, 5),
                     opens_at=time(12), closes_at=time(14))
    got = occurrences(rule, date(2026, 11, 1), date(2026, 11, 30))
    assert [o.date.day for o in got] == [5, 12, 19, 26]
    assert got[0].start == time(12) and got[0].end == time(14)
    assert got[0].start_at is not None and got[0].start_at.utcoffset() == timedelta(0)


def test_summer_time_offset_is_carried() -> None:
    rule = make_rule(freq="WEEKLY", byday="WE", opens_at=time(18, 30), closes_at=time(20))
    occ = occurrences(rule, date(2026, 7, 1), date(2026, 7, 1))[0]
    assert occ.start_at is not None and occ.start_at.utcoffset() == timedelta(hours=1)


def test_fortnightly_anchored_at_dtstart() -> None:
    rule = make_rule(freq="WEEKLY", interval=2, byday="WE", dtstart=date(2026, 1, 7))
    got = dates_of(rule, date(2026, 11, 1), date(2026, 12, 31))
    assert got[0] == date(2026, 11, 11)  # 2026-01-07 + 44 weeks
    assert all((b - a).days == 14 for a, b in itertools.pairwise(got))


def test_fortnightly_anchor_from_valid_from_matches_dtstart() -> None:
    """A CSV gives only valid_from; the first matching weekday on/after it is the anchor."""
    with_dtstart = make_rule(freq="WEEKLY", interval=2, byday="FR", dtstart=date(2021, 1, 8),
                             valid_from=date(2021, 1, 3))
    without = make_rule(freq="WEEKLY", interval=2, byday="FR", valid_from=date(2021, 1, 3))
    span = (date(2026, 1, 1), date(2026, 12, 31))
    assert dates_of(with_dtstart, *span) == dates_of(without, *span)


def test_first_tuesday_and_last_friday() -> None:
    first_tue = make_rule(freq="MONTHLY", byday="1TU", dtstart=date(2026, 1, 6))
    assert dates_of(first_tue, date(2026, 11, 1), date(2027, 1, 31)) == [
        date(2026, 11, 3), date(2026, 12, 1), date(2027, 1, 5)]
    last_fri = make_rule(freq="MONTHLY", byday="-1FR", dtstart=date(2026, 1, 30))
    assert dates_of(last_fri, date(2026, 11, 1), date(2026, 12, 31)) == [
        date(2026, 11, 27), date(2026, 12, 25)]


def test_monthly_by_month_day_skips_short_months() -> None:
    rule = make_rule(freq="MONTHLY", bymonthday="31", dtstart=date(2026, 1, 31))
    got = dates_of(rule, date(2026, 1, 1), date(2026, 6, 30))
    assert got == [date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31)]
    last = make_rule(freq="MONTHLY", bymonthday="-1", dtstart=date(2026, 1, 31))
    assert dates_of(last, date(2026, 2, 1), date(2026, 2, 28)) == [date(2026, 2, 28)]


def test_validity_window_and_status() -> None:
    rule = make_rule(freq="WEEKLY", byday="MO", valid_from=date(2026, 4, 1),
                     valid_to=date(2026, 10, 31))
    got = dates_of(rule, date(2026, 1, 1), date(2026, 12, 31))
    assert got[0] == date(2026, 4, 6) and got[-1] == date(2026, 10, 26)
    assert dates_of(rule, date(2026, 1, 1), date(2026, 12, 31), status="paused") == []
    assert dates_of(rule, date(2026, 1, 1), date(2026, 12, 31), status="ended") == []
    assert dates_of(rule, date(2027, 1, 1), date(2027, 12, 31)) == []


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"freq": "DAILY"}, "freq"),
    ({"freq": "WEEKLY", "byday": "XX"}, "byday"),
    ({"freq": "WEEKLY", "byday": "1TU"}, "byday"),
    ({"freq": "MONTHLY", "bymonthday": "32"}, "bymonthday"),
    ({"freq": "WEEKLY", "byday": "MO", "opens_at": time(14), "closes_at": time(13)}, "closes_at"),
    ({"freq": "WEEKLY", "byday": "MO", "valid_from": date(2026, 5, 1),
      "valid_to": date(2026, 4, 1)}, "valid_to"),
    ({"freq": "WEEKLY", "interval": 0, "byday": "MO"}, "interval"),
])
def test_bad_rules_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ScheduleError) as err:
        make_rule(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_parse_weekday_and_describe() -> None:
    assert parse_weekday("wed") == 2 and parse_weekday("Wednesday") == 2
    assert parse_weekday("SU") == 6
    with pytest.raises(ScheduleError):
        parse_weekday("someday")
    rule = make_rule(freq="WEEKLY", interval=2, byday="WE", opens_at=time(18, 30),
                     closes_at=time(20))
    assert describe(rule) == "Every other Wednesday, 18:30-20:00"
    assert describe(make_rule(freq="MONTHLY", byday="1TU")) == "The first Tuesday of the month"


@settings(max_examples=200, deadline=None)
@given(day=DAYS, anchor=DATES, start=DATES, span=SPANS)
def test_weekly_dates_match_weekday_and_range(day: str, anchor: date, start: date,
                                              span: int) -> None:
    end = start + timedelta(days=span)
    got = dates_of(make_rule(freq="WEEKLY", byday=day, dtstart=anchor), start, end)
    assert all(d.weekday() == WEEKDAYS.index(day) for d in got)
    assert all(max(start, anchor) <= d <= end for d in got)
    assert got == sorted(set(got))
    # Every matching weekday in the effective window is produced, no more, no fewer.
    lower = max(start, anchor)
    expected = sum(1 for i in range((end - lower).days + 1)
                   if (lower + timedelta(days=i)).weekday() == WEEKDAYS.index(day))
    assert len(got) == max(expected, 0)


@settings(max_examples=200, deadline=None)
@given(day=DAYS, anchor=DATES, start=DATES, span=SPANS)
def test_fortnightly_gaps_are_exactly_14_days(day: str, anchor: date, start: date,
                                              span: int) -> None:
    end = start + timedelta(days=span)
    first = anchor + timedelta(days=(WEEKDAYS.index(day) - anchor.weekday()) % 7)
    rule = make_rule(freq="WEEKLY", interval=2, byday=day, dtstart=first)
    got = dates_of(rule, start, end)
    assert all(d.weekday() == WEEKDAYS.index(day) for d in got)
    assert all((b - a).days == 14 for a, b in itertools.pairwise(got))
    assert all((d - first).days % 14 == 0 for d in got)  # same parity as the anchor
    assert len(got) <= span // 14 + 1


@settings(max_examples=200, deadline=None)
@given(day=DAYS, ordinal=st.sampled_from([1, 2, 3, 4, -1]), start=DATES, span=SPANS)
def test_monthly_nth_weekday(day: str, ordinal: int, start: date, span: int) -> None:
    end = start + timedelta(days=span)
    rule = make_rule(freq="MONTHLY", byday=f"{ordinal}{day}", dtstart=date(2019, 1, 1))
    got = dates_of(rule, start, end)
    assert all(d.weekday() == WEEKDAYS.index(day) for d in got)
    assert all(start <= d <= end for d in got)
    if ordinal > 0:  # the first Tuesday is on day 1..7, the second on 8..14, ...
        assert all(7 * (ordinal - 1) < d.day <= 7 * ordinal for d in got)
    else:  # the last one is within 7 days of the month's end
        assert all(calendar.monthrange(d.year, d.month)[1] - d.day < 7 for d in got)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    assert len(got) <= months and len({(d.year, d.month) for d in got}) == len(got)


@settings(max_examples=100, deadline=None)
@given(day=DAYS, start=DATES, span=SPANS, vf=DATES, length=st.integers(0, 300))
def test_validity_bounds_every_rule(day: str, start: date, span: int, vf: date,
                                    length: int) -> None:
    vt = vf + timedelta(days=length)
    for rule in (make_rule(freq="WEEKLY", byday=day, valid_from=vf, valid_to=vt),
                 make_rule(freq="WEEKLY", interval=2, byday=day, valid_from=vf, valid_to=vt),
                 make_rule(freq="MONTHLY", byday=f"2{day}", valid_from=vf, valid_to=vt)):
        got = dates_of(rule, start, start + timedelta(days=span))
        assert all(vf <= d <= vt for d in got)
