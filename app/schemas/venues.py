"""Response models of /api/venues: search, one venue, the accessibility vocabulary."""

from __future__ import annotations

from app.schemas.base import Open


class VenueBase(Open):
    """A venue's address and point (what a listing's location and a venue share)."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    location_type: str | None = None
    venue_type: str | None = None
    address_1: str | None = None
    city: str | None = None
    postcode: str | None = None
    lad_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    external_identifier: str | None = None
    external_identifier_type: str | None = None
    accessibility_notes: str | None = None
    district: str | None = None


class AccessibilityVocabularyFeaturesItem(Open):
    """One of `features` in AccessibilityVocabulary."""

    code: str | None = None
    label: str | None = None
    description: str | None = None
    taxonomy_term_id: str | None = None


class AccessibilityVocabulary(Open):
    """The UK venue accessibility vocabulary."""

    taxonomy_id: str
    features: list[AccessibilityVocabularyFeaturesItem]


class VenuePage(Open):
    """A page of venues matching the filters."""

    total: int
    page: int
    per_page: int
    pages: int
    venues: list[Venue]


class VenueAccessibilityItem(Open):
    """One of `accessibility` in Venue."""

    code: str | None = None
    label: str | None = None
    value: bool | None = None


class VenueListingsItem(Open):
    """One of `listings` in Venue."""

    id: str | None = None
    name: str | None = None
    status: str | None = None
    primary_category: str | None = None
    last_verified: str | None = None
    stale: bool | None = None
    organization: str | None = None
    reported_closed: bool | None = None
    days: str | None = None


class Venue(VenueBase):
    """One venue: address, point, accessibility and the listings held there."""

    distance_m: float | None = None
    active_listings: int | None = None
    accessibility: list[VenueAccessibilityItem] | None = None
    accessibility_features: list[str] | None = None
    listings: list[VenueListingsItem] | None = None


