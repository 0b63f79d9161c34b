"""Read stored gap results: the map layer (GeoJSON/CSV rows), one area's detail, freshness."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from app.analysis.bands import BANDS
from app.analysis.results import GAP_ACCESS_METRIC, METRICS
from app.directory.vocab import CATEGORY_CODES
from app.errors import DataNotLoaded, InvalidInput, NotFound
from app.services.gaps.compute import ordinary_week
from app.services.gaps.inputs import AUDIENCE_GROUPS, directory_stamp, load_listings

LEVELS = ("lsoa", "ward", "lad")
GEOM_TABLE = {"lsoa": "lsoa21", "ward": "ward", "lad": "lad"}  # constants, never user input
AUDIENCE_AGE_BAND = {k: v[1] for k, v in AUDIENCE_GROUPS.items()}
CSV_COLUMNS = ("level", "code", "name", "ward_code", "lad_code", "band", "budget", "category",
               "audience", "population", *METRICS, "imd_score", "imd_decile", "health_score",
               "barriers_score", "rural_urban", "in_region", "need_tercile", "access_tercile",
               "gap_class", "gap_score")


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


def _band_state(conn: Connection, band: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
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
       r.need_tercile, r.access_tercile, r.gap_class, r.gap_score{geom}
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


def layer(conn: Connection, level: str, band: str, category: str, audience: str,
          budget: int | None, *, district: str | None = None,
          with_geometry: bool = True) -> dict[str, Any]:
    """The choropleth layer: one feature per area with metrics, need and gap class."""
    check_filters(level, band, category, audience)
    st, state = _band_state(conn, band)
    budget = resolve_budget(st, budget)
    geom = (", ST_AsGeoJSON(ST_SimplifyPreserveTopology(g.geom, 0.0002), 5) AS geometry"
            if with_geometry else "")
    join = f"JOIN {GEOM_TABLE[level]} g ON g.code = r.code" if with_geometry else ""
    sql = _LAYER_SQL.format(metrics=", ".join(f"r.{m}" for m in METRICS), geom=geom, join=join,
                            district="AND a.lad_code = :district" if district else "")
    params = {"level": level, "band": band, "budget": budget, "category": category,
              "audience": audience, "district": district}
    region = set(st["params"].get("region_used") or [])
    features = []
    for row in conn.execute(text(sql), params).mappings():
        props = {k: _clean(v) for k, v in row.items() if k != "geometry"}
        props["in_region"] = not region or row["lad_code"] in region
        feature: dict[str, Any] = {"type": "Feature", "id": row["code"], "properties": props,
                                   "geometry": json.loads(row["geometry"]) if with_geometry
                                   else None}
        features.append(feature)
    stale = staleness(conn, state)
    meta = {
        "level": level, "band": band, "band_label": BANDS[band].label, "budget": budget,
        "category": category, "audience": audience,
        "population_band": AUDIENCE_AGE_BAND[audience],
        "access_metric": GAP_ACCESS_METRIC, "need_metric": "IoD2025 IMD score",
        "region": sorted(region),
        "run_id": st["run_id"], "computed_at": st["computed_at"],
        "budgets": st["budgets"], "bands": sorted(state), "parameters": st["params"],
        "data_versions": st["data_versions"], "stale": stale.get(band, False),
        "stale_bands": [b for b, s in stale.items() if s],
        "method": "/planner/method.md",
        "notice": "Synthetic bus timetable and illustrative (fictional) listings: for "
                  "testing the method only, not for decisions.",
    }
    return {"type": "FeatureCollection", "meta": meta, "features": features}


def layer_csv_rows(collection: dict[str, Any]) -> list[list[Any]]:
    """CSV rows (header first) for a layer built without geometry."""
    meta = collection["meta"]
    rows: list[list[Any]] = [list(CSV_COLUMNS)]
    for f in collection["features"]:
        p = f["properties"] | {k: meta[k] for k in ("level", "band", "budget", "category",
                                                      "audience")}
        rows.append(["" if p.get(c) is None else p.get(c) for c in CSV_COLUMNS])
    return rows


def detail(conn: Connection, level: str, code: str, budget: int | None) -> dict[str, Any]:
    """One area: population, IMD domains, what is reachable/missing by band, nearest activities."""
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
    budget = resolve_budget(any_state, budget)
    rows = conn.execute(text(
        "SELECT band, category, audience, population, activities_mean, activities_share,"
        " sessions_mean, e2sfca, nearest_min, gap_class, gap_score, need_tercile, access_tercile"
        " FROM gap_result WHERE level = :l AND code = :c AND budget = :b"),
        {"l": level, "c": code, "b": budget}).mappings().all()
    bands: dict[str, Any] = {}
    for r in rows:
        b = bands.setdefault(r["band"], {"label": BANDS[r["band"]].label, "by_audience": {},
                                          "by_category": {}, "missing_categories": []})
        vals = {k: _clean(r[k]) for k in (*METRICS, "population")}
        if r["category"] == "all":
            b["by_audience"][r["audience"]] = vals | {
                "gap_class": r["gap_class"], "gap_score": _clean(r["gap_score"]),
                "need_tercile": r["need_tercile"], "access_tercile": r["access_tercile"]}
        if r["audience"] == "all" and r["category"] != "all":
            b["by_category"][r["category"]] = vals
            if not r["activities_share"]:
                b["missing_categories"].append(r["category"])
    # Stable, readable order: bands, audiences and categories as defined.
    bands = {k: bands[k] for k in BANDS if k in bands}
    for b in bands.values():
        b["missing_categories"].sort()
        b["by_audience"] = {k: b["by_audience"][k] for k in AUDIENCE_GROUPS
                            if k in b["by_audience"]}
        b["by_category"] = dict(sorted(b["by_category"].items()))
    nearest, late = _nearest_and_late(conn, level, code, budget)
    for band, items in nearest.items():
        bands.setdefault(band, {})["nearest_activities"] = items
    return {
        "level": level, "code": code, "name": area["name"], "ward_code": area["ward_code"],
        "lad_code": area["lad_code"], "budget": budget,
        "population": area["population"],
        "need": {"imd_score": area["imd_score"], "imd_decile": area["imd_decile"],
                 "health_score": area["health_score"], "barriers_score": area["barriers_score"],
                 "domains": area["domains"], "rural_urban": area["rural_urban"]},
        "origins": area["n_origins"],
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
                      ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, float | None]]:
    """Nearest activities per band and the evening late-bus share, from the LSOA details.

    For a ward or district the LSOA figures are combined weighting by population.
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
    for band, pop, det in rows:
        pops[band] = pops.get(band, 0.0) + pop
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
    return nearest, late
