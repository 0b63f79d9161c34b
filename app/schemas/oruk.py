"""Response models of /api/oruk: the directory as Open Referral UK 3.0."""

from __future__ import annotations

from typing import Any

from app.schemas.base import Open


class OrukPage(Open):
    """The ORUK/HSDA page envelope around a list."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool


class OrukRoot(Open):
    """The HSDA root document."""

    version: str
    profile: str
    openapi_url: str
    x_title: str


class ServicePage(OrukPage):
    """A page of ORUK services."""

    contents: list[Service]


class ServiceOrganization(Open):
    """`organization` of Service."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    email: str | None = None
    website: str | None = None


class ServiceSchedulesItem(Open):
    """One of `schedules` in Service."""

    id: str | None = None
    service_id: str | None = None
    service_at_location_id: str | None = None
    freq: str | None = None
    interval: int | float | None = None
    byday: str | None = None
    dtstart: str | None = None
    valid_from: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    description: str | None = None
    attending_type: str | None = None
    notes: str | None = None


class ServiceServiceAtLocationsItem(Open):
    """One of `service_at_locations` in Service."""

    id: str | None = None
    service_id: str | None = None
    location_id: str | None = None
    location: dict[str, Any] | None = None


class ServiceCostOptionsItem(Open):
    """One of `cost_options` in Service."""

    id: str | None = None
    service_id: str | None = None
    option: str | None = None
    amount: float | None = None
    amount_description: str | None = None


class ServiceContactsItem(Open):
    """One of `contacts` in Service."""

    name: str | None = None
    email: str | None = None
    id: str | None = None
    service_id: str | None = None
    phones: list[dict[str, Any]] | None = None


class ServiceAttributesItem(Open):
    """One of `attributes` in Service."""

    id: str | None = None
    link_id: str | None = None
    taxonomy_term_id: str | None = None
    link_type: str | None = None
    taxonomy_term: dict[str, Any] | None = None


class ServiceServiceAreasItem(Open):
    """One of `service_areas` in Service."""

    id: str | None = None
    uri: str | None = None
    name: str | None = None
    extent: str | None = None
    service_id: str | None = None
    extent_type: str | None = None
    service_area: str | None = None


class Service(Open):
    """An ORUK 3.0 service (with Within Reach freshness fields)."""

    id: str | None = None
    name: str | None = None
    status: str | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    minimum_age: int | float | None = None
    assured_date: str | None = None
    assurer_email: str | None = None
    last_modified: str | None = None
    organization_id: str | None = None
    organization: ServiceOrganization | None = None
    last_verified: str | None = None
    stale: bool | None = None
    reported_closed: bool | None = None
    sources: list[Any] | None = None
    schedules: list[ServiceSchedulesItem] | None = None
    service_at_locations: list[ServiceServiceAtLocationsItem] | None = None
    cost_options: list[ServiceCostOptionsItem] | None = None
    contacts: list[ServiceContactsItem] | None = None
    attributes: list[ServiceAttributesItem] | None = None
    service_areas: list[ServiceServiceAreasItem] | None = None
    languages: list[Any] | None = None
    funding: list[Any] | None = None


class ServiceAtLocationPage(OrukPage):
    """A page of ORUK service_at_location records."""

    contents: list[ServiceAtLocation]


class ServiceAtLocationLocation(Open):
    """`location` of ServiceAtLocation."""

    id: str | None = None
    location_type: str | None = None
    name: str | None = None
    description: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    addresses: list[dict[str, Any]] | None = None
    accessibility: list[dict[str, Any]] | None = None
    external_identifier: str | None = None
    external_identifier_type: str | None = None


class ServiceAtLocation(Open):
    """An ORUK 3.0 service_at_location."""

    id: str | None = None
    service_id: str | None = None
    location_id: str | None = None
    service: Service | None = None
    location: ServiceAtLocationLocation | None = None
    last_verified: str | None = None
    stale: bool | None = None
    name: str | None = None
    status: str | None = None


class TaxonomyPage(OrukPage):
    """A page of ORUK taxonomies."""

    contents: list[Taxonomy]


class Taxonomy(Open):
    """An ORUK taxonomy (with its terms when asked for one)."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    uri: str | None = None
    version: str | None = None
    taxonomy_terms: list[Term] | None = None


class TermPage(OrukPage):
    """A page of ORUK taxonomy terms."""

    contents: list[Term]


class Term(Open):
    """An ORUK taxonomy term."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    taxonomy: str | None = None
    taxonomy_id: str | None = None
    term_uri: str | None = None
    term: str | None = None


