"""Exports a GIS analyst can use: CSV with units and the data caveat, GeoPackage per level."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from app.services.gaps.query import NOTICE, layer

# Column, unit, rounding (decimals) and meaning: the data dictionary of every export.
DICTIONARY: tuple[tuple[str, str, int | None, str], ...] = (
    ("level", "", None, "lsoa (LSOA 2021), ward (May 2024) or lad (district, 2024)"),
    ("code", "", None, "ONS GSS code of the area"),
    ("name", "", None, "area name"),
    ("ward_code", "", None, "ward of the area (best-fit lookup)"),
    ("lad_code", "", None, "district of the area"),
    ("band", "", None, "time band of the sessions counted"),
    ("budget", "minutes", 0, "longest journey each way (docs/method.md#round-trip)"),
    ("category", "", None, "activity category counted ('all' = every category)"),
    ("audience", "", None, "all, young (16-25; Census 16-24) or older (65+)"),
    ("population", "residents", 0, "Census 2021 residents of the audience's age band"),
    ("activities_share", "share 0-1", 3,
     "reach: share of residents with at least one there-and-back round trip (primary)"),
    ("reach_low", "share 0-1", 3, "90% interval of reach, lower end (bootstrap over postcodes)"),
    ("reach_high", "share 0-1", 3, "90% interval of reach, upper end"),
    ("sessions_mean", "sessions per week", 2,
     "sessions a week within reach, frequency-weighted (monthly 12/52, fortnightly 1/2)"),
    ("activities_mean", "activities", 2, "distinct activities within reach (mean resident)"),
    ("e2sfca", "places per 1,000 residents per week", 3,
     "competition measure (E2SFCA): supply = sessions a week x places per session"),
    ("nearest_min", "minutes", 1, "longer leg of the quickest round trip, residents with one"),
    ("imd_score", "IMD score", 2, "IoD2025 Index of Multiple Deprivation score"),
    ("imd_decile", "decile 1-10", 1, "England decile (1 = most deprived 10%)"),
    ("health_score", "domain score", 3, "IoD2025 Health Deprivation and Disability score"),
    ("barriers_score", "domain score", 2, "IoD2025 Barriers to Housing and Services score"),
    ("rural_urban", "", None, "2021 Rural-Urban Classification (share rural above LSOA)"),
    ("n_origins", "postcodes", 0, "postcode centroids used as origins"),
    ("in_region", "true/false", None, "inside the comparison region (classified)"),
    ("need_class", "1-3", None, "need: 3 = IMD deciles 1-3, 2 = 4-7, 1 = 8-10"),
    ("access_class", "0-3", None, "0 no round trip, 1 under 50%, 2 50-80%, 3 80% or more"),
    ("gap_class", "", None, "need-access, e.g. 3-0 = high need, no there-and-back access"),
    ("rank_reach", "rank", None, "districts: 1 = lowest reach in the region"),
    ("rank_sessions", "rank", None, "districts: 1 = fewest sessions a week in the region"),
)
COLUMNS = tuple(c for c, *_ in DICTIONARY)
ROUND = {c: d for c, _, d, _ in DICTIONARY if d is not None}


def _value(props: dict[str, Any], col: str) -> Any:
    v = props.get(col)
    if v is None:
        return ""
    if col in ROUND and isinstance(v, float):
        return round(v, ROUND[col]) if ROUND[col] else round(v)
    return v


def _rows(coll: dict[str, Any]) -> list[list[Any]]:
    meta = coll["meta"]
    fixed = {k: meta[k] for k in ("level", "band", "budget", "category", "audience")}
    return [[_value(f["properties"] | fixed, c) for c in COLUMNS] for f in coll["features"]]


def csv_text(coll: dict[str, Any]) -> str:
    """CSV: '#' header lines (caveat, run, units), then one row per area, rounded."""
    meta = coll["meta"]
    buf = io.StringIO()
    buf.write(f"# {NOTICE}\n")
    buf.write(f"# Within Reach planner, run {meta['run_id']} computed {meta['computed_at']}; "
              f"{meta['band_label']}, {meta['budget']} min each way; comparison region "
              f"{', '.join(meta['region'])} ({meta['region_rule']}). Method: /method\n")
    if meta.get("free_with_pass"):
        buf.write(f"# {meta['free_with_pass_rule']}\n")
    buf.write("# Units: " + "; ".join(f"{c} = {u}" for c, u, _, _ in DICTIONARY if u) + "\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    w.writerows(_rows(coll))
    return buf.getvalue()


def geopackage(conn: Connection, band: str, category: str, audience: str, budget: int | None,
               region: str | None, breaks: str, free_with_pass: bool = False) -> bytes:
    """A GeoPackage with one layer per level, a data dictionary and a notes table."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    from shapely.geometry import shape

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gaps.gpkg"
        meta: dict[str, Any] = {}
        for level in ("lsoa", "ward", "lad"):
            coll = layer(conn, level, band, category, audience, budget, region=region,
                         breaks=breaks, free_with_pass=free_with_pass)
            meta = coll["meta"]
            frame = pd.DataFrame(_rows(coll), columns=list(COLUMNS)).replace("", None)
            geoms = [shape(f["geometry"]) for f in coll["features"]]
            gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")
            pyogrio.write_dataframe(gdf, path, layer=f"gaps_{level}", driver="GPKG")
        dictionary = pd.DataFrame([{"column": c, "unit": u, "decimals": d, "meaning": m}
                                   for c, u, d, m in DICTIONARY])
        pyogrio.write_dataframe(dictionary, path, layer="data_dictionary", driver="GPKG")
        notes = pd.DataFrame([{"key": k, "value": json.dumps(v) if not isinstance(v, str)
                               else v} for k, v in {
            "notice": NOTICE, "run_id": meta["run_id"], "computed_at": meta["computed_at"],
            "band": meta["band_label"], "budget_min": meta["budget"],
            "category": category, "audience": audience,
            "free_with_pass": meta["free_with_pass_rule"] or "no", "region": meta["region"],
            "region_rule": meta["region_rule"], "breaks": meta["breaks"],
            "round_trip": meta["round_trip_rule"], "data_versions": meta["data_versions"],
            "parameters": meta["parameters"]}.items()])
        pyogrio.write_dataframe(notes, path, layer="run_notes", driver="GPKG")
        return path.read_bytes()
