"""The de-duplication rules on their own: names, identifiers, venues and times."""

from __future__ import annotations

from app.directory import matching as m


def test_names_compare_without_case_accents_punctuation_or_filler() -> None:
    assert m.name_similarity("Memory Café", "memory cafe") == 1.0
    assert m.name_similarity("Walking for Health Mansfield",
                             "Walking for Health - Mansfield") == 1.0
    assert m.name_similarity("Chair Yoga", "Newark Lunch Club") < 0.5
    assert m.normalise_org_name("The Brookside Chapel Ltd.") == "brookside chapel"
    assert m.normalise_org_name("Age UK Notts CIC") == m.normalise_org_name("age uk notts")


def test_registered_numbers() -> None:
    assert m.normalise_identifier("01234567") == m.normalise_identifier("1234567")
    assert m.normalise_identifier("SC 012345") == "SC012345"
    assert m.scheme_of({"identifier_type": "Charity number"}) == "GB-CHC"
    assert m.scheme_of({"identifier_scheme": "gb-coh"}) == "GB-COH"
    assert m.scheme_of({"identifier_type": "Companies House"}) == "GB-COH"


def test_venue_and_schedule_rules() -> None:
    hall = [m.Venue((53.1436, -1.1948), "NG181AA", None)]
    near = [m.Venue((53.1445, -1.1948), None, None)]  # about 100 m north
    far = [m.Venue((53.1536, -1.1948), None, None)]  # about 1.1 km
    assert m.same_venue(hall, near) and not m.same_venue(hall, far)
    assert m.same_venue(hall, [m.Venue(None, "NG181AA", None)])
    th10 = m.slots([{"byday": "TH", "opens_at": "10:00"}])
    assert m.same_schedule(th10, m.slots([{"byday": "TH", "opens_at": "10:15"}]))
    assert m.same_schedule(th10, m.slots([{"byday": "TH", "opens_at": "14:00"}])) is False
    assert m.same_schedule(th10, m.slots([{"byday": "1TH", "opens_at": "10:00"}]))
    assert m.same_schedule(th10, []) is None
    assert m.is_same_listing(same_org=True, similarity=0.7, venue=True, schedule=None)
    assert not m.is_same_listing(same_org=False, similarity=0.7, venue=True, schedule=True)
    assert not m.is_same_listing(same_org=True, similarity=1.0, venue=False, schedule=True)
    assert not m.is_same_listing(same_org=True, similarity=1.0, venue=True, schedule=False)
