"""Format variants the loaders accept: BNG-only NaPTAN, split IoD files, late district codes."""

from __future__ import annotations

import json
from pathlib import Path

from shapely.geometry import box, mapping
from sqlalchemy import Engine, text

from ingest.areas.bng import to_bng
from ingest.registry import load_file


def test_naptan_without_wgs84_is_converted_from_bng(fresh_db: Engine, tmp_path: Path) -> None:
    east, north = to_bng([1.6], [54.05])
    path = tmp_path / "Stops.csv"
    path.write_text("ATCOCode,NaptanCode,CommonName,Indicator,StopType,BusStopType,Status,"
                    "Easting,Northing,Longitude,Latitude\n"
                    f"9990XF999001,xfs99001,Test Stop (fictional),Stop A,BCT,MKD,act,"
                    f"{east[0]:.0f},{north[0]:.0f},,\n", encoding="utf-8")
    report = load_file(fresh_db, "naptan", path, strict=True, quiet=True)
    assert "converted from Easting/Northing" in report.warnings[0]
    with fresh_db.connect() as conn:
        lon, lat, status = conn.execute(text(
            "SELECT ST_X(geom), ST_Y(geom), status FROM bus_stop")).one()
    assert abs(lon - 1.6) < 2e-5 and abs(lat - 54.05) < 2e-5 and status == "active"


def test_iod_scores_and_ranks_from_separate_files_merge(fresh_db: Engine, tmp_path: Path) -> None:
    ranks = tmp_path / "File_2.csv"
    ranks.write_text(
        '"LSOA code (2011)","Index of Multiple Deprivation (IMD) Rank (where 1 is most '
        'deprived)","Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% '
        'of LSOAs)"\nE01028268,2691,1\n', encoding="utf-8")
    scores = tmp_path / "File_5.csv"
    scores.write_text('"LSOA code (2011)","Index of Multiple Deprivation (IMD) Score"\n'
                      "E01028268,45.5\n", encoding="utf-8")
    load_file(fresh_db, "iod", ranks, strict=True, quiet=True)
    load_file(fresh_db, "iod", scores, strict=True, quiet=True)
    load_file(fresh_db, "iod", ranks, strict=True, quiet=True)  # again: keeps the score
    with fresh_db.connect() as conn:
        row = conn.execute(text("SELECT edition, score, rank, decile FROM deprivation")).one()
    assert tuple(row) == (2019, 45.5, 2691, 1)


def _geojson(path: Path, props: list[dict], geoms: list) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": mapping(g)}
        for p, g in zip(props, geoms, strict=True)]}), encoding="utf-8")
    return path


def test_ward_district_comes_from_the_lookup_and_later_files_win(fresh_db: Engine,
                                                                  tmp_path: Path) -> None:
    # ONS ward boundaries carry no district column: the lookup supplies it, in either order.
    wards = _geojson(tmp_path / "wd.geojson", [{"WD24CD": "X05000009", "WD24NM": "W (fictional)"}],
                     [box(1.0, 54.0, 1.1, 54.1)])
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("LSOA21CD,LSOA21NM,WD24CD,WD24NM,LAD24CD,LAD24NM\n"
                      "X01000099,L (fictional),X05000009,W (fictional),X07000009,D (fictional)\n",
                      encoding="utf-8")
    load_file(fresh_db, "boundaries", wards, quiet=True)
    load_file(fresh_db, "lookups", lookup, quiet=True)
    coarse = _geojson(tmp_path / "lsoa_bsc.geojson",
                      [{"LSOA21CD": "X01000099", "LSOA21NM": "L (fictional)"}],
                      [box(1.0, 54.0, 1.05, 54.05)])
    detailed = _geojson(tmp_path / "lsoa_bgc.geojson",
                        [{"LSOA21CD": "X01000099", "LSOA21NM": "L (fictional)"}],
                        [box(1.0, 54.0, 1.05, 54.05).buffer(0.001, quad_segs=8)])
    load_file(fresh_db, "boundaries", coarse, quiet=True)
    load_file(fresh_db, "boundaries", detailed, quiet=True)
    with fresh_db.connect() as conn:
        assert conn.execute(text("SELECT lad_code FROM ward")).scalar_one() == "X07000009"
        lad, points = conn.execute(text("SELECT lad_code, ST_NPoints(geom) FROM lsoa21")).one()
    assert lad == "X07000009" and points > 5  # the detailed polygon replaced the box
