"""ONS boundaries: local authority districts, wards, LSOA 2021 and LSOA 2011.

The level comes from the file's properties, never its name: the first property shaped like
an ONS code column (LAD24CD, WD24CD, LSOA21CD, LSOA11CD, or snake_case lsoa21_code,
ward24_code, ...) says what each feature is; the matching ...NM / _name column names it and a
LADxxCD column, if any, gives the district of a ward or LSOA.

Geometries are checked one by one: empty or non-polygonal ones are rejected, invalid rings
are repaired with shapely's make_valid (and counted), and polygons become MultiPolygons.
A declared projected CRS (e.g. EPSG:27700) is reprojected to WGS84 and said so; coordinates
in metres without a declared CRS are refused.

Idempotent by upsert on the area code: loading a more detailed file of the same level later
replaces the geometry of every area it contains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely import wkb
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from app.geo import GB_BOUNDS
from ingest.areas.common import REGION, Region, ons, progress, refuse_if_nothing
from ingest.areas.values import CODE_LABELS, CellError, is_code, normalise_header
from ingest.areas.vector import read_info, read_vector
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance

_CODE_COLUMN = re.compile(r"^([a-z]+?)(\d\d)(cd|code)$")
# Column prefix (and year for LSOAs) -> level; anything else (MSOA, OA, CTYUA...) is not used.
_PREFIX_LEVEL = {"lad": "lad", "ltla": "lad", "wd": "ward", "ward": "ward"}
TABLES = {"lad": "lad", "ward": "ward", "lsoa21": "lsoa21", "lsoa11": "lsoa11"}
_CODE_KIND = {"lad": "lad", "ward": "ward", "lsoa21": "lsoa", "lsoa11": "lsoa"}
LEVEL_LABELS = {"lad": "local authority districts", "ward": "wards",
                "lsoa21": "LSOA 2021", "lsoa11": "LSOA 2011"}


@dataclass(frozen=True)
class BoundaryLayout:
    """The level of a boundary file and the columns holding code, name and district."""

    level: str | None  # None: an ONS geography Within Reach does not use
    prefix: str
    code: str
    name: str | None
    lad: str | None
    year: str


def detect_layout(fields: list[str]) -> BoundaryLayout | None:
    """Find the level from property names; None if no ONS-style code column is present."""
    for col in fields:
        m = _CODE_COLUMN.match(normalise_header(col))
        if not m:
            continue
        prefix, year = m.group(1), m.group(2)
        level = _PREFIX_LEVEL.get(prefix)
        if prefix == "lsoa":
            level = {"21": "lsoa21", "11": "lsoa11"}.get(year)
        name = _find(fields, rf"{prefix}{year}(nm|name)")
        lad = None
        if level != "lad":
            lad = next((f for f in fields if f != col and re.fullmatch(
                r"(lad|ltla)\d\d(cd|code)", normalise_header(f))), None)
        return BoundaryLayout(level, prefix, col, name, lad, "20" + year)
    return None


def _find(fields: list[str], pattern: str) -> str | None:
    return next((f for f in fields if re.fullmatch(pattern, normalise_header(f))), None)


def sniff(path: Path) -> BoundaryLayout | None:
    """Cheap detection for `ingest all`: read the layer's field names only."""
    info = read_info(path)
    if info is None:
        return None
    return detect_layout([str(f) for f in info.get("fields", [])])


def load_boundaries(conn: Connection, path: Path, report: LoadReport) -> Provenance:
    """Load one boundary file into the table of the level its properties name."""
    gdf = read_vector(path)
    if len(gdf) == 0:
        raise LoadRefused(path, "the file has no features")
    fields = [c for c in gdf.columns if c != gdf.geometry.name]
    layout = detect_layout(fields)
    if layout is None:
        raise LoadRefused(path, "no ONS code property found (expected e.g. LAD24CD, WD24CD, "
                          "LSOA21CD or LSOA11CD)")
    if layout.level is None:
        raise LoadRefused(path, f"{layout.code} boundaries are not used by Within Reach "
                          "(supported: LAD, ward, LSOA 2021, LSOA 2011)")
    if layout.name is None:
        raise LoadRefused(path, f"missing required property: the name column for {layout.code}")
    gdf = to_wgs84(gdf, path, report)
    level = layout.level
    rows = list(_valid_rows(gdf, layout, report))
    rows = _in_region(conn, path, level, rows, report)
    if rows:
        table = TABLES[level]
        has_lad = level != "lad"
        cols = "code, name" + (", lad_code" if has_lad else "") + ", geom"
        vals = ":code, :name" + (", :lad" if has_lad else "") + \
            ", ST_Multi(ST_GeomFromWKB(:wkb, 4326))"
        # Keep a district already known (from the lookup) when this file has none.
        updates = "name = EXCLUDED.name, geom = EXCLUDED.geom" + (
            ", lad_code = coalesce(EXCLUDED.lad_code, " + table + ".lad_code)" if has_lad else "")
        conn.execute(text(f"INSERT INTO {table} ({cols}) VALUES ({vals}) "  # noqa: S608
                          f"ON CONFLICT (code) DO UPDATE SET {updates}"), rows)
        report.rows_loaded = len(rows)
        if level in ("ward", "lsoa21"):
            _fill_lad_from_lookup(conn, level)
    refuse_if_nothing(path, report, "feature")
    return ons(f"{LEVEL_LABELS[level]}, {layout.year}", layout.year)


def to_wgs84(gdf: gpd.GeoDataFrame, path: Path, report: LoadReport) -> gpd.GeoDataFrame:
    """Reproject a declared CRS to WGS84; refuse metres that claim (or default to) degrees.

    Whatever the file declares, the result must lie in Great Britain (check_in_gb): a wrong
    CRS otherwise loads silently, e.g. degrees declared as EPSG:3857 land near (0°, 0°).
    """
    crs = gdf.crs
    source = gdf
    if crs is not None and not crs.is_geographic:
        epsg = crs.to_epsg()
        label = f"EPSG:{epsg}" if epsg else crs.name
        if epsg == 27700:
            label += " (British National Grid)"
        report.warn(f"reprojected from {label} to WGS84 (EPSG:4326)")
        out = gdf.to_crs(4326)
        check_in_gb(out, path, declared=label, source=source)
        return out
    if crs is not None and crs.to_epsg() not in (4326, None):
        report.warn(f"reprojected from {crs.name} to WGS84 (EPSG:4326)")
        gdf = gdf.to_crs(4326)
    minx, miny, maxx, maxy = gdf.total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        bng = minx >= 0 and maxx <= 700_000 and miny >= 0 and maxy <= 1_300_000
        what = ("look like EPSG:27700 (British National Grid) metres" if bng
                else "are outside longitude/latitude ranges")
        raise LoadRefused(path, f"wrong CRS: the coordinates {what} but no projected CRS is "
                          "declared; reproject to WGS84 (EPSG:4326) or declare the CRS")
    check_in_gb(gdf, path, declared=None, source=source)
    return gdf


# Great Britain and its islands in WGS84 with a margin of half a degree (app.geo.GB_BOUNDS is
# already generous): anything outside is a wrong CRS or swapped axes, not a real boundary.
GB_MARGIN = 0.5
_GB = (GB_BOUNDS[0] - GB_MARGIN, GB_BOUNDS[1] - GB_MARGIN, GB_BOUNDS[2] + GB_MARGIN,
       GB_BOUNDS[3] + GB_MARGIN)


def _inside(bounds: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Row mask: each (minx, miny, maxx, maxy) lies within `box`."""
    return ((bounds[:, 0] >= box[0]) & (bounds[:, 1] >= box[1])
            & (bounds[:, 2] <= box[2]) & (bounds[:, 3] <= box[3]))


def check_in_gb(gdf: gpd.GeoDataFrame, path: Path, *, declared: str | None,
                source: gpd.GeoDataFrame) -> None:
    """Refuse the file unless every (non-empty) geometry lies inside Great Britain."""
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return  # every feature is empty: the row checks reject them one by one
    bounds = shapely.bounds(geoms[present])
    outside = ~_inside(bounds, _GB)
    if not outside.any():
        return
    first = int(np.flatnonzero(present)[np.flatnonzero(outside)[0]]) + 1
    raw = shapely.bounds(np.asarray(source.geometry.array, dtype=object)[present])
    swapped = (_GB[1], _GB[0], _GB[3], _GB[2])  # lat where lon should be, and vice versa
    if declared and _inside(raw, (-180, -90, 180, 90)).all():
        why = (f"declared {declared.split(' (')[0]} but values are degrees (longitude/"
               "latitude); declare EPSG:4326 or reproject the file")
    elif _inside(raw if declared is None else bounds, swapped).all():
        why = ("coordinates look like lat/lon swapped (y holds longitudes, x latitudes); "
               "GeoJSON and EPSG:4326 files here must be longitude, latitude")
    else:
        x0, y0, x1, y1 = (float(v) for v in bounds[outside][0])
        why = (f"feature {first} lies outside Great Britain (bounds {x0:.3f}, {y0:.3f}, "
               f"{x1:.3f}, {y1:.3f} after reprojection); is the declared CRS right?")
    raise LoadRefused(path, f"wrong CRS: {why}")


def _in_region(conn: Connection, path: Path, level: str, rows: list[dict[str, Any]],
               report: LoadReport) -> list[dict[str, Any]]:
    """The rows inside REGION (--lad, --bbox); a warning counts the others.

    A box keeps the areas that touch it. Districts keep themselves; a ward or LSOA is in
    a district by the file's district column, else the loaded lookup, else (LSOA 2011,
    or no lookup) by a point inside it falling in the loaded district boundary.
    """
    region = REGION.get() or Region()
    if not region.active or not rows:
        return rows
    geoms = shapely.from_wkb([r["wkb"] for r in rows])
    keep = np.ones(len(rows), dtype=bool)
    if region.bbox is not None:
        keep &= shapely.intersects(geoms, shapely.box(*region.bbox))
    if region.lads:
        lads = set(region.lads)
        if level == "lad":
            keep &= np.array([r["code"] in lads for r in rows])
        else:
            keep &= _in_districts(conn, path, level, rows, geoms, lads)
    n_out = int((~keep).sum())
    if n_out:
        report.warn(f"{n_out:,} areas outside the region (--lad/--bbox) were not loaded")
    return [r for r, k in zip(rows, keep, strict=True) if k]


def _in_districts(conn: Connection, path: Path, level: str, rows: list[dict[str, Any]],
                  geoms: np.ndarray, lads: set[str]) -> np.ndarray:
    """Which wards/LSOAs are in the districts (see `_in_region`)."""
    lad_of: dict[str, str] = {}
    key = {"ward": "ward_code", "lsoa21": "lsoa21_code"}.get(level)
    if key is not None:  # `key` is one of two constants
        lad_of.update(conn.execute(text(
            f"SELECT DISTINCT ON ({key}) {key}, lad_code FROM lsoa_lookup"  # noqa: S608
            f" ORDER BY {key}, lad_code")).tuples().all())
    lad_of.update({r["code"]: r["lad"] for r in rows if r["lad"]})  # the file's own column
    missing = [i for i, r in enumerate(rows) if r["code"] not in lad_of]
    inside = np.array([lad_of.get(r["code"]) in lads for r in rows])
    if missing:
        found = [wkb.loads(bytes(g)) for (g,) in conn.execute(text(
            "SELECT ST_AsBinary(geom) FROM lad WHERE code = ANY(:l)"), {"l": sorted(lads)})]
        if not found:
            raise LoadRefused(path, "--lad: this file has no district column, so the lookup "
                              "(LSOA 2021 -> ward -> LAD) or the district boundaries must be "
                              "loaded first")
        area = shapely.union_all(found)
        shapely.prepare(area)
        pts = shapely.point_on_surface(geoms[missing])
        inside[missing] = shapely.intersects(area, pts)
    return inside


def _valid_rows(gdf: gpd.GeoDataFrame, layout: BoundaryLayout, report: LoadReport
                ) -> Any:
    kind = _CODE_KIND[layout.level or ""]
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    valid = shapely.is_valid(geoms)
    seen: dict[str, int] = {}
    records = gdf[[c for c in (layout.code, layout.name, layout.lad) if c]].to_dict("records")
    for i, rec in enumerate(progress(records, f"boundaries {layout.level}", len(records))):
        feature = i + 1
        report.rows_read += 1
        try:
            code = _text(rec.get(layout.code)).upper()
            if not is_code(kind, code):
                raise CellError(layout.code, f"{code!r} is not a valid {CODE_LABELS[kind]} code")
            name = _text(rec.get(layout.name))
            if not name or len(name) > 120:
                raise CellError(layout.name, "name is empty or longer than 120 characters")
            lad = _text(rec.get(layout.lad)).upper() if layout.lad else ""
            if lad and not is_code("lad", lad):
                raise CellError(layout.lad, f"{lad!r} is not a valid district code")
            geom = _polygonal(geoms[i], bool(valid[i]), report)
            if code in seen:
                raise CellError(layout.code, f"duplicate {code!r} (first in feature {seen[code]})")
        except CellError as bad:
            report.reject(feature, bad.column, f"feature {feature}: {bad.reason}")
            continue
        seen[code] = feature
        yield {"code": code, "name": name, "lad": lad or None, "wkb": shapely.to_wkb(geom)}


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) \
        else str(value).strip()


def _polygonal(geom: BaseGeometry | None, valid: bool, report: LoadReport) -> MultiPolygon:
    """A non-empty MultiPolygon, repairing invalid rings; CellError if that is impossible."""
    if geom is None or geom.is_empty:
        raise CellError("geometry", "empty geometry")
    if not isinstance(geom, Polygon | MultiPolygon):
        raise CellError("geometry", f"{geom.geom_type} is not a polygon")
    if not valid:
        geom = shapely.make_valid(geom)
        report.repaired += 1
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon | MultiPolygon)]
    polys = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])
             if not p.is_empty]
    if not polys:
        raise CellError("geometry", "the geometry has no area after repair")
    return MultiPolygon(polys)


def _fill_lad_from_lookup(conn: Connection, level: str) -> None:
    """Give wards/LSOAs without a district column their district from the lookup, if loaded."""
    if level == "ward":
        conn.execute(text("""
            UPDATE ward w SET lad_code = s.lad_code
            FROM (SELECT DISTINCT ON (ward_code) ward_code, lad_code FROM lsoa_lookup
                  ORDER BY ward_code, lad_code) s
            WHERE w.code = s.ward_code AND w.lad_code IS NULL"""))
    else:
        conn.execute(text("""
            UPDATE lsoa21 l SET lad_code = s.lad_code FROM lsoa_lookup s
            WHERE l.code = s.lsoa21_code AND l.lad_code IS NULL"""))
