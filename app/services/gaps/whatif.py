"""What-if: add, close or change a listing in one band and list every area whose access moves.

The baseline's classes are frozen (fixed breaks, or the baseline's terciles), so only an
area whose own reach changes can change class. Nothing is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection

from app.analysis.aggregate import weighted_mean_by
from app.analysis.bands import BANDS, band_of
from app.analysis.capacity import default_capacity
from app.analysis.classes import Breaks, classify, fit_breaks
from app.analysis.frequency import PER_WEEK
from app.analysis.results import ACCESS_METRIC, STORED, Block
from app.errors import InvalidInput, NotFound
from app.routing.raptor import Router
from app.routing.venue_session import VenueSession
from app.schemas.gaps import WEEKDAYS, WhatIfRequest
from app.services.gaps.buses import routers_with_trips
from app.services.gaps.inputs import AUDIENCE_GROUPS
from app.services.gaps.placement import Place, resolve
from app.services.gaps.query import (
    ROUND_TRIP_URL,
    check_filters,
    comparison_region,
    known_districts,
    need_breaks,
    parse_region,
)
from app.services.gaps.scenario import (
    Baseline,
    budget_of,
    evaluate,
    load_baseline,
    route_spots,
    view_mask,
)

CHANGE_METRICS = ("activities_share", "activities_mean", "sessions_mean")  # "access changes"


def seconds(hhmm: str) -> int:
    """Seconds after midnight of an HH:MM string."""
    return int(hhmm[:2]) * 3600 + int(hhmm[3:]) * 60



def _band_of_times(days: Sequence[str], start: str, field: str = "start") -> str:
    bands = {band_of(WEEKDAYS.index(d), seconds(start)) for d in days}
    if None in bands:
        raise InvalidInput("the session starts outside every band (weekdays and weekends "
                           "09:00–22:00)", field=field)
    if len(bands) > 1:
        raise InvalidInput("choose days of one band: weekdays or the weekend, not both",
                           field="days")
    return str(bands.pop())


def scenario_band(req: WhatIfRequest) -> str:
    """The band the scenario is evaluated in."""
    if req.adds:
        if not req.days or not req.start or not req.end:
            raise InvalidInput("a new group needs days, start and end", field="days")
        band = _band_of_times(req.days, req.start)
        if req.band and req.band != band:
            raise InvalidInput(f"the new group's times fall in {band}, not {req.band}",
                               field="band")
        return band
    if req.band is None and req.change and req.change.days and req.change.start:
        return _band_of_times(req.change.days, req.change.start, "change")
    if req.band is None:
        raise InvalidInput("say which band to evaluate (or add a group with days and times)",
                           field="band")
    if req.band not in BANDS:
        raise InvalidInput(f"band must be one of {', '.join(BANDS)}", field="band")
    if not req.close and not req.change and not req.bus:
        raise InvalidInput("nothing to test: add a group, close or change a listing, or add "
                           "a bus trip", field="close")
    return req.band


class Scenario:
    """The changed matrices of a band: columns dropped, columns added, activities added."""

    def __init__(self, base: Baseline) -> None:
        self.base = base
        self.rt = base.rt
        self.slot_activity = base.slot_activity.copy()
        self.per_week = base.slot_per_week.copy()
        self.capacity = base.capacity()
        self.acts = [list(a) for a in base.acts]
        self.routers: dict[int, Router] = {}
        self._slots: list[list[Any]] = list(base.slots)

    def activity_index(self, activity_id: str, field: str) -> int:
        """Position of a listing among the band's activities; 404 if it has no session here."""
        j = (self.base.act_ids.index(activity_id) if activity_id in self.base.act_ids
             else -1)
        if j < 0 or not (self.slot_activity == j).any():
            raise NotFound(f"listing {activity_id!r} has no session in the {self.base.band} "
                           "band", field=field)
        return j

    def close(self, j: int) -> list[list[Any]]:
        """Remove every session of activity j; return the removed slots."""
        keep = self.slot_activity != j
        gone = [s for s, k in zip(self._slots, keep.tolist(), strict=True) if not k]
        self.rt = self.rt[:, keep]
        self.slot_activity = self.slot_activity[keep]
        self.per_week = self.per_week[keep]
        self._slots = [s for s, k in zip(self._slots, keep.tolist(), strict=True) if k]
        return gone

    def add(self, conn: Connection, j: int, spots: list[tuple[int, VenueSession]],
            per_week: float) -> np.ndarray:
        """Route and append sessions of activity j; return their round-trip columns."""
        cols = route_spots(conn, self.base, spots, self.routers)
        self.rt = np.column_stack([self.rt, cols])
        self.slot_activity = np.r_[self.slot_activity, np.full(len(spots), j)]
        self.per_week = np.r_[self.per_week, np.full(len(spots), per_week)]
        self._slots = self._slots + [["new", s.lat, s.lon, wd, s.start_s, s.end_s]
                                     for wd, s in spots]
        return cols


def _row(b: Block, i: int, cls: str | None) -> dict[str, Any]:
    vals = {m: (None if np.isnan(b.values[m][i]) else round(float(b.values[m][i]), 4))
            for m in STORED}
    return vals | {"gap_class": cls}


def _classes(level: str, block: Block, need: np.ndarray, inside: np.ndarray,
             breaks: Breaks) -> list[str | None]:
    if level == "lad":
        return [None] * len(block.codes)
    return classify(need, block.values[ACCESS_METRIC], inside, breaks)


def what_if(conn: Connection, req: WhatIfRequest) -> dict[str, Any]:
    """Per LSOA, ward and district: every area whose access changes, before and after."""
    check_filters("lsoa", "weekday_day", req.view_category, req.view_audience)
    band = scenario_band(req)
    region_req = parse_region(req.region, known_districts(conn))
    base = load_baseline(conn, band)  # 503 with the command to run before any 422 on places
    place: Place | None = None
    if req.adds:
        place = resolve(conn, lat=req.lat, lon=req.lon, postcode=req.postcode,
                        venue_id=req.venue_id)
    budget = budget_of(base, req.budget)
    sc = Scenario(base)
    described: dict[str, Any] = {"closed": [], "changed": None, "added": None, "bus": []}
    if req.bus:
        # only the weekdays that hold a session, before or after the change
        used = {int(x[3]) for x in base.slots} | {WEEKDAYS.index(d) for d in req.days or []}
        if req.change and req.change.days:
            used |= {WEEKDAYS.index(d) for d in req.change.days}
        band_days = {wd: base.week[wd] for wd in BANDS[band].weekdays if wd in used}
        sc.routers, described["bus"] = routers_with_trips(conn, band_days, req.bus)
        spots = [(int(s[3]), VenueSession(float(s[1]), float(s[2]), base.week[int(s[3])],
                                           int(s[4]), int(s[5]))) for s in base.slots]
        sc.rt = route_spots(conn, base, spots, sc.routers)
    for aid in req.close:
        j = sc.activity_index(aid, "close")
        sc.close(j)
        described["closed"].append({"id": aid, "name": base.acts[j][3]})
    if req.change:
        ch = req.change
        j = sc.activity_index(ch.activity_id, "change")
        old_rate = float(sc.per_week[sc.slot_activity == j].max(initial=0.0))
        old_slots = sc.close(j)
        venues = sorted({(s[1], s[2]) for s in old_slots})
        days = ([WEEKDAYS.index(d) for d in ch.days] if ch.days
                else sorted({int(s[3]) for s in old_slots}))
        s0 = seconds(ch.start) if ch.start else int(old_slots[0][4])
        s1 = seconds(ch.end) if ch.end else int(old_slots[0][5])
        if s1 <= s0:
            raise InvalidInput("the changed session must end after it starts", field="change")
        for wd in days:
            if band_of(wd, s0) != band:
                raise InvalidInput(f"the changed session would leave the {band} band; "
                                   "evaluate it in its new band", field="change")
        if ch.capacity:
            sc.capacity[j] = ch.capacity
        rate = PER_WEEK[ch.frequency] if ch.frequency else old_rate
        sc.add(conn, j, [(wd, VenueSession(la, lo, base.week[wd], s0, s1)) for wd in days
                          for la, lo in venues], rate)
        described["changed"] = {"id": ch.activity_id, "name": base.acts[j][3],
                                "days": [WEEKDAYS[d] for d in days],
                                "start": f"{s0 // 3600:02d}:{s0 % 3600 // 60:02d}",
                                "end": f"{s1 // 3600:02d}:{s1 % 3600 // 60:02d}",
                                "sessions_per_week": rate, "capacity": float(sc.capacity[j])}
    new_cols = None
    if place is not None and req.days and req.start and req.end:
        j = len(sc.acts)
        cap = req.capacity or default_capacity(req.category)
        sc.acts.append([[req.category], list(req.audiences), cap, req.name])
        sc.capacity = np.r_[sc.capacity, cap]
        spot = [(wd, VenueSession(place.lat, place.lon, base.week[wd], seconds(req.start),
                                  seconds(req.end))) for wd in map(WEEKDAYS.index, req.days)]
        new_cols = sc.add(conn, j, spot, PER_WEEK[req.frequency])
        described["added"] = {"name": req.name, "place": place.label, "venue_id": place.venue_id,
                              "lat": round(place.lat, 5), "lon": round(place.lon, 5),
                              "days": req.days, "start": req.start, "end": req.end,
                              "frequency": req.frequency, "category": req.category,
                              "audiences": req.audiences, "capacity": cap}
    base_mask = view_mask(base.acts, req.view_category, req.view_audience)
    new_mask = view_mask(sc.acts, req.view_category, req.view_audience)
    before = evaluate(base, base.rt, base.slot_activity, base.slot_per_week, base.capacity(),
                      base_mask, req.view_audience, budget)
    after = evaluate(base, sc.rt, sc.slot_activity, sc.per_week, sc.capacity, new_mask,
                     req.view_audience, budget)
    return _compare(conn, req, base, band, budget, region_req, before, after, described,
                    new_cols, bool(new_mask[-1]) if len(sc.acts) > len(base.acts) else None)


def _compare(conn: Connection, req: WhatIfRequest, base: Baseline, band: str, budget: int,
             region_req: list[str] | None, before: list[Block], after: list[Block],
             described: dict[str, Any], new_cols: np.ndarray | None,
             counts_in_view: bool | None) -> dict[str, Any]:
    """Frozen-baseline classes before and after, and every area whose access changed."""
    areas = base.areas
    codes, how = comparison_region(base.state, region_req)
    region = set(codes)
    names = {"lsoa": dict(zip(areas.codes, areas.names, strict=True)),
             "ward": areas.ward_names, "lad": areas.lad_names}
    need_lsoa = areas.imd_score
    cuts = need_breaks(conn, str(base.state["run_id"]))
    changes: dict[str, list[dict[str, Any]]] = {"lsoa": [], "ward": [], "lad": []}
    competition_only = dict.fromkeys(changes, 0)
    frozen: dict[str, Any] = {}
    lad_of_ward = dict(zip(areas.ward_codes, areas.lad_codes, strict=True))
    for b, a in zip(before, after, strict=True):
        if b.level == "lsoa":
            need, lads = need_lsoa, areas.lad_codes
        else:
            idx = _parent_idx(areas, b.level, b.codes)
            need = weighted_mean_by(need_lsoa, areas.population["total"], idx, len(b.codes))
            lads = [lad_of_ward[c] for c in b.codes] if b.level == "ward" else b.codes
        inside = np.array([c in region for c in lads], bool)
        breaks = fit_breaks(b.values[ACCESS_METRIC], inside, cuts, req.breaks)  # frozen
        frozen[b.level] = breaks.as_dict()
        cb = _classes(b.level, b, need, inside, breaks)
        ca = _classes(b.level, a, need, inside, breaks)
        deltas = {m: np.nan_to_num(a.values[m]) - np.nan_to_num(b.values[m]) for m in STORED}
        moved = np.zeros(len(b.codes), bool)
        for m in CHANGE_METRICS:
            moved |= np.abs(deltas[m]) > 1e-9
        comp = (np.abs(deltas["e2sfca"]) > 1e-9) & ~moved
        competition_only[b.level] = int(comp.sum())
        for i in np.flatnonzero(moved).tolist():
            code = b.codes[i]
            changes[b.level].append({
                "code": code, "name": names[b.level].get(code), "in_region": bool(inside[i]),
                "before": _row(b, i, cb[i]), "after": _row(a, i, ca[i]),
                "class_changed": cb[i] != ca[i],
                "delta": {m: round(float(deltas[m][i]), 4) for m in STORED}})
    summary: dict[str, Any] = {f"{lv}_changed": len(v) for lv, v in changes.items()}
    summary |= {f"{lv}_class_changed": sum(c["class_changed"] for c in v)
                for lv, v in changes.items()}
    summary["competition_only_changed"] = competition_only
    if new_cols is not None:
        pop = areas.population[_age_band(req.view_audience)]
        w = base.origin_weight * pop[base.origin_area]
        ok = new_cols.min(axis=1) <= budget
        summary["residents_within_round_trip"] = round(float(w[ok].sum()))
        summary["lsoas_reached"] = len(set(base.origin_area[ok].tolist()))
    return {
        "band": band, "band_label": BANDS[band].label, "budget": budget, "saved": False,
        "view": {"category": req.view_category, "audience": req.view_audience,
                 "counts_in_view": counts_in_view},
        "scenario": described, "region": codes, "region_rule": how,
        "frozen_breaks": frozen, "round_trip": ROUND_TRIP_URL,
        "summary": summary, "changes": changes,
    }


def _parent_idx(areas: Any, level: str, codes: list[str]) -> np.ndarray:
    pos = {c: i for i, c in enumerate(codes)}
    parents = areas.ward_codes if level == "ward" else areas.lad_codes
    return np.array([pos[c] for c in parents], dtype=np.int64)


def _age_band(audience: str) -> str:
    return AUDIENCE_GROUPS[audience][1]


__all__ = ["scenario_band", "what_if"]
