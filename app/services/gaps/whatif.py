"""What-if: add a hypothetical activity to a band and report the change per area, unsaved."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Connection

from app.analysis.bands import band_of
from app.analysis.decay import DECAYS
from app.analysis.metrics import SessionSet
from app.analysis.results import METRICS, Block, band_blocks
from app.directory.vocab import AUDIENCE_CODES, CATEGORY_CODES, audience_code
from app.errors import DataNotLoaded, InvalidInput
from app.routing.raptor import QueryParams
from app.services.gaps.compute import levels_of
from app.services.gaps.inputs import AUDIENCE_GROUPS, load_areas
from app.services.gaps.query import _band_state, check_filters, resolve_budget
from app.services.gaps.search import SessionSpot, origin_access, session_round_trips
from app.services.gaps.store import matrix_path
from app.services.transit.router import get_router
from app.settings import get_settings

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PER_WEEK = {"weekly": 1.0, "fortnightly": 0.5, "monthly": 12 / 52}


class WhatIfRequest(BaseModel):
    """A hypothetical activity, and the map view (category, audience, budget) to compare."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=49.0, le=61.5, description="WGS84 latitude of the venue")
    lon: float = Field(ge=-9.0, le=2.5, description="WGS84 longitude of the venue")
    days: list[Weekday] = Field(min_length=1, max_length=7, description="e.g. ['thu']")
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM local time")
    end: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM local time")
    frequency: Literal["weekly", "fortnightly", "monthly"] = "weekly"
    category: str = Field(description="category code of the activity, e.g. social-connection")
    audiences: list[str] = Field(default_factory=list, max_length=5,
                                 description="audience codes, e.g. young-people-16-25")
    capacity: float = Field(1.0, gt=0, le=10_000, description="places per session (default 1)")
    budget: int | None = Field(None, description="one-way budget in minutes (default 45)")
    view_category: str = Field("all", description="category shown on the map")
    view_audience: str = Field("all", description="audience group shown: all, young, older")
    name: str = Field("Hypothetical activity", max_length=120)

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        if v not in CATEGORY_CODES:
            raise ValueError(f"unknown category; use one of {', '.join(sorted(CATEGORY_CODES))}")
        return v

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
    def _times(self) -> WhatIfRequest:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def seconds(self, hhmm: str) -> int:
        """Seconds after midnight of an HH:MM field."""
        return int(hhmm[:2]) * 3600 + int(hhmm[3:]) * 60


def _band(req: WhatIfRequest) -> str:
    bands = {band_of(WEEKDAYS.index(d), req.seconds(req.start)) for d in req.days}
    if None in bands:
        raise InvalidInput("the session starts outside every band (weekdays 09:00–22:00, "
                           "weekends 09:00–22:00)", field="start")
    if len(bands) > 1:
        raise InvalidInput("choose days of one band: weekdays or the weekend, not both",
                           field="days")
    return str(bands.pop())


def _load(band: str, run_id: int) -> dict[str, np.ndarray]:
    path = matrix_path(get_settings().cache_dir, band)
    if not path.exists():
        raise DataNotLoaded(f"the what-if data of band {band} is missing; run "
                            f"`python -m ingest gaps --band {band} --force`")
    with np.load(path, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    if int(data["run_id"]) != run_id:
        raise DataNotLoaded(f"the what-if data of band {band} is from another run; run "
                            f"`python -m ingest gaps --band {band} --force`")
    return data


def _row_dict(b: Block, i: int) -> dict[str, Any]:
    vals = {m: (None if np.isnan(b.values[m][i]) else round(float(b.values[m][i]), 4))
            for m in METRICS}
    score = float(b.gap_score[i])
    return vals | {"gap_class": b.gap_class[i],
                   "gap_score": None if np.isnan(score) else round(score, 4)}


def what_if(conn: Connection, req: WhatIfRequest) -> dict[str, Any]:
    """Per LSOA, ward and district: the view's metrics before and after adding the activity."""
    check_filters("lsoa", "weekday_day", req.view_category, req.view_audience)
    band = _band(req)
    st, _ = _band_state(conn, band)
    budget = resolve_budget(st, req.budget)
    data = _load(band, st["run_id"])
    areas = load_areas(conn)
    if areas.codes != data["area_codes"].tolist():
        raise DataNotLoaded("the areas changed since the last run; run `python -m ingest gaps`")
    week = [dt.date.fromisoformat(d) for d in data["week"].tolist()]
    acts = json.loads(str(data["act_json"]))
    n_act = len(acts)
    lats, lons = data["origin_lat"], data["origin_lon"]
    query = QueryParams(max_buses=int(st["params"].get("max_buses", 4)))
    new_cols = []
    for day in req.days:
        wd = WEEKDAYS.index(day)
        router = get_router(conn, week[wd])
        access = origin_access(router, lats, lons, query)
        spot = SessionSpot(req.lat, req.lon, req.seconds(req.start), req.seconds(req.end))
        out, back = session_round_trips(router, [spot], access, lats, lons, query)
        new_cols.append(np.maximum(out, back)[:, 0])
    rt_base = data["rt"].astype(np.float64)
    rt_new = np.column_stack([rt_base, *new_cols])
    base_sessions = SessionSet(data["slot_activity"], data["slot_per_week"])
    new_sessions = SessionSet(
        np.r_[data["slot_activity"], np.full(len(new_cols), n_act)],
        np.r_[data["slot_per_week"], np.full(len(new_cols), PER_WEEK[req.frequency])])
    cats = [set(a[0]) for a in acts] + [{req.category}]
    auds = [set(a[1]) for a in acts] + [set(req.audiences)]
    capacity = np.array([a[2] for a in acts] + [req.capacity], dtype=np.float64)
    codes, pop_band = AUDIENCE_GROUPS[req.view_audience]
    cat_mask = np.array([req.view_category == "all" or req.view_category in c for c in cats])
    aud_mask = np.array([codes is None or bool(a & codes) for a in auds])
    pop = areas.population[pop_band]
    decay = DECAYS[st["params"].get("decay", "stepped")]
    region = st["params"].get("region_used")
    levels = levels_of(areas, set(region) if region else None)

    def rows(rt: np.ndarray, sessions: SessionSet, cap: np.ndarray, cmask: np.ndarray,
             amask: np.ndarray) -> list[Block]:
        return list(band_blocks(rt, sessions, cap, {req.view_category: cmask},
                              {req.view_audience: (amask, pop)}, data["origin_area"],
                              data["origin_weight"], levels, areas.imd_score,
                              areas.population["total"], [budget], decay))

    before = rows(rt_base, base_sessions, capacity[:-1], cat_mask[:-1], aud_mask[:-1])
    after = rows(rt_new, new_sessions, capacity, cat_mask, aud_mask)
    names = {"lsoa": dict(zip(areas.codes, areas.names, strict=True)),
             "ward": areas.ward_names, "lad": areas.lad_names}
    changes: dict[str, list[dict[str, Any]]] = {"lsoa": [], "ward": [], "lad": []}
    for b, a in zip(before, after, strict=True):
        deltas = {m: np.round(np.nan_to_num(a.values[m]) - np.nan_to_num(b.values[m]), 4)
                  for m in METRICS}
        changed = np.zeros(len(a.codes), bool)
        for d in deltas.values():
            changed |= d != 0
        changed |= np.array([x != y for x, y in zip(a.gap_class, b.gap_class, strict=True)])
        for i in np.flatnonzero(changed).tolist():
            code = a.codes[i]
            changes[a.level].append({"code": code, "name": names[a.level].get(code),
                                     "before": _row_dict(b, i), "after": _row_dict(a, i),
                                     "delta": {m: float(d[i]) for m, d in deltas.items()}})
    reach = np.column_stack(new_cols).min(axis=1) <= budget
    w = data["origin_weight"] * pop[data["origin_area"]]
    in_view = bool(cat_mask[-1] and aud_mask[-1])
    return {
        "band": band, "budget": budget, "saved": False,
        "view": {"category": req.view_category, "audience": req.view_audience,
                 "counts_in_view": in_view},
        "activity": {"name": req.name, "lat": req.lat, "lon": req.lon, "days": req.days,
                     "start": req.start, "end": req.end, "frequency": req.frequency,
                     "category": req.category, "audiences": req.audiences,
                     "capacity": req.capacity},
        "summary": {
            "residents_within_round_trip": round(float(w[reach].sum())),
            "lsoas_reached": len(set(data["origin_area"][reach].tolist())),
            "lsoas_changed": len(changes["lsoa"]), "wards_changed": len(changes["ward"]),
        },
        "changes": changes,
    }
