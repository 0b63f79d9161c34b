"""Every bad input gets a one-line explanation (exit 2, no traceback) and changes nothing."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Polygon, box
from sqlalchemy import Engine, text

from tests.ingest.helpers import assert_one_line_refusal, counts, fingerprint, run_cli

FILE7_COLS = [
    "LSOA code (2021)", "LSOA name (2021)",
    "Index of Multiple Deprivation (IMD) Score",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
]


def _feature_collection(features: list[dict], crs: str | None = None) -> str:
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc)


def _lad_feature(code: str, ring: list[tuple[float, float]]) -> dict:
    return {"type": "Feature", "properties": {"LAD24CD": code, "LAD24NM": "Test (fictional)"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _refused_unchanged(engine: Engine, *args: str | Path, needles: tuple[str, ...]) -> str:
    before = fingerprint(engine)
    line = assert_one_line_refusal(run_cli(engine, *args), *needles)
    assert fingerprint(engine) == before
    return line


def test_undeclared_metres_are_refused(sample_db: Engine, tmp_path: Path) -> None:
    ring = [(453000, 360000), (455000, 360000), (455000, 362000), (453000, 360000)]
    path = tmp_path / "lad_bng.geojson"
    path.write_text(_feature_collection([_lad_feature("E07000174", ring)]), encoding="utf-8")
    _refused_unchanged(sample_db, "boundaries", path,
                       needles=("wrong CRS", "EPSG:27700", "British National Grid", "reproject"))


def test_declared_bng_is_reprojected(fresh_db: Engine, tmp_path: Path) -> None:
    ring = [(453000, 360000), (455000, 360000), (455000, 362000), (453000, 362000),
            (453000, 360000)]
    path = tmp_path / "lad_bng.geojson"
    path.write_text(_feature_collection([_lad_feature("E07000174", ring)],
                                        "urn:ogc:def:crs:EPSG::27700"), encoding="utf-8")
    result = run_cli(fresh_db, "boundaries", path)
    assert result.returncode == 0, result.stderr
    assert "reprojected from EPSG:27700 (British National Grid) to WGS84" in result.stderr
    with fresh_db.connect() as conn:
        x, y = conn.execute(text("SELECT ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)) "
                                 "FROM lad")).one()
    assert -1.21 < x < -1.17 and 53.13 < y < 53.16  # Mansfield, not the Gulf of Guinea


def test_missing_columns(sample_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "Stops.csv"
    path.write_text("ATCOCode,StopType,Status,Longitude,Latitude\n"
                    "9990XF999999,BCT,active,1.6,54.05\n", encoding="utf-8")
    _refused_unchanged(sample_db, "naptan", path, needles=("missing required columns",
                                                           "CommonName"))


def test_lookup_missing_columns(sample_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("LSOA21CD,WD24CD,LAD24CD\nE01028268,E05014614,E07000174\n", encoding="utf-8")
    _refused_unchanged(sample_db, "lookups", path, needles=("missing required column",
                                                            "LSOA21NM"))


def test_empty_csv(sample_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "File_7.csv"
    path.write_bytes(b"")
    _refused_unchanged(sample_db, "iod", path, needles=("empty",))


def test_header_only_csv(sample_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "File_7.csv"
    path.write_text(",".join(f'"{c}"' for c in FILE7_COLS) + "\n", encoding="utf-8")
    _refused_unchanged(sample_db, "iod", path, needles=("no LSOA rows",))


def test_empty_geojson(sample_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "lad.geojson"
    path.write_bytes(b"")
    _refused_unchanged(sample_db, "boundaries", path, needles=("empty",))


def test_non_utf8_csv(sample_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "Stops.csv"
    path.write_bytes("ATCOCode,CommonName,StopType,Status,Longitude,Latitude\n"
                     "9990XF999999,Caf\u00e9 Corner,BCT,active,1.6,54.05\n".encode("latin-1"))
    line = _refused_unchanged(sample_db, "naptan", path, needles=("not UTF-8",))
    assert "Stops.csv:2" in line  # the line holding the bad byte


def test_non_utf8_geojson(sample_db: Engine, tmp_path: Path) -> None:
    ring = [(1.0, 54.0), (1.1, 54.0), (1.1, 54.1), (1.0, 54.0)]
    text_ = _feature_collection([_lad_feature("X07000002", ring)]).replace(
        "Test (fictional)", "Test \u00e9")
    path = tmp_path / "lad.geojson"
    path.write_bytes(text_.encode("latin-1"))
    _refused_unchanged(sample_db, "boundaries", path, needles=("not UTF-8",))


def test_truncated_zip(sample_db: Engine, tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"LAD24CD": ["X07000002"], "LAD24NM": ["Zipville (fictional)"]},
                           geometry=[box(1.0, 54.0, 1.1, 54.1)], crs=4326)
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gdf.to_file(shp_dir / "lad.shp")
    whole = tmp_path / "lad.zip"
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in shp_dir.iterdir():
            zf.write(part, part.name)
    cut = tmp_path / "lad_truncated.zip"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    _refused_unchanged(sample_db, "boundaries", cut, needles=("ZIP", "truncated or corrupt"))


def test_zipped_shapefile_and_geopackage_load(fresh_db: Engine, tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"LAD24CD": ["X07000002"], "LAD24NM": ["Zipville (fictional)"]},
                           geometry=[box(1.0, 54.0, 1.1, 54.1)], crs=4326)
    (tmp_path / "shp").mkdir()
    gdf.to_file(tmp_path / "shp" / "lad.shp")
    with zipfile.ZipFile(tmp_path / "lad.zip", "w") as zf:
        for part in (tmp_path / "shp").iterdir():
            zf.write(part, part.name)
    assert run_cli(fresh_db, "boundaries", tmp_path / "lad.zip").returncode == 0
    wards = gpd.GeoDataFrame({"WD24CD": ["X05000009"], "WD24NM": ["Gpkg (fictional)"]},
                             geometry=[box(1.0, 54.0, 1.05, 54.05)], crs=4326)
    wards.to_file(tmp_path / "wards.gpkg", driver="GPKG")
    assert run_cli(fresh_db, "boundaries", tmp_path / "wards.gpkg").returncode == 0
    assert counts(fresh_db)["lad"] == 1 and counts(fresh_db)["ward"] == 1


def test_unreadable_geometry_file(sample_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [ {"type": ', encoding="utf-8")
    _refused_unchanged(sample_db, "boundaries", path, needles=("unreadable geometry file",))


def _file7(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "File_7_bad.csv"
    path.write_text(",".join(f'"{c}"' for c in FILE7_COLS) + "\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


BAD_ROWS = [
    "X01000001,Fictionbury 001A (fictional),12.5,1000,1",
    "E02002868,not an LSOA,10.0,2000,1",
    "X01000002,Fictionbury 002A (fictional),11.0,3000,11",
    "X01000003,Fictionbury 003A (fictional),abc,3000,1",
]


def test_bad_rows_are_reported_and_good_rows_load(fresh_db: Engine, tmp_path: Path) -> None:
    result = run_cli(fresh_db, "iod", _file7(tmp_path, BAD_ROWS))
    assert result.returncode == 0, result.stderr
    err = result.stderr
    assert "File_7_bad.csv:3: column 'LSOA code (2021)': 'E02002868' is not a valid LSOA code" \
        in err
    assert ("File_7_bad.csv:4: column 'Index of Multiple Deprivation (IMD) Decile (where 1 is "
            "most deprived 10% of LSOAs)': 11 is above the maximum 10") in err
    assert "File_7_bad.csv:5: column 'Index of Multiple Deprivation (IMD) Score'" in err
    assert "loaded 1 of 4 rows, rejected 3" in err
    with fresh_db.connect() as conn:
        assert conn.execute(text("SELECT lsoa_code, decile FROM deprivation")).all() == [
            ("X01000001", 1)]


def test_strict_refuses_the_whole_file(sample_db: Engine, tmp_path: Path) -> None:
    line = _refused_unchanged(sample_db, "iod", _file7(tmp_path, BAD_ROWS), "--strict",
                              needles=("--strict", "3 bad rows"))
    assert "File_7_bad.csv:3" in line and "LSOA code (2021)" in line


def test_duplicate_keys_are_rejected(fresh_db: Engine, tmp_path: Path) -> None:
    rows = ["X01000001,A (fictional),12.5,1000,1", "X01000001,A again (fictional),12.5,1000,1"]
    result = run_cli(fresh_db, "iod", _file7(tmp_path, rows))
    assert result.returncode == 0
    assert "File_7_bad.csv:3: column 'LSOA code (2021)': duplicate 'X01000001' (first on line 2)" \
        in result.stderr


def test_codepoint_bad_rows_name_line_and_column(fresh_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "xf.csv"
    path.write_text("XF1 1AB,10,620000,455000,X92000001,,,,X07000001,X05000001\n"
                    "NOTAPOSTCODE,10,620000,455000,X92000001,,,,X07000001,X05000001\n"
                    "XF1 1AD,10,9620000,455000,X92000001,,,,X07000001,X05000001\n"
                    "XF1 1AE,90,0,0,X92000001,,,,X07000001,X05000001\n", encoding="utf-8")
    result = run_cli(fresh_db, "postcodes", path)
    assert result.returncode == 0, result.stderr
    assert "xf.csv:2: column 'Postcode': 'NOTAPOSTCODE' is not a UK postcode" in result.stderr
    assert "xf.csv:3: column 'Eastings': easting 9.62e+06 is outside the National Grid" \
        in result.stderr
    assert "skipped 1 postcodes: no coordinates" in result.stderr
    assert counts(fresh_db)["postcode"] == 1


def test_invalid_rings_are_repaired_and_counted(fresh_db: Engine, tmp_path: Path) -> None:
    bowtie = [(1.0, 54.0), (1.1, 54.1), (1.1, 54.0), (1.0, 54.1), (1.0, 54.0)]
    assert not Polygon(bowtie).is_valid
    square = [(1.2, 54.0), (1.3, 54.0), (1.3, 54.1), (1.2, 54.1), (1.2, 54.0)]
    empty = {"type": "Feature", "properties": {"LAD24CD": "X07000004", "LAD24NM": "Empty"},
             "geometry": None}
    path = tmp_path / "lad.geojson"
    path.write_text(_feature_collection([_lad_feature("X07000002", bowtie),
                                         _lad_feature("X07000003", square), empty]),
                    encoding="utf-8")
    result = run_cli(fresh_db, "boundaries", path)
    assert result.returncode == 0, result.stderr
    assert "repaired 1 invalid geometries" in result.stderr
    assert "lad.geojson:3: column 'geometry': feature 3: empty geometry" in result.stderr
    with fresh_db.connect() as conn:
        rows = conn.execute(text("SELECT code, ST_IsValid(geom), GeometryType(geom), "
                                 "ST_NumGeometries(geom) FROM lad ORDER BY code")).all()
    assert rows == [("X07000002", True, "MULTIPOLYGON", 2), ("X07000003", True, "MULTIPOLYGON", 1)]
