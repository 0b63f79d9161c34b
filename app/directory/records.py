"""Normalised, validated shapes of a listing, shared by the API writer and every importer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any


@dataclass
class OrgRecord:
    """An organisation as stored."""

    id: str
    name: str
    description: str | None = None
    email: str | None = None
    website: str | None = None
    generated_id: bool = False  # True when the source gave no id (matched by name on save)


@dataclass
class LocationRecord:
    """A venue as stored; lat/lon None means 'geocode from the postcode'."""

    id: str
    name: str
    description: str | None = None
    address_1: str | None = None
    city: str | None = None
    postcode: str | None = None  # display form, e.g. "NG18 1AA"
    lat: float | None = None
    lon: float | None = None
    lad_code: str | None = None
    venue_type: str | None = None
    location_type: str = "physical"
    external_identifier: str | None = None
    external_identifier_type: str | None = None
    step_free: bool | None = None
    accessible_toilet: bool | None = None
    hearing_loop: bool | None = None
    dementia_friendly: bool | None = None
    guide_dog_friendly: bool | None = None
    accessibility_notes: str | None = None


@dataclass
class ScheduleRecord:
    """One recurrence of a listing at one venue."""

    id: str
    location_id: str | None
    freq: str
    interval: int = 1
    byday: str | None = None
    bymonthday: str | None = None
    dtstart: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    description: str | None = None
    attending_type: str | None = None
    notes: str | None = None


@dataclass
class CostRecord:
    """A price; amount 0 is free."""

    id: str
    option: str | None
    amount: float | None
    amount_description: str | None = None
    currency: str = "GBP"


@dataclass
class TermRecord:
    """A term of a vocabulary from a feed (ORUK taxonomy_term), with its taxonomy."""

    id: str
    name: str
    description: str
    code: str | None = None
    term_uri: str | None = None
    parent_id: str | None = None
    taxonomy_id: str | None = None
    taxonomy_name: str | None = None


@dataclass
class AttributeRecord:
    """A listing tagged with a term (ORUK attribute), e.g. link_type 'access_route'."""

    link_type: str
    term: TermRecord


@dataclass
class ActivityRecord:
    """A whole listing: the service, its organisation, venues, schedules and prices."""

    id: str
    name: str
    organization: OrgRecord | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    status: str = "active"
    oruk_status: str = "active"
    alert: str | None = None
    primary_category: str | None = None
    categories: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    activity_type: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    eligibility_criteria: str | None = None
    accepts_referrals: bool = False
    referral_route: str | None = None
    drop_in: bool | None = None
    capacity: int | None = None
    delivery_mode: str = "in-person"
    what_to_bring: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    last_verified_at: datetime | None = None
    verified_by: str | None = None
    locations: list[LocationRecord] = field(default_factory=list)
    schedules: list[ScheduleRecord] = field(default_factory=list)
    costs: list[CostRecord] = field(default_factory=list)
    # None: the source carries no attributes, so stored ones are kept (CSV, API edits).
    attributes: list[AttributeRecord] | None = None
    oruk_extra: dict[str, Any] = field(default_factory=dict)
