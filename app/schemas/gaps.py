"""Response models of the gaps endpoints."""

from __future__ import annotations

from typing import Any

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


class GapCompareA(Open):
    """`a` of GapCompare."""

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

    a: GapCompareA | None = None
    b: GapCompareA | None = None
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


