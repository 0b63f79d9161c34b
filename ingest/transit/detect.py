"""`ingest all` detectors for GTFS feeds and OSM extracts (recognised by content, not name)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from sqlalchemy import Engine

from app.api.params import GB_BOUNDS
from ingest.commands.all import Found

GTFS_ORDER = 60  # after NaPTAN (50) so stops can be matched to it
OSM_ORDER = 61


def _in_gb(lat: float, lon: float) -> bool:
    minx, miny, maxx, maxy = GB_BOUNDS
    return miny <= lat <= maxy and minx <= lon <= maxx


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


def detect_gtfs(path: Path) -> Found | None:
    """A GTFS zip (stops, trips and stop_times inside); feeds outside Great Britain are skipped."""
    if path.suffix.lower() != ".zip" or not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as zf:
        names = {n.rsplit("/", 1)[-1].lower(): n for n in zf.namelist()}
        if not {"stops.txt", "trips.txt", "stop_times.txt"} <= names.keys():
            return None
        where = _median_stop(zf, names["stops.txt"])
    dataset = f"gtfs:{path.stem}"
    if where is None or not _in_gb(*where):
        return Found(dataset, GTFS_ORDER, None,
                     note="its stops are outside Great Britain (a test-bed feed); load it "
                          "explicitly with `python -m ingest gtfs` if wanted")

    def load(engine: Engine, strict: bool, quiet: bool) -> object:
        from app.settings import get_settings
        from ingest.transit.gtfs_load import load_gtfs

        return load_gtfs(engine, path, get_settings().cache_dir, quiet=quiet).load_report

    return Found(dataset, GTFS_ORDER, load)


def _sample_nodes(path: Path, n: int = 2000) -> tuple[float, float] | None:
    """Median position of the first n nodes of an OSM file."""
    import osmium

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


def detect_osm(path: Path) -> Found | None:
    """An OSM PBF extract; extracts outside Great Britain are recognised but not loaded."""
    if path.suffix.lower() != ".pbf":
        return None
    with open(path, "rb") as fh:
        if b"OSMHeader" not in fh.read(64):
            return None
    where = _sample_nodes(path)
    if where is None or not _in_gb(*where):
        return Found("osm", OSM_ORDER, None,
                     note="the extract is outside Great Britain (a test-bed file); build it "
                          "explicitly with `python -m ingest osm` if wanted")

    def load(engine: Engine, strict: bool, quiet: bool) -> object:
        from app.settings import get_settings
        from ingest.commands.osm import load_osm

        return load_osm(engine.url.render_as_string(hide_password=False), path,
                        get_settings().cache_dir, quiet=quiet)

    return Found("osm", OSM_ORDER, load)
