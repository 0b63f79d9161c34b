"""Response models of postcodes, areas (GeoJSON) and bus stops."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.schemas.base import Open


class PostcodeLookupPoint(Open):
    """`point` of PostcodeLookup."""

    lat: float | None = None
    lon: float | None = None


class AreaRef(Open):
    """An area's code and name."""

    code: str | None = None
    name: str | None = None


class PostcodeLookupImd(Open):
    """`imd` of PostcodeLookup."""

    edition: int | None = None
    score: float | None = None
    rank: int | None = None
    decile: int | None = None


class PostcodeLookupImd2019(Open):
    """`imd2019` of PostcodeLookup."""

    edition: int | None = None
    rank: int | None = None
    decile: int | None = None


class PostcodeLookupRuralUrban(Open):
    """`rural_urban` of PostcodeLookup."""

    code: str | None = None
    classification: str | None = None
    broad: str | None = None


class PostcodeLookup(Open):
    """Where a postcode (or outward code, approximately) is, and its areas and deprivation."""

    postcode: str | None = None
    approximate: bool | None = None
    point: PostcodeLookupPoint | None = None
    positional_quality: int | float | None = None
    lsoa21: AreaRef | None = None
    lsoa11: AreaRef | None = None
    ward: AreaRef | None = None
    district: AreaRef | None = None
    imd: PostcodeLookupImd | None = None
    imd2019: PostcodeLookupImd2019 | None = None
    rural_urban: PostcodeLookupRuralUrban | None = None
    note: str | None = None
    postcode_count: int | None = None


class AreaCollectionFeaturesItem(Open):
    """One of `features` in AreaCollection."""

    type: str | None = None
    id: str | None = None
    properties: dict[str, Any] | None = None
    geometry: dict[str, Any] | None = None


class AreaCollection(Open):
    """A GeoJSON FeatureCollection of areas at one level, with need attributes."""

    type: str | None = None
    level: str | None = None
    features: list[AreaCollectionFeaturesItem] | None = None


class AreaFeatureProperties(Open):
    """`properties` of AreaFeature."""

    code: str | None = None
    name: str | None = None
    lad_code: str | None = None
    ward_code: str | None = None
    population: int | None = None
    population_by_age: dict[str, Any] | None = None
    imd_score: float | None = None
    imd_rank: int | None = None
    imd_decile: int | None = None
    ruc_code: str | None = None
    rural_urban: str | None = None
    deprivation: dict[str, Any] | None = None
    district_name: str | None = None
    ward_name: str | None = None
    lsoa_count: int | None = None
    share_pop_imd_decile_1: float | None = None
    share_pop_imd_decile_1_2: float | None = None


class AreaFeature(Open):
    """One area as a GeoJSON Feature with every measure, population and parents."""

    type: str | None = None
    id: str | None = None
    properties: AreaFeatureProperties | None = None
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON geometry (WGS84)")


class StopListStopsItem(Open):
    """One of `stops` in StopList."""

    atco_code: str | None = None
    naptan_code: str | None = None
    name: str | None = None
    indicator: str | None = None
    street: str | None = None
    locality: str | None = None
    bearing: str | None = None
    stop_type: str | None = None
    bus_stop_type: str | None = None
    status: str | None = None
    lat: float | None = None
    lon: float | None = None
    distance_m: float | None = None


class StopList(Open):
    """Bus stops near a point, nearest first."""

    count: int
    radius_m: int | float
    stops: list[StopListStopsItem]


