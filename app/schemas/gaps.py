"""Request and response models of the planner's /api/gaps (map, detail, what-if, optimiser)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.analysis.bands import BANDS
from app.directory.vocab import AUDIENCE_CODES, CATEGORY_CODES, audience_code
from app.geo import GB_BOUNDS
from app.schemas.base import Open


class GapLayerMeta(Open):
    """`meta` of GapLayer."""

    level: str | None = None
    band: str | None = None
    band_label: str | None = None
    budget: int | None = None
    category: str | None = None
    audience: str | None = None
    free_with_pass: bool | None = None
    free_with_pass_rule: str | None = None
    population_band: str | None = None
    access_metric: str | None = None
    access_label: str | None = None
    need_metric: str | None = None
    region: list[str] | None = None
    region_rule: str | None = None
    region_names: list[str] | None = None
    breaks: dict[str, Any] | None = None
    legend: dict[str, Any] | None = None
    classified: bool | None = None
    run_id: int | None = None
    computed_at: str | None = None
    budgets: list[int | float] | None = None
    bands: list[str] | None = None
    parameters: dict[str, Any] | None = None
    data_versions: dict[str, Any] | None = None
    stale: bool | None = None
    stale_bands: list[Any] | None = None
    method: str | None = None
    round_trip: str | None = None
    round_trip_rule: str | None = None
    notice: str | None = None


class GapLayerFeaturesItem(Open):
    """One of `features` in GapLayer."""

    type: str | None = None
    id: str | None = None
    properties: dict[str, Any] | None = None
    geometry: dict[str, Any] | None = None


class GapLayer(Open):
    """The gap map layer: a GeoJSON FeatureCollection of areas and the run's metadata."""

    type: str | None = None
    meta: GapLayerMeta | None = None
    features: list[GapLayerFeaturesItem] | None = None


class GapAreasAreasItem(Open):
    """One of `areas` in GapAreas."""

    level: str | None = None
    code: str | None = None
    name: str | None = None
    lad_code: str | None = None


class GapAreas(Open):
    """Every area in the analysis, for the area picker."""

    areas: list[GapAreasAreasItem]


class GapVenuesVenuesItem(Open):
    """One of `venues` in GapVenues."""

    id: str | None = None
    name: str | None = None
    kind: str | None = None
    town: str | None = None
    lad_code: str | None = None
    lat: float | None = None
    lon: float | None = None


class GapVenues(Open):
    """Loaded venues where a what-if can place a group."""

    venues: list[GapVenuesVenuesItem]


class GapListingsListingsItem(Open):
    """One of `listings` in GapListings."""

    id: str | None = None
    name: str | None = None
    when: list[str] | None = None
    sessions_per_week: float | None = None


class GapListings(Open):
    """Listings with a session in a band."""

    band: str
    listings: list[GapListingsListingsItem]


class GapRunsRunsItem(Open):
    """One of `runs` in GapRuns."""

    run_id: int | None = None
    finished_at: str | None = None
    seconds: float | None = None
    bands: list[str] | None = None
    budgets: list[int | float] | None = None
    parameters: dict[str, Any] | None = None
    data_versions: dict[str, Any] | None = None
    history_rows: int | float | None = None


class GapRuns(Open):
    """Every gap run kept, with its parameters and input versions."""

    runs: list[GapRunsRunsItem]


class GapCompareRun(Open):
    """One of the two runs compared: its id and parameters."""

    run_id: int | None = None
    finished_at: str | None = None
    seconds: float | None = None
    bands: list[str] | None = None
    budgets: list[int | float] | None = None
    parameters: dict[str, Any] | None = None
    data_versions: dict[str, Any] | None = None
    history_rows: int | float | None = None


class GapCompareAreasItem(Open):
    """One of `areas` in GapCompare."""

    code: str | None = None
    name: str | None = None
    reach: dict[str, Any] | None = None
    sessions_per_week: dict[str, Any] | None = None
    competition: dict[str, Any] | None = None


class GapCompare(Open):
    """Two gap runs side by side per area."""

    a: GapCompareRun | None = None
    b: GapCompareRun | None = None
    level: str | None = None
    band: str | None = None
    audience: str | None = None
    budget: int | None = None
    changed: int | float | None = None
    areas: list[GapCompareAreasItem] | None = None


class GapDetailNeed(Open):
    """`need` of GapDetail."""

    imd_score: float | None = None
    imd_decile: float | None = None
    health_score: float | None = None
    barriers_score: float | None = None
    domains: dict[str, Any] | None = None
    rural_urban: str | None = None


class GapDetailBands(Open):
    """`bands` of GapDetail."""

    weekday_day: dict[str, Any] | None = None
    weekday_evening: dict[str, Any] | None = None
    weekend: dict[str, Any] | None = None


class GapDetailLsoasItem(Open):
    """One of `lsoas` in GapDetail."""

    code: str | None = None
    name: str | None = None


class GapDetail(Open):
    """One area in the gap analysis: population, need, reach per band."""

    level: str | None = None
    code: str | None = None
    name: str | None = None
    ward_code: Any = None
    lad_code: str | None = None
    budget: int | None = None
    population: dict[str, Any] | None = None
    need: GapDetailNeed | None = None
    origins: int | float | None = None
    origins_rule: str | None = None
    need_class: int | float | None = None
    round_trip: str | None = None
    round_trip_rule: str | None = None
    free_with_pass: bool | None = None
    free_with_pass_rule: str | None = None
    no_way_home_after_19_share: float | None = None
    no_late_round_trip_share: float | None = None
    bands: GapDetailBands | None = None
    lsoas: list[GapDetailLsoasItem] | None = None


class WhatIfAnswerView(Open):
    """`view` of WhatIfAnswer."""

    category: str | None = None
    audience: str | None = None
    counts_in_view: bool | None = None


class WhatIfAnswerScenario(Open):
    """`scenario` of WhatIfAnswer."""

    closed: list[dict[str, Any]] | None = None
    changed: Any = None
    added: dict[str, Any] | None = None
    bus: list[Any] | None = None


class WhatIfAnswerFrozenBreaks(Open):
    """`frozen_breaks` of WhatIfAnswer."""

    lsoa: dict[str, Any] | None = None
    ward: dict[str, Any] | None = None
    lad: dict[str, Any] | None = None


class WhatIfAnswerSummary(Open):
    """`summary` of WhatIfAnswer."""

    lsoa_changed: int | float | None = None
    ward_changed: int | float | None = None
    lad_changed: int | float | None = None
    lsoa_class_changed: int | float | None = None
    ward_class_changed: int | float | None = None
    lad_class_changed: int | float | None = None
    competition_only_changed: dict[str, Any] | None = None
    residents_within_round_trip: int | float | None = None
    lsoas_reached: int | float | None = None


class WhatIfAnswerChanges(Open):
    """`changes` of WhatIfAnswer."""

    lsoa: list[dict[str, Any]] | None = None
    ward: list[dict[str, Any]] | None = None
    lad: list[dict[str, Any]] | None = None


class WhatIfAnswer(Open):
    """The areas whose access changes under a scenario (nothing is saved)."""

    band: str | None = None
    band_label: str | None = None
    budget: int | None = None
    saved: bool | None = None
    view: WhatIfAnswerView | None = None
    scenario: WhatIfAnswerScenario | None = None
    region: list[str] | None = None
    region_rule: str | None = None
    frozen_breaks: WhatIfAnswerFrozenBreaks | None = None
    round_trip: str | None = None
    summary: WhatIfAnswerSummary | None = None
    changes: WhatIfAnswerChanges | None = None


class OptimiseAnswerTopItem(Open):
    """One of `top` in OptimiseAnswer."""

    name: str | None = None
    kind: str | None = None
    venue_id: str | None = None
    town: str | None = None
    lat: float | None = None
    lon: float | None = None
    day: str | None = None
    start: str | None = None
    end: str | None = None
    need_weighted_gain: float | None = None
    residents_newly_reached: int | float | None = None
    lsoas_newly_reached: int | float | None = None
    rank: int | None = None
    pick: int | float | None = None
    marginal_gain: float | None = None


class OptimiseAnswerExactCheck(Open):
    """`exact_check` of OptimiseAnswer."""

    pool: int | float | None = None
    greedy: float | None = None
    optimal: float | None = None
    greedy_share_of_optimal: float | None = None


class OptimiseAnswer(Open):
    """The best sites and times for a new group, by need-weighted new round trips."""

    band: str | None = None
    band_label: str | None = None
    budget: int | None = None
    category: str | None = None
    audience: Any = None
    audience_view: str | None = None
    day: str | None = None
    times: list[list[str]] | None = None
    region: list[str] | None = None
    region_rule: str | None = None
    candidates: int | float | None = None
    placements_tested: int | float | None = None
    baseline_reached_share: float | None = None
    top: list[OptimiseAnswerTopItem] | None = None
    typed: list[Any] | None = None
    total_need_weighted_gain: float | None = None
    exact_check: OptimiseAnswerExactCheck | None = None
    method: str | None = None
    round_trip: str | None = None
    saved: bool | None = None


# Requests: a what-if scenario and an optimiser run.

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
BREAK_KINDS = ("fixed", "terciles")
VIEW_AUDIENCE = {"young": "young-people-16-25", "older": "older-adults"}  # the map's names


def known_category(v: str) -> str:
    """A category code of the vocabulary, else a ValueError listing them."""
    if v not in CATEGORY_CODES:
        raise ValueError(f"unknown category; use one of {', '.join(sorted(CATEGORY_CODES))}")
    return v


class ExtraTrip(BaseModel):
    """One extra bus journey on an existing route."""

    model_config = ConfigDict(extra="forbid")

    route: str = Field(max_length=64, description="route short name (e.g. 27) or route_id")
    depart: str = Field(pattern=HHMM, description="when it leaves its first stop, HH:MM")
    direction: Literal[0, 1] | None = Field(
        None, description="GTFS direction_id; default: the direction of the nearest trip")


class Change(BaseModel):
    """New days, times, frequency or capacity of an existing listing (same venue)."""

    model_config = ConfigDict(extra="forbid")

    activity_id: str = Field(max_length=64, description="id of the listing to change")
    days: list[Weekday] | None = Field(None, min_length=1, max_length=7)
    start: str | None = Field(None, pattern=HHMM)
    end: str | None = Field(None, pattern=HHMM)
    frequency: Literal["weekly", "fortnightly", "monthly"] | None = None
    capacity: float | None = Field(None, gt=0, le=10_000, description="places per session")


class WhatIfRequest(BaseModel):
    """A scenario in one band (add a group, close listings, change one) and the map view."""

    model_config = ConfigDict(extra="forbid")

    # add: where (exactly one of lat/lon, postcode, venue_id) and when
    lat: float | None = Field(None, ge=GB_BOUNDS[1], le=GB_BOUNDS[3], description="WGS84 latitude")
    lon: float | None = Field(None, ge=GB_BOUNDS[0], le=GB_BOUNDS[2],
                              description="WGS84 longitude")
    postcode: str | None = Field(None, max_length=10, description="place it at a postcode")
    venue_id: str | None = Field(None, max_length=64, description="place it at a loaded venue")
    days: list[Weekday] | None = Field(None, min_length=1, max_length=7, description="['thu']")
    start: str | None = Field(None, pattern=HHMM, description="HH:MM local time")
    end: str | None = Field(None, pattern=HHMM, description="HH:MM local time")
    frequency: Literal["weekly", "fortnightly", "monthly"] = "weekly"
    category: str = Field("social-connection", description="category code of the new group")
    audiences: list[str] = Field(default_factory=list, max_length=5,
                                 description="audience codes, e.g. young-people-16-25")
    capacity: float | None = Field(None, gt=0, le=10_000,
                                   description="places per session (default: by category)")
    name: str = Field("Hypothetical activity", max_length=120)
    # close and change
    close: list[str] = Field(default_factory=list, max_length=50,
                             description="ids of listings to close")
    change: Change | None = None
    bus: list[ExtraTrip] = Field(default_factory=list, max_length=3,
                                 description="extra bus trips, e.g. a later journey home")
    # the view
    band: str | None = Field(None, description="band (default: from the new session's times)")
    budget: int | None = Field(None, description="one-way budget in minutes (default 45)")
    view_category: str = Field("all", description="category shown on the map")
    view_audience: str = Field("all", description="audience group shown: all, young, older")
    region: str | None = Field(None, max_length=200, description="LAD codes, comma-separated")
    breaks: str = Field("fixed", description="fixed or terciles (frozen at the baseline)")

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        return known_category(v)

    @field_validator("audiences")
    @classmethod
    def _audiences(cls, v: list[str]) -> list[str]:
        out = []
        for raw in v:
            code = audience_code(raw)
            if code is None:
                raise ValueError(f"unknown audience {raw!r}; use one of "
                                 f"{', '.join(sorted(AUDIENCE_CODES))}")
            out.append(code)
        return out

    @model_validator(mode="after")
    def _shape(self) -> WhatIfRequest:
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end must be after start")
        if self.breaks not in BREAK_KINDS:
            raise ValueError(f"breaks must be one of {', '.join(BREAK_KINDS)}")
        return self

    @property
    def adds(self) -> bool:
        """True when the scenario adds a new group."""
        return any(x is not None for x in (self.lat, self.lon, self.postcode, self.venue_id))


class OptimiseRequest(BaseModel):
    """The group to place: band, category, audience; candidates; how many sites to return."""

    model_config = ConfigDict(extra="forbid")

    band: str = Field("weekday_evening", description="weekday_day, weekday_evening or weekend")
    category: str = Field("social-connection", description="category code of the new group")
    audience: str | None = Field(None, description="audience code, e.g. young-people-16-25 "
                                 "(or the map's young / older)")
    day: Weekday | None = Field(None, description="day of the session (default Wed / Sat)")
    times: list[tuple[str, str]] | None = Field(
        None, max_length=4, description="candidate [start, end] pairs, HH:MM (default two)")
    k: int = Field(5, ge=1, le=10, description="how many sites to pick")
    budget: int | None = Field(None, description="one-way budget in minutes (default 45)")
    postcodes: list[str] = Field(default_factory=list, max_length=5,
                                 description="extra candidate postcodes")
    venues: bool = Field(True, description="include every loaded venue as a candidate")
    region: str | None = Field(None, max_length=200, description="LAD codes, comma-separated")

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        return known_category(v)

    @field_validator("audience")
    @classmethod
    def _audience(cls, v: str | None) -> str | None:
        if v is None or v in ("", "all"):
            return None
        code = VIEW_AUDIENCE.get(v) or audience_code(v)
        if code is None:
            raise ValueError(f"unknown audience; use one of {', '.join(sorted(AUDIENCE_CODES))}")
        return code

    @field_validator("times")
    @classmethod
    def _times(cls, v: list[tuple[str, str]] | None) -> list[tuple[str, str]] | None:
        for start, end in v or []:
            if not re.match(HHMM, start) or not re.match(HHMM, end) or end <= start:
                raise ValueError("each time is [start, end] in HH:MM with end after start")
        return v

    @model_validator(mode="after")
    def _band(self) -> OptimiseRequest:
        if self.band not in BANDS:
            raise ValueError(f"band must be one of {', '.join(BANDS)}")
        return self
