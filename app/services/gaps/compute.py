"""Compute the gap analysis for some bands: origins, venue searches, metrics and details."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from app.analysis.aggregate import group_index, weighted_mean_by
from app.analysis.bands import BANDS, representative_week
from app.analysis.decay import DECAYS
from app.analysis.metrics import SessionSet, activity_times
from app.analysis.origins import ALL_ORIGINS, Origins
from app.analysis.results import Block, Level, band_blocks
from app.directory.vocab import CATEGORIES
from app.errors import DataNotLoaded, InvalidInput
from app.routing.raptor import QueryParams, Router
from app.routing.roundtrip import BUFFER_S
from app.routing.roundtrip_venue import (
    origin_access,
    session_direct_walks,
    session_minutes,
    session_searches,
)
from app.routing.venue_session import VenueSession
from app.services.gaps.free_pass import (
    BASE_AUDIENCE,
    FREE_AUDIENCE,
    FreeRule,
    fare_model,
    free_searches,
)
from app.services.gaps.inputs import (
    AUDIENCE_GROUPS,
    Areas,
    Listings,
    Slot,
    load_areas,
    load_listings,
    load_origins,
)
from app.services.region import served_region
from app.services.transit.router import get_router, loaded_feeds, validity_of

# The round trip of docs/method.md#round-trip: the finder's buffers (BUFFER_S before the start
# and after the end) and at most 2 buses each way (the finder's default bus limit).
ROUND_TRIP_MAX_BUSES = 2
LATE_S = 19 * 3600  # "no bus home after 19:00"
TOP_NEAREST = 5
Progress = Callable[[int], None]


@dataclass(frozen=True)
class GapParams:
    """Parameters of a run (stored with it)."""

    budgets: tuple[int, ...] = (30, 45, 60)
    max_origins: int = ALL_ORIGINS  # 0 = every postcode of each LSOA
    decay: str = "stepped"
    max_buses: int = ROUND_TRIP_MAX_BUSES
    reference: dt.date | None = None
    # LAD codes whose LSOAs are origins; None = the SERVED_REGION setting, () = all loaded.
    region: tuple[str, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form for gap_run.params."""
        return {"budgets": list(self.budgets), "max_origins": self.max_origins,
                "decay": self.decay, "max_buses": self.max_buses,
                "buffer_min": BUFFER_S // 60,
                # results include the "free with a bus pass" view (FREE_AUDIENCE rows)
                "free_with_pass": FREE_AUDIENCE,
                "reference": self.reference.isoformat() if self.reference else None,
                "region": None if self.region is None else list(self.region)}


@dataclass
class Context:
    """Everything shared by the bands of one run."""

    areas: Areas
    origins: Origins
    origin_area: np.ndarray
    week: list[dt.date]
    listings: Listings
    params: GapParams
    query: QueryParams
    routers: dict[dt.date, Router] = field(default_factory=dict)

    def router(self, conn: Connection, day: dt.date) -> Router:
        """The engine router for a date of the representative week (compiled once)."""
        if day not in self.routers:
            # Reuse the transit service's engine router (its caches, mirror timetable).
            self.routers[day] = get_router(conn, day)
        return self.routers[day]


@dataclass
class BandResult:
    """The rows of one band and what the what-if needs to recompute it."""

    band: str
    blocks: list[Block]
    # origins x slots, round-trip time (longer leg), minutes; None when the run was too
    # large to keep it (GAPS_WHATIF_MAX_CELLS): then no what-if matrices are saved
    rt_min: np.ndarray | None
    slots: list[Slot]
    details: dict[str, dict[str, Any]]  # lsoa code -> detail (nearest, late-bus share)
    searches: int


def ordinary_week(conn: Connection, reference: dt.date | None) -> list[dt.date]:
    """The representative Mon–Sun week: inside the timetable, no calendar exceptions."""
    rows = loaded_feeds(conn)
    rng = validity_of(rows)
    if rng is None:
        raise DataNotLoaded("the loaded timetable has no service dates")
    exceptions = {r[0] for r in conn.execute(text("SELECT DISTINCT date FROM gtfs_calendar_date"))}
    ref = reference or dt.date.today()
    try:
        return representative_week(rng[0], rng[1], ref, lambda d: d not in exceptions)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="date") from exc


def run_region(conn: Connection, region: tuple[str, ...] | None) -> tuple[str, ...]:
    """The run's districts: as given, else the served region's (empty = every district)."""
    if region is not None:
        return tuple(sorted(region))
    served = served_region(conn)
    if not served.restricted:
        return ()
    if not served.districts:
        raise InvalidInput(f"SERVED_REGION ({', '.join(served.unknown)}) names no loaded "
                           "district", field="served_region")
    return tuple(sorted(served.codes))


def build_context(conn: Connection, params: GapParams) -> Context:
    """Load areas, origins, the representative week and the listings."""
    if params.decay not in DECAYS:
        raise InvalidInput(f"decay must be one of {sorted(DECAYS)}", field="decay")
    params = replace(params, region=run_region(conn, params.region))
    areas = load_areas(conn, params.region or None)
    origins = load_origins(conn, areas, params.max_origins)
    pos = areas.index()
    origin_area = np.array([pos[c] for c in origins.area_codes], dtype=np.int64)
    week = ordinary_week(conn, params.reference)
    listings = load_listings(conn, week)
    return Context(areas, origins, origin_area, week, listings, params,
                   QueryParams(max_buses=params.max_buses))


def levels_of(areas: Areas) -> list[Level]:
    """LSOA, ward and district levels with each LSOA's parent index."""
    wards, widx = group_index(areas.ward_codes)
    lads, lidx = group_index(areas.lad_codes)
    return [Level("lsoa", areas.codes, np.arange(len(areas.codes))),
            Level("ward", wards, widx), Level("lad", lads, lidx)]


def capacities(listings: Listings) -> np.ndarray:
    """Places per session of every activity (published, else the category default)."""
    return np.array([a.capacity for a in listings.activities], dtype=np.float64)


def activity_masks(listings: Listings, areas: Areas
                   ) -> tuple[dict[str, np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Category masks ('all' + vocabulary) and audience masks with their populations."""
    acts = listings.activities
    cats = {"all": np.ones(len(acts), bool)}
    for term in CATEGORIES:
        cats[term.code] = np.array([term.code in a.categories for a in acts], bool)
    auds: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, (codes, band) in AUDIENCE_GROUPS.items():
        if band not in areas.population:
            raise DataNotLoaded(f"population for age band {band} is not loaded")
        mask = (np.ones(len(acts), bool) if codes is None else
                np.array([bool(a.audiences & codes) for a in acts], bool))
        auds[name] = (mask, areas.population[band])
    return cats, auds


@dataclass
class SlotTrips:
    """Leg minutes (origins x slots): every round trip, and only those free with the pass."""

    out: np.ndarray
    back: np.ndarray
    free_out: np.ndarray  # outward boarding inside the pass's free window (e.g. from 09:30)
    free_back: np.ndarray  # return boarding inside it too (e.g. before 23:00)
    free_from: dict[int, str | None]  # weekday -> first free boarding "HH:MM" (None: all day)

    def columns(self, cols: list[int], weekdays: set[int]) -> SlotTrips:
        """The trips of some slots (columns, in that order) held on these weekdays.

        C-ordered like the in-process matrices: taking columns gives Fortran order, and
        the metrics' sums (BLAS) round differently on another memory layout.
        """
        def take(m: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(m[:, cols])

        return SlotTrips(take(self.out), take(self.back), take(self.free_out),
                         take(self.free_back),
                         {wd: t for wd, t in self.free_from.items() if wd in weekdays})


def slot_trips(conn: Connection, ctx: Context, slots: list[Slot],
               progress: Progress | None = None) -> SlotTrips:
    """Both views' leg minutes, searching once per session on each slot's weekday date.

    The free view reuses the same venue-side searches, masked by the fare model: no
    extra routing (docs/method.md#free-with-a-bus-pass).
    """
    n_o = len(ctx.origins)
    mats = [np.full((n_o, len(slots)), np.inf) for _ in range(4)]
    lats, lons = ctx.origins.lat, ctx.origins.lon
    model = fare_model()
    free_from: dict[int, str | None] = {}
    for wd in sorted({s.weekday for s in slots}):
        cols = [k for k, s in enumerate(slots) if s.weekday == wd]
        router = ctx.router(conn, ctx.week[wd])
        access = origin_access(router, lats, lons, ctx.query)
        spots = [VenueSession(slots[k].lat, slots[k].lon, ctx.week[wd], slots[k].start_s,
                              slots[k].end_s) for k in cols]
        latest, earliest = session_searches(router, spots, ctx.query, BUFFER_S, progress)
        direct = session_direct_walks(router, spots, lats, lons, ctx.query)
        rule = FreeRule(model, ctx.week[wd])
        free_from[wd] = rule.free_from()
        f_lat, f_ear = free_searches(rule, latest, earliest, np.array([s.start_s for s in spots]),
                                     np.array([s.end_s for s in spots]), BUFFER_S)
        o, b = session_minutes(spots, latest, earliest, access, direct, BUFFER_S)
        fo, fb = session_minutes(spots, f_lat, f_ear, access, direct, BUFFER_S)
        for m, v in zip(mats, (o, b, fo, fb), strict=True):
            m[:, cols] = v
    return SlotTrips(mats[0], mats[1], mats[2], mats[3], free_from)


def slot_round_trips(conn: Connection, ctx: Context, slots: list[Slot],
                     progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(out, back) minutes, origins x slots, searching on each slot's weekday date."""
    trips = slot_trips(conn, ctx, slots, progress)
    return trips.out, trips.back


def band_details(ctx: Context, at: np.ndarray, out: np.ndarray, back: np.ndarray,
                 slots: list[Slot], budget: int) -> dict[str, dict[str, Any]]:
    """Per LSOA: the nearest feasible activities, and who is cut off after 19:00.

    Late sessions are those ending at or after 19:00. `no_way_home_after_19_share`: share
    of residents who can get TO at least one late session within the budget but home from
    none of them (the bus home has gone). `no_late_round_trip_share`: share for whom no
    late session is a round trip at all (too far, or no way back).
    """
    n = len(ctx.areas.codes)
    w = ctx.origins.weight
    ok = at <= budget
    share = np.zeros((n, at.shape[1]))
    np.add.at(share, ctx.origin_area, ok * w[:, None])
    tsum = np.zeros((n, at.shape[1]))
    np.add.at(tsum, ctx.origin_area, np.where(ok, at, 0.0) * w[:, None])
    late = [k for k, s in enumerate(slots) if s.end_s >= LATE_S]
    stranded_share: np.ndarray | None = None
    no_trip_share: np.ndarray | None = None
    if late:
        go = out[:, late] <= budget
        home = back[:, late] <= budget
        stranded = go.any(axis=1) & ~(go & home).any(axis=1)
        stranded_share = np.bincount(ctx.origin_area, weights=stranded * w, minlength=n)
        no_trip = ~(go & home).any(axis=1)
        no_trip_share = np.bincount(ctx.origin_area, weights=no_trip * w, minlength=n)
    result: dict[str, dict[str, Any]] = {}
    acts = ctx.listings.activities
    for i, code in enumerate(ctx.areas.codes):
        cand = np.flatnonzero(share[i] > 0)
        order = sorted(cand, key=lambda j: (-share[i, j], tsum[i, j] / share[i, j]))
        result[code] = {
            "nearest": [{"id": acts[j].id, "name": acts[j].name,
                         "share_of_residents": round(float(share[i, j]), 3),
                         "minutes": round(float(tsum[i, j] / share[i, j]), 1)}
                        for j in order[:TOP_NEAREST]],
            "no_way_home_after_19_share": (None if stranded_share is None
                                           else round(float(stranded_share[i]), 3)),
            "no_late_round_trip_share": (None if no_trip_share is None
                                         else round(float(no_trip_share[i]), 3)),
        }
    return result


def free_pass_details(ctx: Context, views: list[np.ndarray], budget: int,
                      free_from: str | None) -> dict[str, dict[str, Any]]:
    """Per LSOA: older residents (65+) who lose every round trip when only free ones count.

    views: best round-trip minutes (origins x activities for older residents) over every
    trip, over trips whose outward journey is free (boards from 09:30 on weekdays), and
    over trips free both ways.
    Losing access "before 09:30" = a round trip in the normal view, none once the outward
    bus must be free: the only way there leaves before the pass is valid.
    """
    n = len(ctx.areas.codes)
    w = ctx.origins.weight
    pop = ctx.areas.population[AUDIENCE_GROUPS[BASE_AUDIENCE][1]]
    has = [np.asarray((v <= budget).any(axis=1), dtype=bool) for v in views]

    def residents(mask: np.ndarray) -> np.ndarray:
        return np.bincount(ctx.origin_area, weights=mask * w, minlength=n) * pop

    normal, out_free, both_free = has
    with_access = residents(normal)
    free_access = residents(both_free)
    lose_0930 = residents(normal & ~out_free)
    lose_late = residents(normal & out_free & ~both_free)
    return {code: {"free_with_pass": {
        "free_from": free_from, "older_residents": round(float(pop[i])),
        "with_access": round(float(with_access[i])),
        "with_access_free": round(float(free_access[i])),
        "residents_losing_access": round(float(lose_0930[i] + lose_late[i])),
        "residents_losing_access_before_0930": round(float(lose_0930[i])),
        "residents_losing_access_late_return": round(float(lose_late[i]))}}
        for i, code in enumerate(ctx.areas.codes)}


def free_view_blocks(ctx: Context, rt_free: np.ndarray, sessions: SessionSet,
                     capacity: np.ndarray, cats: dict[str, np.ndarray],
                     auds: dict[str, tuple[np.ndarray, np.ndarray]], budgets: list[int]
                     ) -> list[Block]:
    """Every block of the older residents' free-with-a-bus-pass view (audience FREE_AUDIENCE)."""
    older, pop = auds[BASE_AUDIENCE]
    keep = older[sessions.activity] if len(sessions.activity) else np.zeros(0, bool)
    subset = SessionSet(sessions.activity[keep], sessions.per_week[keep])
    return list(band_blocks(rt_free[:, keep], subset, capacity, cats,
                            {FREE_AUDIENCE: (older, pop)}, ctx.origin_area, ctx.origins.weight,
                            levels_of(ctx.areas), len(ctx.areas.codes), budgets,
                            DECAYS[ctx.params.decay]))


def band_free_from(trips: SlotTrips) -> str | None:
    """The band's first free boarding time (weekday bands: 09:30; weekends: None)."""
    times = sorted({t for t in trips.free_from.values() if t is not None})
    return times[-1] if times else None


def band_slots(ctx: Context, band: str) -> list[Slot]:
    """The session slots of one band, in the listings' order."""
    return [s for s in ctx.listings.slots if s.band == band]


def compute_band(conn: Connection, ctx: Context, band: str,
                 progress: Progress | None = None, trips: SlotTrips | None = None) -> BandResult:
    """Every row of one band, plus the per-LSOA details and the matrices for what-if.

    `trips`: the band's leg minutes when already routed (the Dask batch); else they are
    routed here, in this process.
    """
    slots = band_slots(ctx, band)
    if trips is None:
        trips = slot_trips(conn, ctx, slots, progress)
    out, back = trips.out, trips.back
    rt = np.maximum(out, back)
    rt_free = np.maximum(trips.free_out, trips.free_back)
    cats, auds = activity_masks(ctx.listings, ctx.areas)
    sessions = SessionSet(np.array([s.activity for s in slots], dtype=np.int64),
                          np.array([s.per_week for s in slots], dtype=np.float64))
    capacity = capacities(ctx.listings)
    levels = levels_of(ctx.areas)
    decay = DECAYS[ctx.params.decay]
    budgets = list(ctx.params.budgets)
    n_lsoa = len(ctx.areas.codes)
    blocks = list(band_blocks(rt, sessions, capacity, cats, auds, ctx.origin_area,
                              ctx.origins.weight, levels, n_lsoa, budgets, decay))
    # The "free with a bus pass" view of the older residents: same metrics, free trips only.
    # Only sessions of activities aimed at older people count in it, so only those are
    # passed: every measure is the same, on far smaller matrices.
    blocks += free_view_blocks(ctx, rt_free, sessions, capacity, cats, auds, budgets)
    at = activity_times(rt, sessions, len(capacity))
    details = {str(b): band_details(ctx, at, out, back, slots, b) for b in budgets}
    older = auds[BASE_AUDIENCE][0]
    views = [activity_times(v, sessions, len(capacity))[:, older]
             for v in (rt, np.maximum(trips.free_out, back), rt_free)]
    free_from = band_free_from(trips)
    for b in budgets:
        free = free_pass_details(ctx, views, b, free_from)
        for code, extra in free.items():
            details[str(b)][code] |= extra
    return BandResult(band, blocks, rt, slots, details_by_code(details),
                      searches=2 * len(slots))


def details_by_code(by_budget: dict[str, dict[str, dict[str, Any]]]
                    ) -> dict[str, dict[str, Any]]:
    """Re-key details as code -> budget -> detail."""
    out: dict[str, dict[str, Any]] = {}
    for budget, per_code in by_budget.items():
        for code, d in per_code.items():
            out.setdefault(code, {})[budget] = d
    return out


def area_need_rows(areas: Areas, n_origins: dict[str, int]) -> list[dict[str, Any]]:
    """gap_area rows: LSOAs as loaded, wards and districts population-weighted."""
    rows: list[dict[str, Any]] = []
    bands = dict(areas.population)
    total = areas.population["total"]
    domain_keys = [k for k in ("income", "employment", "education", "health", "crime",
                               "barriers", "living_environment") if k in areas.domains]

    doms_l = set(domain_keys)

    def num(v: float) -> float | None:
        return None if np.isnan(v) else float(v)

    for i, code in enumerate(areas.codes):
        rows.append({
            "level": "lsoa", "code": code, "name": areas.names[i],
            "ward_code": areas.ward_codes[i], "lad_code": areas.lad_codes[i],
            "population": {b: float(v[i]) for b, v in bands.items()},
            "imd_score": num(areas.imd_score[i]), "imd_decile": num(areas.imd_decile[i]),
            "health_score": num(areas.domains["health"][i]) if "health" in doms_l else None,
            "barriers_score": (num(areas.domains["barriers"][i]) if "barriers" in doms_l
                               else None),
            "domains": {k: {"score": num(areas.domains[k][i]),
                            "decile": num(areas.domain_deciles[k][i])} for k in domain_keys},
            "rural_urban": areas.rural_urban[i], "n_origins": n_origins.get(code, 0)})
    for level in levels_of(areas)[1:]:
        n = len(level.codes)
        names = areas.ward_names if level.name == "ward" else areas.lad_names
        pops = {b: np.bincount(level.parent_idx, weights=v, minlength=n)
                for b, v in bands.items()}
        imd = weighted_mean_by(areas.imd_score, total, level.parent_idx, n)
        dec = weighted_mean_by(areas.imd_decile, total, level.parent_idx, n)
        doms = {k: weighted_mean_by(areas.domains[k], total, level.parent_idx, n)
                for k in domain_keys}
        origins = np.bincount(level.parent_idx, weights=np.array(
            [n_origins.get(c, 0) for c in areas.codes], float), minlength=n)
        lad_of = dict(zip(areas.ward_codes, areas.lad_codes, strict=True))
        rural = np.array(["rural" in (c or "").lower() for c in areas.rural_urban])
        rural_share = np.divide(np.bincount(level.parent_idx, weights=total * rural,
                                            minlength=n),
                                np.bincount(level.parent_idx, weights=total, minlength=n),
                                out=np.zeros(n), where=np.bincount(
                                    level.parent_idx, weights=total, minlength=n) > 0)
        for j, code in enumerate(level.codes):
            rows.append({
                "level": level.name, "code": code, "name": names[code],
                "ward_code": code if level.name == "ward" else None,
                "lad_code": lad_of.get(code) if level.name == "ward" else code,
                "population": {b: float(v[j]) for b, v in pops.items()},
                "imd_score": num(imd[j]), "imd_decile": num(dec[j]),
                "health_score": num(doms["health"][j]) if "health" in doms else None,
                "barriers_score": num(doms["barriers"][j]) if "barriers" in doms else None,
                "domains": {k: {"score": num(doms[k][j]), "decile": None} for k in domain_keys},
                "rural_urban": f"{round(100 * rural_share[j])}% of residents in rural LSOAs",
                "n_origins": int(origins[j])})
    return rows


__all__ = ["BANDS", "BandResult", "Context", "GapParams", "build_context", "compute_band"]
