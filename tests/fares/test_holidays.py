"""Bank holidays for England and Wales as data (GOV.UK format), checked against the rules."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.holidays import (
    BankHolidayError,
    bank_holiday_name,
    default_bank_holidays,
    is_bank_holiday,
    load_bank_holidays,
)


def _easter(year: int) -> date:
    """Easter Sunday (Meeus/Jones/Butcher Gregorian algorithm), to check the data."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month = (h + m - 7 * n + 114) // 31
    day = (h + m - 7 * n + 114) % 31 + 1
    return date(year, month, day)


def _first_monday(year: int, month: int) -> date:
    d = date(year, month, 1)
    return d + timedelta(days=(0 - d.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    d = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return d - timedelta(days=d.weekday())


def _next_weekday(d: date, taken: set[date]) -> date:
    while d.weekday() >= 5 or d in taken:
        d += timedelta(days=1)
    return d


def _standing_rules(year: int) -> set[date]:
    """England and Wales bank holidays under the standing rules (substitute days included)."""
    days: set[date] = set()
    days.add(_next_weekday(date(year, 1, 1), days))
    easter = _easter(year)
    days |= {easter - timedelta(days=2), easter + timedelta(days=1)}
    days |= {_first_monday(year, 5), _last_monday(year, 5), _last_monday(year, 8)}
    christmas = _next_weekday(date(year, 12, 25), days)
    days.add(christmas)
    days.add(_next_weekday(date(year, 12, 26), days))
    return days


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026, 2027])
def test_shipped_dates_follow_the_standing_rules(year: int) -> None:
    bh = default_bank_holidays()
    shipped = {d for d in bh.days if d.year == year}
    expected = _standing_rules(year)
    if year == 2023:
        expected.add(date(2023, 5, 8))  # the coronation of King Charles III, a one-off
    assert shipped == expected


def test_named_days_and_substitutes() -> None:
    coronation = "Bank holiday for the coronation of King Charles III"
    assert bank_holiday_name(date(2023, 5, 8)) == coronation
    assert is_bank_holiday(date(2023, 1, 2))  # New Year's Day 2023 fell on a Sunday
    assert not is_bank_holiday(date(2023, 1, 1))
    assert is_bank_holiday(date(2026, 12, 28))  # Boxing Day 2026 is a Saturday
    assert is_bank_holiday(date(2027, 12, 27)) and is_bank_holiday(date(2027, 12, 28))
    assert bank_holiday_name(date(2027, 3, 29)) == "Easter Monday"
    assert not is_bank_holiday(date(2026, 12, 2))


def test_coverage_is_explicit() -> None:
    bh = default_bank_holidays()
    assert (bh.first_year, bh.last_year) == (2023, 2027)
    assert bh.covers(date(2027, 12, 31)) and not bh.covers(date(2028, 1, 3))
    assert bh.source == "https://www.gov.uk/bank-holidays.json"
    assert [t for _, t in bh.in_range(date(2026, 4, 1), date(2026, 4, 30))] == [
        "Good Friday", "Easter Monday"]


def test_a_fresh_govuk_download_replaces_the_data(tmp_path: Path) -> None:
    doc = {"england-and-wales": {"division": "england-and-wales", "events": [
        {"title": "New Year’s Day", "date": "2028-01-03", "notes": "Substitute day",
         "bunting": True}]},
           "scotland": {"division": "scotland", "events": [
               {"title": "2nd January", "date": "2028-01-04", "notes": "", "bunting": True}]}}
    path = tmp_path / "bank-holidays.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    bh = load_bank_holidays(path)
    assert bh.is_holiday(date(2028, 1, 3)) and bh.covers(date(2028, 6, 1))
    assert load_bank_holidays(path, "scotland").is_holiday(date(2028, 1, 4))


def test_bad_files_report_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"england-and-wales": {"events": [
        {"title": "", "date": "2028-13-01"}, {"date": "2028-01-03"},
        {"title": "x", "date": "2028-01-03"}, "nonsense"]}}), encoding="utf-8")
    with pytest.raises(BankHolidayError) as err:
        load_bank_holidays(path)
    problems = err.value.problems
    assert any("events[0].date" in p for p in problems)
    assert any("events[1].title" in p for p in problems)
    assert any("listed twice" in p for p in problems)
    assert any("events[3]: not an object" in p for p in problems)
    with pytest.raises(BankHolidayError, match="no 'wales' division"):
        load_bank_holidays(path, "wales")
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(BankHolidayError, match="not UTF-8 JSON"):
        load_bank_holidays(path)
