"""Pure checks of the finder request: validation, service dates and their limits."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from app.errors import InvalidInput
from app.schemas.reachable import ReachableRequest
from app.services.reachable.dates import MAX_SPAN_DAYS, service_dates

TODAY = dt.date(2026, 11, 23)  # a Monday


def req(**kw: object) -> ReachableRequest:
    return ReachableRequest.model_validate({"origin": {"postcode": "NG18 1AA"}, **kw})


def test_defaults_are_the_next_seven_days() -> None:
    r = req()
    days = service_dates(r, today=TODAY)
    assert days == [TODAY + dt.timedelta(days=i) for i in range(7)]
    assert (r.max_minutes, r.max_buses, r.speed_kmh, r.mode) == (45, 2, 4.8, "walk+bus")


def test_days_filter_picks_weekdays_in_range() -> None:
    days = service_dates(req(date_from="2026-11-23", date_to="2026-12-06", days=["wed"]))
    assert days == [dt.date(2026, 11, 25), dt.date(2026, 12, 2)]


def test_explicit_dates() -> None:
    assert service_dates(req(dates=["2026-11-27", "2026-11-25"])) == [
        dt.date(2026, 11, 25), dt.date(2026, 11, 27)]


def test_too_many_days_names_the_limits() -> None:
    with pytest.raises(InvalidInput) as exc:
        service_dates(req(date_from="2026-11-01", date_to="2026-12-31"))
    body = exc.value.to_dict()
    assert body["field"] == "date_to"
    assert body["limits"]["max_span_days"] == MAX_SPAN_DAYS
    assert str(MAX_SPAN_DAYS) in body["message"]


def test_no_matching_weekday() -> None:
    with pytest.raises(InvalidInput) as exc:
        service_dates(req(date_from="2026-11-23", date_to="2026-11-24", days=["sat"]))
    assert exc.value.field == "days"


def test_slow_and_numeric_speeds() -> None:
    assert req(walk_speed="slow").speed_kmh == 3.2
    assert req(walk_speed=4.0).speed_kmh == 4.0
    assert req(mode="walk").bus_limit == 0


def fields(err: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in err.errors()}


def test_every_problem_is_reported_with_its_field() -> None:
    with pytest.raises(ValidationError) as exc:
        ReachableRequest.model_validate({
            "origin": {"postcode": "NG18 1AA"}, "max_minutes": 500, "max_buses": -1,
            "walk_speed": 50, "hours_from": "18:00", "hours_to": "09:00",
            "date_from": "2026-11-25", "date_to": "2026-11-20", "days": ["funday"],
            "filters": {"age": -4}, "mode": "car"})
    got = fields(exc.value)
    for name in ("max_minutes", "max_buses", "hours_to", "date_to", "days.0", "filters.age",
                 "mode"):
        assert name in got, got
    assert any(f.startswith("walk_speed") for f in got)


@pytest.mark.parametrize("origin", [{}, {"postcode": "NG18 1AA", "lat": 53.1, "lon": -1.2},
                                    {"lat": 53.1}, {"postcode": "  "}])
def test_origin_needs_exactly_one_form(origin: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as exc:
        ReachableRequest.model_validate({"origin": origin})
    assert any(f.startswith("origin") for f in fields(exc.value))


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        ReachableRequest.model_validate({"origin": {"postcode": "NG18"}, "colour": "red"})
    assert "colour" in fields(exc.value)


@pytest.mark.parametrize("body,field", [
    ({"hours_to": "17:00Z"}, "hours_to"), ({"hours_from": "09:00+01:00"}, "hours_from"),
    ({"date_from": "9999-12-31"}, "date_from"), ({"dates": ["9999-12-31"]}, "dates.0")])
def test_offsets_and_far_dates_are_refused(body: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        req(**body)
    assert field in fields(exc.value)
