"""Read stored gap results: the map layer (GeoJSON/CSV rows), one area's detail, freshness."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from app.analysis.bands import BANDS
from app.analysis.classes import (
    CLASS_LABELS,
    NEED_LABELS,
    Breaks,
    access_class,
    classify,
    default_region,
    fit_breaks,
    need_class,
    need_cuts,
    ranks,
)
from app.analysis.results import ACCESS_METRIC, STORED
from app.directory.vocab import CATEGORY_CODES
from app.errors import DataNotLoaded, InvalidInput, NotFound
from app.schemas.gaps import BREAK_KINDS
from app.services.gaps.compute import ordinary_week
from app.services.gaps.free_pass import BASE_AUDIENCE, FREE_AUDIENCE, rule_text
from app.services.gaps.inputs import AUDIENCE_GROUPS, directory_stamp, load_listings
from app.settings import get_settings

LEVELS = ("lsoa", "ward", "lad")
GEOM_TABLE = {"lsoa": "lsoa21", "ward": "ward", "lad": "lad"}  # constants, never user input
AUDIENCE_AGE_BAND = {k: v[1] for k, v in AUDIENCE_GROUPS.items()}
METHOD_URL = "/method"
ROUND_TRIP_URL = "/method#round-trip"
NOTICE = ("Synthetic bus timetable and illustrative (fictional) listings: for testing the "
          "method only, not for decisions.")


def parse_region(raw: str | None, known: set[str]) -> list[str] | None:
    """Comma-separated LAD codes from a request (None = the default region); checked."""
    if raw is None or not raw.strip():
        return None
    codes = sorted({c.strip().upper() for c in raw.split(",") if c.strip()})
    bad = [c for c in codes if c not in known]
    if bad:
        raise InvalidInput(f"unknown district code(s) {', '.join(bad)}; loaded districts: "
                           f"{', '.join(sorted(known))}", field="region")
    return codes


def comparison_region(st: dict[str, Any], requested: list[str] | None
                      ) -> tuple[list[str], str]:
    """The districts to compare within and a sentence saying how they were chosen."""
    if requested:
        return requested, "chosen on this page"
    setting = [c.strip().upper() for c in get_settings().planner_region.split(",") if c.strip()]
    if setting:
        return sorted(setting), "set by the PLANNER_REGION setting"
    counts = st["params"].get("district_listings") or {}
    share = get_settings().planner_region_min_share
    region = default_region(counts, share)
    served = st["params"].get("region") or []
    if served:  # the run covers the served region only: compare within it
        inside = [c for c in region if c in served]
        if not inside:
            return sorted(served), "the served region (SERVED_REGION)"
        region = inside
    return region, (f"default: the districts holding at least {share:.0%} of the directory's "
                    "listings")


_NEED_CUTS: dict[str, tuple[float, float]] = {}


def need_breaks(conn: Connection, run_key: str) -> tuple[float, float]:
    """England-wide IMD decile boundaries as scores, from the stored LSOAs (cached per run)."""
    if run_key not in _NEED_CUTS:
        rows = conn.execute(text("SELECT imd_score, imd_decile FROM gap_area WHERE level = 'lsoa'"
                                 " AND imd_score IS NOT NULL")).all()
        scores = np.array([r[0] for r in rows], float)
        deciles = np.array([r[1] for r in rows], float)
        _NEED_CUTS.clear()
        _NEED_CUTS[run_key] = need_cuts(scores, deciles)
    return _NEED_CUTS[run_key]


def class_props(level: str, need: np.ndarray, reach: np.ndarray, inside: np.ndarray,
                breaks: Breaks, sessions: np.ndarray) -> list[dict[str, Any]]:
    """Per area: classes (LSOA, ward) or ranks (district), None outside the region."""
    n = need_class(need, breaks)
    a = access_class(reach, breaks)
    if level == "lad":
        r_reach = ranks(reach, inside)
        r_sess = ranks(sessions, inside)
        return [{"gap_class": None, "need_class": None, "access_class": None,
                 "rank_reach": r_reach[i], "rank_sessions": r_sess[i]}
                for i in range(len(reach))]
    cls = classify(need, reach, inside, breaks)
    return [{"gap_class": cls[i],
             "need_class": int(n[i]) if cls[i] else None,
             "access_class": int(a[i]) if cls[i] else None,
             "rank_reach": None, "rank_sessions": None} for i in range(len(reach))]


def legend(breaks: Breaks) -> dict[str, Any]:
    """The classes of the legend with their plain-language names and reach ranges."""
    lo, hi = breaks.reach
    ranges = {0: "no resident has a round trip", 1: f"under {lo:.0%} of residents",
              2: f"{lo:.0%} to under {hi:.0%}", 3: f"{hi:.0%} or more"}
    return {"access": {str(k): {"label": CLASS_LABELS[k], "reach": ranges[k]}
                       for k in CLASS_LABELS},
            "need": {str(k): {"label": v} for k, v in NEED_LABELS.items()},
            "need_rule": "IMD 2025 decile in England: 1-3 high need, 4-7 middle, 8-10 lower"}


def check_filters(level: str, band: str, category: str, audience: str) -> None:
    """Refuse unknown values, naming the field and the allowed values."""
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}", field="level")
    if band not in BANDS:
        raise InvalidInput(f"band must be one of {', '.join(BANDS)}", field="band")
    if category != "all" and category not in CATEGORY_CODES:
        raise InvalidInput(f"category must be 'all' or one of {', '.join(sorted(CATEGORY_CODES))}",
                           field="category")
    if audience not in AUDIENCE_GROUPS:
        raise InvalidInput(f"audience must be one of {', '.join(AUDIENCE_GROUPS)}",
                           field="audience")


def stored_audience(audience: str, free_with_pass: bool) -> str:
    """The audience as stored: the free-with-a-bus-pass view is its own (older) audience."""
    if not free_with_pass:
        return audience
    if audience != BASE_AUDIENCE:
        raise InvalidInput(f"free_with_pass applies to older residents: use "
                           f"audience={BASE_AUDIENCE} with free_with_pass=true",
                           field="free_with_pass")
    return FREE_AUDIENCE


def free_rule(st: dict[str, Any]) -> str:
    """The free-with-a-bus-pass rule of a run, in words, from the fare policy."""
    from datetime import date

    return rule_text([date.fromisoformat(d) for d in st["params"].get("week") or []])


def _require_free_view(st: dict[str, Any]) -> None:
    """Refuse the free view for results computed before it existed."""
    if st["params"].get("free_with_pass") != FREE_AUDIENCE:
        raise DataNotLoaded("these results have no \"free with a bus pass\" view; run "
                            "`python -m ingest gaps` again to add it")


def runs_state(conn: Connection) -> dict[str, dict[str, Any]]:
    """Per computed band: run id, when, budgets and parameters."""
    rows = conn.execute(text(
        "SELECT b.band, b.run_id, b.computed_at, b.fingerprint, r.budgets, r.params,"
        " r.data_versions, r.seconds FROM gap_band b JOIN gap_run r ON r.id = b.run_id")).all()
    return {r[0]: {"run_id": r[1], "computed_at": r[2].isoformat(), "fingerprint": r[3],
                   "budgets": list(r[4]), "params": r[5], "data_versions": r[6],
                   "run_seconds": r[7]} for r in rows}


_STALE_CACHE: dict[str, Any] = {}


def staleness(conn: Connection, state: dict[str, dict[str, Any]]) -> dict[str, bool]:
    """Per band: True when the listings changed since the band was computed.

    Cheap check first (the directory stamp); only when it moved are the band fingerprints
    recomputed from the listings (cached per stamp).
    """
    stamp = directory_stamp(conn)
    out: dict[str, bool] = {}
    for band, st in state.items():
        if st["data_versions"].get("directory") == stamp:
            out[band] = False
            continue
        key = json.dumps([stamp, st["params"].get("week")])
        if key not in _STALE_CACHE:
            from datetime import date
            week = [date.fromisoformat(d) for d in st["params"].get("week") or []] or \
                ordinary_week(conn, None)
            listings = load_listings(conn, week)
            _STALE_CACHE.clear()
            _STALE_CACHE[key] = {b: listings.band_fingerprint(b) for b in BANDS}
        out[band] = _STALE_CACHE[key][band] != st["fingerprint"]
    return out


def band_state(conn: Connection, band: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The gap-run state and the stored run of one band (503 when no run exists)."""
    state = runs_state(conn)
    if not state:
        raise DataNotLoaded("no gap analysis has been run yet; run `python -m ingest gaps`")
    if band not in state:
        raise DataNotLoaded(f"band {band} has not been computed; run "
                            f"`python -m ingest gaps --band {band}`")
    return state[band], state


def resolve_budget(st: dict[str, Any], budget: int | None) -> int:
    """The requested budget if it was computed, else the default 45 (or the first)."""
    budgets = st["budgets"]
    if budget is None:
        return 45 if 45 in budgets else budgets[0]
    if budget not in budgets:
        raise InvalidInput(f"budget {budget} was not computed; available: "
                           f"{', '.join(map(str, budgets))} minutes (run `python -m ingest gaps "
                           f"--budget {budget}` to add it)", field="budget")
    return budget


_LAYER_SQL = """
SELECT r.code, a.name, a.ward_code, a.lad_code, r.population, {metrics},
       a.imd_score, a.imd_decile, a.health_score, a.barriers_score, a.rural_urban,
       a.n_origins{geom}
FROM gap_result r
JOIN gap_area a ON a.level = r.level AND a.code = r.code
{join}
WHERE r.level = :level AND r.band = :band AND r.budget = :budget AND r.category = :category
  AND r.audience = :audience {district}
ORDER BY r.code"""


def _clean(v: Any) -> Any:
    if isinstance(v, float) and v != v:  # NaN
        return None
    return v


def known_districts(conn: Connection) -> set[str]:
    """LAD codes in the stored need table."""
    return {r[0] for r in conn.execute(text("SELECT code FROM gap_area WHERE level = 'lad'"))}


def layer(conn: Connection, level: str, band: str, category: str, audience: str,
          budget: int | None, *, district: str | None = None,
          with_geometry: bool = True, region: str | None = None,
          breaks: str = "fixed", free_with_pass: bool = False) -> dict[str, Any]:
    """The choropleth layer: one feature per area with metrics, need and class (or rank)."""
    check_filters(level, band, category, audience)
    stored = stored_audience(audience, free_with_pass)
    if breaks not in BREAK_KINDS:
        raise InvalidInput(f"breaks must be one of {', '.join(BREAK_KINDS)}", field="breaks")
    st, state = band_state(conn, band)
    if free_with_pass:
        _require_free_view(st)
    budget = resolve_budget(st, budget)
    chosen = parse_region(region, known_districts(conn))
    geom = (", ST_AsGeoJSON(ST_SimplifyPreserveTopology(g.geom, 0.0002), 5) AS geometry"
            if with_geometry else "")
    join = f"JOIN {GEOM_TABLE[level]} g ON g.code = r.code" if with_geometry else ""
    sql = _LAYER_SQL.format(metrics=", ".join(f"r.{m}" for m in STORED), geom=geom, join=join,
                            district="")
    params = {"level": level, "band": band, "budget": budget, "category": category,
              "audience": stored}
    rows = list(conn.execute(text(sql), params).mappings())
    codes, how = comparison_region(st, chosen)
    region_set = set(codes)
    inside = np.array([r["lad_code"] in region_set for r in rows], bool)
    reach = np.array([np.nan if r[ACCESS_METRIC] is None else r[ACCESS_METRIC] for r in rows])
    sessions = np.array([np.nan if r["sessions_mean"] is None else r["sessions_mean"]
                         for r in rows])
    need = np.array([np.nan if r["imd_score"] is None else r["imd_score"] for r in rows])
    fitted = fit_breaks(reach, inside, need_breaks(conn, str(st["run_id"])), breaks)
    classes = class_props(level, need, reach, inside, fitted, sessions)
    features = []
    for i, row in enumerate(rows):
        if district and row["lad_code"] != district:
            continue
        props = {k: _clean(v) for k, v in row.items() if k != "geometry"}
        props |= {"in_region": bool(inside[i])} | classes[i]
        feature: dict[str, Any] = {"type": "Feature", "id": row["code"], "properties": props,
                                   "geometry": json.loads(row["geometry"]) if with_geometry
                                   else None}
        features.append(feature)
    stale = staleness(conn, state)
    meta = {
        "level": level, "band": band, "band_label": BANDS[band].label, "budget": budget,
        "category": category, "audience": audience, "free_with_pass": free_with_pass,
        "free_with_pass_rule": free_rule(st) if free_with_pass else None,
        "population_band": AUDIENCE_AGE_BAND[audience],
        "access_metric": ACCESS_METRIC, "access_label": "share of residents with a "
        "there-and-back round trip to at least one activity (reach)",
        "need_metric": "IoD2025 IMD score (England deciles)",
        "region": codes, "region_rule": how,
        "region_names": _lad_names(conn, codes),
        "breaks": fitted.as_dict(), "legend": legend(fitted),
        "classified": level != "lad",
        "run_id": st["run_id"], "computed_at": st["computed_at"],
        "budgets": st["budgets"], "bands": sorted(state), "parameters": st["params"],
        "data_versions": st["data_versions"], "stale": stale.get(band, False),
        "stale_bands": [b for b, s in stale.items() if s],
        "method": METHOD_URL, "round_trip": ROUND_TRIP_URL,
        "round_trip_rule": round_trip_rule(st["params"], budget),
        "notice": NOTICE,
    }
    return {"type": "FeatureCollection", "meta": meta, "features": features}


def _lad_names(conn: Connection, codes: list[str]) -> list[str]:
    names: dict[str, str] = {r[0]: r[1] for r in conn.execute(
        text("SELECT code, name FROM gap_area WHERE level = 'lad'"))}
    return [names.get(c, c) for c in codes]


def round_trip_rule(params: dict[str, Any], budget: int) -> str:
    """The round-trip definition of the run in one sentence (docs/method.md#round-trip)."""
    buf = params.get("buffer_min", 5)
    return (f"There and back by walking and bus, at most {budget} minutes each way counted "
            f"door to door (including the {buf} minutes before the start and after the end, "
            f"and any wait for the bus home), at most {params.get('max_buses', 2)} buses each "
            "way, home by midnight.")


def detail(conn: Connection, level: str, code: str, budget: int | None,
           free_with_pass: bool = False) -> dict[str, Any]:
    """One area: population, IMD domains, what is reachable/missing by band, nearest activities.

    With `free_with_pass`, each band also says what the older residents' free-with-a-bus-pass
    view is and how many of them lose access in it (docs/method.md#free-with-a-bus-pass).
    """
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}", field="level")
    area = conn.execute(text("SELECT * FROM gap_area WHERE level = :l AND code = :c"),
                        {"l": level, "c": code}).mappings().first()
    if area is None:
        if not runs_state(conn):
            raise DataNotLoaded("no gap analysis has been run yet; run `python -m ingest gaps`")
        raise NotFound(f"no {level} with code {code!r} in the gap analysis", field="code")
    state = runs_state(conn)
    any_state = next(iter(state.values()))
    if free_with_pass:
        _require_free_view(any_state)
    budget = resolve_budget(any_state, budget)
    cols = ", ".join(STORED)
    rows = conn.execute(text(
        f"SELECT band, category, audience, population, {cols}"  # noqa: S608 (constant columns)
        " FROM gap_result WHERE level = :l AND code = :c AND budget = :b"),
        {"l": level, "c": code, "b": budget}).mappings().all()
    fixed = fit_breaks(np.array([]), np.array([], bool),
                       need_breaks(conn, str(any_state["run_id"])), "fixed")
    need_cls = int(need_class(np.array([area["imd_score"] if area["imd_score"] is not None
                                        else np.nan]), fixed)[0])
    bands: dict[str, Any] = {}
    for r in rows:
        b = bands.setdefault(r["band"], {"label": BANDS[r["band"]].label, "by_audience": {},
                                          "by_category": {}, "missing_categories": []})
        vals = {k: _clean(r[k]) for k in (*STORED, "population")}
        if r["category"] == "all":
            share = r["activities_share"]
            acc = (None if share is None
                   else int(access_class(np.array([share]), fixed)[0]))
            b["by_audience"][r["audience"]] = vals | {
                "access_class": acc, "access_label": None if acc is None else CLASS_LABELS[acc],
                "gap_class": (f"{need_cls}-{acc}" if acc is not None and need_cls
                              and level != "lad" else None)}
        if r["audience"] == "all" and r["category"] != "all":
            b["by_category"][r["category"]] = vals
            if not r["activities_share"]:
                b["missing_categories"].append(r["category"])
    # Stable, readable order: bands, audiences and categories as defined.
    bands = {k: bands[k] for k in BANDS if k in bands}
    free_views = {k: b["by_audience"].pop(FREE_AUDIENCE, None) for k, b in bands.items()}
    for b in bands.values():
        b["missing_categories"].sort()
        b["by_audience"] = {k: b["by_audience"][k] for k in AUDIENCE_GROUPS
                            if k in b["by_audience"]}
        b["by_category"] = dict(sorted(b["by_category"].items()))
    nearest, late, lost = _nearest_and_late(conn, level, code, budget)
    for band, items in nearest.items():
        bands.setdefault(band, {})["nearest_activities"] = items
    if free_with_pass:
        for band, b in bands.items():
            b["free_with_pass"] = (lost.get(band) or {}) | {
                "older": b["by_audience"].get(BASE_AUDIENCE), "free": free_views.get(band)}
    return {
        "level": level, "code": code, "name": area["name"], "ward_code": area["ward_code"],
        "lad_code": area["lad_code"], "budget": budget,
        "population": area["population"],
        "need": {"imd_score": area["imd_score"], "imd_decile": area["imd_decile"],
                 "health_score": area["health_score"], "barriers_score": area["barriers_score"],
                 "domains": area["domains"], "rural_urban": area["rural_urban"]},
        "origins": area["n_origins"],
        "origins_rule": "every postcode centroid in the area, each an equal share of residents",
        "need_class": need_cls or None,
        "round_trip": ROUND_TRIP_URL, "round_trip_rule": round_trip_rule(
            any_state["params"], budget),
        "free_with_pass": free_with_pass,
        "free_with_pass_rule": free_rule(any_state) if free_with_pass else None,
        "no_way_home_after_19_share": late.get("no_way_home_after_19_share"),
        "no_late_round_trip_share": late.get("no_late_round_trip_share"),
        "bands": bands,
        "lsoas": _children(conn, level, code),
    }


def _children(conn: Connection, level: str, code: str) -> list[dict[str, Any]]:
    """The LSOAs of a ward or district (best-fit lookup)."""
    if level == "lsoa":
        return []
    col = "ward_code" if level == "ward" else "lad_code"  # a constant, never user input
    rows = conn.execute(text(
        f"SELECT code, name FROM gap_area WHERE level = 'lsoa' AND {col} = :c"  # noqa: S608
        " ORDER BY code"),
        {"c": code}).all()
    return [{"code": r[0], "name": r[1]} for r in rows]


def _nearest_and_late(conn: Connection, level: str, code: str, budget: int
                      ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, float | None],
                                 dict[str, dict[str, Any]]]:
    """Nearest activities per band, the evening late-bus share and, per band, the older
    residents losing access with only free trips, from the LSOA details.

    For a ward or district the LSOA figures are combined weighting by population (the
    resident counts are summed).
    """
    # `where` is one of three constants chosen by the already-checked level.
    where = {"lsoa": "a.code = :c", "ward": "a.ward_code = :c", "lad": "a.lad_code = :c"}[level]
    rows = conn.execute(text(
        "SELECT r.band, r.population, r.detail FROM gap_result r JOIN gap_area a"  # noqa: S608
        " ON a.level = 'lsoa' AND a.code = r.code WHERE r.level = 'lsoa' AND r.budget = :b"
        f" AND r.category = 'all' AND r.audience = 'all' AND {where}"),
        {"b": budget, "c": code}).all()
    pops: dict[str, float] = {}
    acc: dict[str, dict[str, dict[str, Any]]] = {}
    late_keys = ("no_way_home_after_19_share", "no_late_round_trip_share")
    late_num = dict.fromkeys(late_keys, 0.0)
    late_den = 0.0
    lost: dict[str, dict[str, Any]] = {}
    for band, pop, det in rows:
        pops[band] = pops.get(band, 0.0) + pop
        free = (det or {}).get("free_with_pass")
        if free:
            tot = lost.setdefault(band, {"free_from": free["free_from"]})
            for key, v in free.items():
                if key != "free_from":
                    tot[key] = tot.get(key, 0) + v
        for item in (det or {}).get("nearest", []):
            slot = acc.setdefault(band, {}).setdefault(
                item["id"], {"id": item["id"], "name": item["name"], "w": 0.0, "m": 0.0})
            w = pop * item["share_of_residents"]
            slot["w"] += w
            slot["m"] += w * item["minutes"]
        if band == "weekday_evening" and (det or {}).get(late_keys[0]) is not None:
            for key in late_keys:
                late_num[key] += pop * (det.get(key) or 0.0)
            late_den += pop
    nearest: dict[str, list[dict[str, Any]]] = {}
    for band, items in acc.items():
        ranked = sorted(items.values(), key=lambda s: (-s["w"], s["m"] / s["w"]))[:5]
        nearest[band] = [{"id": s["id"], "name": s["name"],
                          "share_of_residents": round(s["w"] / pops[band], 3),
                          "minutes": round(s["m"] / s["w"], 1)} for s in ranked if s["w"] > 0]
    late = {k: (round(late_num[k] / late_den, 3) if late_den else None) for k in late_keys}
    return nearest, late, lost
