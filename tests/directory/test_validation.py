"""Listing validation lists every problem at once, with the field each concerns."""

from __future__ import annotations

from app.directory.oruk import activity_from_oruk
from app.directory.validation import build_activity


def good() -> dict[str, object]:
    return {
        "name": "Walking group", "primary_category": "physical-activity",
        "audiences": ["older-people"], "minimum_age": 18,
        "locations": [{"name": "Hall", "postcode": "ng18 1aa", "lat": 53.14, "lon": -1.19}],
        "schedules": [{"freq": "WEEKLY", "byday": "WE", "opens_at": "18:30",
                       "closes_at": "20:00"}],
        "cost_options": [{"option": "Free", "amount": 0}],
    }


def test_good_listing_builds() -> None:
    rec, problems = build_activity(good())
    assert problems == [] and rec is not None
    assert rec.categories == ["physical-activity"]
    assert rec.audiences == ["older-adults"]  # alias mapped to the stored code
    assert rec.locations[0].postcode == "NG18 1AA"
    assert rec.schedules[0].location_id == rec.locations[0].id


def test_every_problem_is_listed() -> None:
    bad = good() | {
        "name": "x" * 201,
        "primary_category": "knitting",
        "cost_options": [{"amount": -2}],
        "locations": [{"name": "Somewhere", "lat": 40.7, "lon": -74.0}],
        "schedules": [{"freq": "WEEKLY", "byday": "XX", "opens_at": "14:00",
                       "closes_at": "13:00"}],
        "minimum_age": 30, "maximum_age": 20,
    }
    rec, problems = build_activity(bad)
    assert rec is None
    fields = {p.field for p in problems}
    assert {"name", "primary_category", "cost_options.0.amount", "locations.0.lat",
            "schedules.0.byday", "schedules.0.closes_at", "maximum_age"} <= fields
    messages = " ".join(p.message for p in problems)
    assert "negative" in messages and "Great Britain" in messages
    assert "ends before it starts" in messages and "unknown weekday" in messages


def test_html_is_kept_as_plain_text() -> None:
    rec, problems = build_activity(good() | {"description": "<script>alert(1)</script> hi"})
    assert problems == [] and rec is not None
    assert rec.description == "<script>alert(1)</script> hi"


def test_unknown_audience_and_status_and_bad_email() -> None:
    _, problems = build_activity(good() | {"audiences": ["aliens"], "status": "sleeping",
                                           "contact_email": "nope"})
    assert {p.field for p in problems} == {"audiences.0", "status", "contact_email"}


def test_oruk_service_maps_to_listing() -> None:
    svc = {
        "id": "3f1c1f0a-0000-4000-8000-000000000001", "name": "Memory cafe",
        "status": "temporarily closed", "assured_date": "2026-01-02",
        "attributes": [
            {"link_type": "primary_category", "taxonomy_term": {"term": "social-connection"}},
            {"link_type": "eligibility", "taxonomy_term": {"term": "people-living-with-dementia"}},
            {"link_type": "access_route", "taxonomy_term": {"term": "drop-in"}},
            {"link_type": "access_route",
             "taxonomy_term": {"term": "accepts-social-prescribing-referrals"}}],
        "service_at_locations": [{"id": "sal1", "location": {
            "id": "loc1", "name": "Hall", "latitude": 53.1, "longitude": -1.2,
            "addresses": [{"postal_code": "NG18 1AA", "address_1": "Hall", "city": "Mansfield"}],
            "accessibility": [{"attributes": [
                {"taxonomy_term": {"term": "step-free-access"}}]}]}}],
        "schedules": [{"id": "s1", "service_at_location_id": "sal1", "freq": "MONTHLY",
                       "byday": "1TU", "opens_at": "10:00", "closes_at": "12:00"}],
        "cost_options": [{"id": "c1", "option": "Free", "amount": 0}],
        "service_areas": [{"extent_type": "gss_code", "extent": "E07000174"}],
    }
    rec, problems = build_activity(activity_from_oruk(svc))
    assert problems == [] and rec is not None
    assert rec.status == "paused" and rec.oruk_status == "temporarily closed"
    assert rec.drop_in is True and rec.accepts_referrals is True
    assert rec.audiences == ["people-living-with-dementia"]
    loc = rec.locations[0]
    assert loc.step_free is True and loc.hearing_loop is False and loc.lad_code == "E07000174"
    assert rec.schedules[0].location_id == "loc1"
