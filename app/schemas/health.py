"""Response models of /api/health and /api/config (what the pages read at start-up)."""

from __future__ import annotations

from app.schemas.base import Open


class HealthDatasetsItem(Open):
    """One of `datasets` in Health."""

    dataset: str | None = None
    source_file: str | None = None
    publisher: str | None = None
    licence: str | None = None
    attribution: str | None = None
    vintage: str | None = None
    row_count: int | None = None
    loaded_at: str | None = None


class HealthCounts(Open):
    """`counts` of Health."""

    lad: int | float | None = None
    ward: int | float | None = None
    lsoa21: int | float | None = None
    lsoa11: int | float | None = None
    deprivation: int | float | None = None
    population: int | None = None
    postcode: int | float | None = None
    bus_stop: int | float | None = None
    rural_urban: int | float | None = None
    lsoa_lookup: int | float | None = None
    bus_stop_active: int | float | None = None


class Health(Open):
    """Database reachability, PostGIS version, dataset versions and row counts."""

    status: str
    database: str
    postgis: str
    datasets: list[HealthDatasetsItem]
    counts: HealthCounts


class PageConfigExamplePostcode(Open):
    """`example_postcode` of PageConfig."""

    postcode: str | None = None
    outward: str | None = None


class VocabularyTerm(Open):
    """A term of a vocabulary (category or audience): its code and label."""

    code: str | None = None
    label: str | None = None


class PageConfig(Open):
    """What the web pages read at start-up: basemap, region, vocabularies, notices."""

    tile_url: str
    tile_attribution: str
    sample_region: bool
    region_label: str
    attributions: list[str]
    example_postcode: PageConfigExamplePostcode | None
    categories: list[VocabularyTerm]
    audiences: list[VocabularyTerm]
    notices: list[str]


