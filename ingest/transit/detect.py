"""Recognise GTFS feeds and OSM extracts by content (not name), and where they are."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import osmium


def _median_stop(zf: zipfile.ZipFile, member: str) -> tuple[float, float] | None:
    """Median stop position of a GTFS stops.txt (None if unreadable)."""
    rows = csv.DictReader(io.StringIO(zf.read(member).decode("utf-8-sig", "replace")))
    pts = []
    for r in rows:
        try:
            pts.append((float(r.get("stop_lat") or ""), float(r.get("stop_lon") or "")))
        except ValueError:
            continue
    if not pts:
        return None
    pts.sort()
    lat = pts[len(pts) // 2][0]
    lon = sorted(p[1] for p in pts)[len(pts) // 2]
    return lat, lon


def _gtfs_members(path: Path) -> dict[str, str] | None:
    """Base name -> member of a GTFS zip (stops, trips and stop_times inside), else None."""
    if path.suffix.lower() != ".zip" or not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as zf:
        names = {n.rsplit("/", 1)[-1].lower(): n for n in zf.namelist()}
    return names if {"stops.txt", "trips.txt", "stop_times.txt"} <= names.keys() else None


def is_gtfs(path: Path) -> bool:
    """True for a GTFS zip."""
    return _gtfs_members(path) is not None


def gtfs_centre(path: Path) -> tuple[float, float] | None:
    """Median stop (lat, lon) of a GTFS zip, or None when it has no readable stop."""
    names = _gtfs_members(path)
    if names is None:
        return None
    with zipfile.ZipFile(path) as zf:
        return _median_stop(zf, names["stops.txt"])


def _sample_nodes(path: Path, n: int = 2000) -> tuple[float, float] | None:
    """Median position of the first n nodes of an OSM file."""
    lats, lons = [], []
    for obj in osmium.FileProcessor(str(path), osmium.osm.NODE):
        if not isinstance(obj, osmium.osm.Node):
            continue
        if obj.location.valid():
            lats.append(obj.location.lat)
            lons.append(obj.location.lon)
        if len(lats) >= n:
            break
    if not lats:
        return None
    return sorted(lats)[len(lats) // 2], sorted(lons)[len(lons) // 2]


def is_osm(path: Path) -> bool:
    """True for an OSM PBF extract."""
    if path.suffix.lower() != ".pbf":
        return False
    with open(path, "rb") as fh:
        return b"OSMHeader" in fh.read(64)


def osm_centre(path: Path) -> tuple[float, float] | None:
    """Median (lat, lon) of an OSM extract's first nodes, or None when none is located."""
    return _sample_nodes(path)
