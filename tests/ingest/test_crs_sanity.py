"""Boundaries must land in Great Britain after reprojection, or the file is refused (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from tests.ingest.helpers import assert_one_line_refusal, fingerprint, run_cli

# Mansfield district, roughly, as longitude/latitude.
MANSFIELD = [(-1.25, 53.10), (-1.10, 53.10), (-1.10, 53.20), (-1.25, 53.20), (-1.25, 53.10)]


def _write(path: Path, ring: list[tuple[float, float]], crs: str | None) -> Path:
    doc: dict = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LAD24CD": "E07000174", "LAD24NM": "Mansfield"},
         "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}}]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _refused(engine: Engine, path: Path, *needles: str) -> None:
    before = fingerprint(engine)
    assert_one_line_refusal(run_cli(engine, "boundaries", path), *needles)
    assert fingerprint(engine) == before


def test_degrees_declared_as_web_mercator_are_refused(sample_db: Engine,
                                                      tmp_path: Path) -> None:
    path = _write(tmp_path / "lad_3857.geojson", MANSFIELD, "urn:ogc:def:crs:EPSG::3857")
    _refused(sample_db, path, "wrong CRS", "declared EPSG:3857 but values are degrees")


def test_swapped_lat_lon_is_refused(sample_db: Engine, tmp_path: Path) -> None:
    swapped = [(y, x) for x, y in MANSFIELD]
    path = _write(tmp_path / "lad_swapped.geojson", swapped, None)
    _refused(sample_db, path, "coordinates look like lat/lon swapped")
    path = _write(tmp_path / "lad_swapped_4326.geojson", swapped, "EPSG:4326")
    _refused(sample_db, path, "coordinates look like lat/lon swapped")


def test_swapped_axes_in_a_declared_projection_are_refused(sample_db: Engine,
                                                           tmp_path: Path) -> None:
    # Shetland in National Grid metres with easting and northing exchanged: it lands east of
    # Denmark after reprojection.
    ring = [(1140000, 445000), (1142000, 445000), (1142000, 447000), (1140000, 447000),
            (1140000, 445000)]
    path = _write(tmp_path / "lad_bng_swapped.geojson", ring, "urn:ogc:def:crs:EPSG::27700")
    _refused(sample_db, path, "wrong CRS", "outside Great Britain")


def test_elsewhere_in_the_world_is_refused(sample_db: Engine, tmp_path: Path) -> None:
    poa = [(-51.25, -30.05), (-51.15, -30.05), (-51.15, -29.95), (-51.25, -29.95),
           (-51.25, -30.05)]
    path = _write(tmp_path / "lad_porto_alegre.geojson", poa, None)
    _refused(sample_db, path, "wrong CRS", "outside Great Britain")


def test_a_good_file_still_loads(fresh_db: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "lad_ok.geojson", MANSFIELD, "EPSG:4326")
    result = run_cli(fresh_db, "boundaries", path)
    assert result.returncode == 0, result.stderr
