"""Request and response models of /api/activities (listings: search, read, edit)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from app.schemas.base import Open
from app.schemas.venues import VenueBase


class ActivityPage(Open):
    """A page of listings matching the filters (fresh before stale, then nearest)."""

    total: int
    page: int
    per_page: int
    pages: int
    activities: list[dict[str, Any]]


class StaleActivitiesDistrictsItem(Open):
    """One of `districts` in StaleActivities."""

    lad_code: str | None = None
    district: str | None = None
    count: int | None = None
    activities: list[dict[str, Any]] | None = None


class StaleActivities(Open):
    """Listings not verified within the stale period, grouped by district."""

    stale_after_days: int
    total: int
    districts: list[StaleActivitiesDistrictsItem]


class ActivityOrganization(Open):
    """`organization` of Activity."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    email: str | None = None
    website: str | None = None


class ActivityLocationsItem(VenueBase):
    """One of `locations` in Activity."""

    geocoded_by: str | None = None
    step_free: bool | None = None
    accessible_toilet: bool | None = None
    hearing_loop: bool | None = None
    dementia_friendly: bool | None = None
    guide_dog_friendly: bool | None = None
    service_at_location_id: str | None = None


class ActivitySchedulesItem(Open):
    """One of `schedules` in Activity."""

    id: str | None = None
    location_id: str | None = None
    freq: str | None = None
    interval: int | float | None = None
    byday: str | None = None
    bymonthday: Any = None
    dtstart: str | None = None
    valid_from: str | None = None
    valid_to: Any = None
    opens_at: str | None = None
    closes_at: str | None = None
    description: str | None = None
    attending_type: str | None = None
    notes: str | None = None


class ActivityCostsItem(Open):
    """One of `costs` in Activity."""

    id: str | None = None
    option: str | None = None
    amount: float | None = None
    currency: str | None = None
    amount_description: str | None = None


class ActivityAttributesItem(Open):
    """One of `attributes` in Activity."""

    link_type: str | None = None
    term: dict[str, Any] | None = None


class ActivityUpcomingSessionsItem(Open):
    """One of `upcoming_sessions` in Activity."""

    activity_id: str | None = None
    schedule_id: str | None = None
    date: str | None = None
    weekday: str | None = None
    start: str | None = None
    end: str | None = None
    start_at: str | None = None
    end_at: str | None = None
    location_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    activity_name: str | None = None
    organization: str | None = None
    venue_name: str | None = None
    address_1: str | None = None
    city: str | None = None
    postcode: str | None = None
    lad_code: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    min_cost: float | None = None
    free: bool | None = None
    cost_description: str | None = None
    what_to_bring: Any = None
    accepts_referrals: bool | None = None
    drop_in: bool | None = None
    step_free: bool | None = None
    stale: bool | None = None
    last_verified: str | None = None
    reported_closed: bool | None = None
    distance_m: Any = None


class ActivityOrukExtra(Open):
    """`oruk_extra` of Activity."""



class Activity(Open):
    """One listing in full: organisation, venues, schedules, costs, freshness."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    status: str | None = None
    oruk_status: str | None = None
    alert: Any = None
    primary_category: str | None = None
    categories: list[str] | None = None
    audiences: list[str] | None = None
    activity_type: str | None = None
    minimum_age: int | float | None = None
    maximum_age: Any = None
    eligibility_criteria: Any = None
    accepts_referrals: bool | None = None
    referral_route: str | None = None
    drop_in: bool | None = None
    capacity: Any = None
    delivery_mode: str | None = None
    what_to_bring: Any = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    last_verified_at: str | None = None
    verified_by: str | None = None
    last_modified: str | None = None
    version: int | None = None
    source: str | None = None
    stale: bool | None = None
    reported_closed: bool | None = None
    open_flags: int | float | None = None
    organization: ActivityOrganization | None = None
    locations: list[ActivityLocationsItem] | None = None
    schedules: list[ActivitySchedulesItem] | None = None
    costs: list[ActivityCostsItem] | None = None
    attributes: list[ActivityAttributesItem] | None = None
    sources: list[Any] | None = None
    upcoming_sessions: list[ActivityUpcomingSessionsItem] | None = None
    oruk_extra: ActivityOrukExtra | None = None




class ActivityExport(Open):
    """Matching listings as a GeoJSON FeatureCollection (one point per listing and venue)."""

    type: str
    features: list[dict[str, Any]]


# Requests: what an editor sends.


class LocationIn(BaseModel):
    """A venue: an existing one by `id` alone, or a new one with name and postcode or lat/lon."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    name: str | None = None
    description: str | None = None
    address_1: str | None = None
    city: str | None = None
    postcode: str | None = None
    lat: float | str | None = None
    lon: float | str | None = None
    step_free: bool | str | None = None
    accessible_toilet: bool | str | None = None
    hearing_loop: bool | str | None = None
    dementia_friendly: bool | str | None = None
    guide_dog_friendly: bool | str | None = None
    accessibility: list[str] | str | None = None  # UK vocabulary labels, e.g. "hearing loop"
    accessibility_notes: str | None = None
    venue_type: str | None = None


class ScheduleIn(BaseModel):
    """When it happens (ORUK schedule fields; times HH:MM Europe/London)."""

    model_config = ConfigDict(extra="forbid")
    freq: str | None = "WEEKLY"
    interval: int | str | None = 1
    byday: str | None = None
    bymonthday: str | int | None = None
    dtstart: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    description: str | None = None
    location_id: str | None = None
    location_index: int | None = None


class CostIn(BaseModel):
    """A price; amount 0 is free."""

    model_config = ConfigDict(extra="forbid")
    option: str | None = None
    amount: float | str | None = None
    amount_description: str | None = None


class ActivityIn(BaseModel):
    """A listing to create or (partially) update. Every problem is reported at once (422)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    description: str | None = None
    organization: str | dict[str, Any] | None = None
    url: str | None = None
    email: str | None = None
    status: str | None = None
    alert: str | None = None
    primary_category: str | None = None
    categories: list[str] | str | None = None
    audiences: list[str] | str | None = None
    activity_type: str | None = None
    minimum_age: int | str | None = None
    maximum_age: int | str | None = None
    eligibility_criteria: str | None = None
    accepts_referrals: bool | str | None = None
    referral_route: str | None = None
    drop_in: bool | str | None = None
    capacity: int | str | None = None
    delivery_mode: str | None = None
    what_to_bring: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    locations: list[LocationIn] | None = None
    schedules: list[ScheduleIn] | None = None
    cost_options: list[CostIn] | None = None


class StatusNote(BaseModel):
    """Optional note shown to users with a paused or ended listing."""

    alert: str | None = None
