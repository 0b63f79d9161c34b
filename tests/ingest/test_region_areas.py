"""`ingest boundaries|lookups --lad/--bbox` on the real Notts files: only the region's areas."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import Engine, text

from tests.ingest.helpers import AREA_TABLES, assert_one_line_refusal, fingerprint, run_cli

MANSFIELD, ASHFIELD = "E07000174", "E07000170"


def _codes(engine: Engine, sql: str) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text(sql)).scalars())


@pytest.mark.realdata
def test_districts_lsoas_wards_and_lookups_of_two_districts(fresh_db: Engine, geodata: Path,
                                                            tmp_path: Path) -> None:
    b, lk = geodata / "boundaries", geodata / "lookups"
    lads = ("--lad", MANSFIELD, "--lad", ASHFIELD)
    # Refused while nothing tells where an LSOA without a district column lies.
    lsoa = gpd.read_file(b / "lsoa21_notts_bsc.geojson")
    bare = tmp_path / "lsoa21_no_district.geojson"
    lsoa[["LSOA21CD", "LSOA21NM", "geometry"]].to_file(bare, driver="GeoJSON")
    before = fingerprint(fresh_db)
    assert_one_line_refusal(run_cli(fresh_db, "boundaries", bare, *lads, "--quiet"),
                            "lookup", "district boundaries")
    assert fingerprint(fresh_db) == before

    for args in (("boundaries", b / "lad24_notts_bsc.geojson"),
                 ("boundaries", bare),  # by a point inside each LSOA and the district outline
                 ("lookups", lk / "lsoa21_ward24_lad24_notts.csv"),
                 ("boundaries", b / "wards24_notts_bsc.geojson"),
                 ("lookups", lk / "ruc21_lsoa21_notts.csv"),
                 ("lookups", lk / "lsoa11_lsoa21_lad22_notts.csv")):
        r = run_cli(fresh_db, *args, *lads, "--quiet")
        assert r.returncode == 0, r.stderr

    expected = set(lsoa.loc[lsoa["LAD24CD"].isin([MANSFIELD, ASHFIELD]), "LSOA21CD"])
    assert _codes(fresh_db, "SELECT code FROM lad") == {MANSFIELD, ASHFIELD}
    assert _codes(fresh_db, "SELECT code FROM lsoa21") == expected
    assert _codes(fresh_db, "SELECT lsoa21_code FROM lsoa_lookup") == expected
    assert _codes(fresh_db, "SELECT lad_code FROM lsoa21") == {MANSFIELD, ASHFIELD}
    assert _codes(fresh_db, "SELECT lsoa_code FROM rural_urban") == expected
    assert _codes(fresh_db, "SELECT lsoa21_code FROM lsoa11_lsoa21") <= expected
    wards = gpd.read_file(b / "wards24_notts_bsc.geojson")
    assert _codes(fresh_db, "SELECT code FROM ward") == set(
        wards.loc[wards["LAD24CD"].isin([MANSFIELD, ASHFIELD]), "WD24CD"])

    # Loading the same region again changes no area (only adds its provenance row).
    areas = tuple(t for t in AREA_TABLES if t != "dataset_version")
    again = fingerprint(fresh_db, areas)
    assert run_cli(fresh_db, "boundaries", bare, *lads, "--quiet").returncode == 0
    assert fingerprint(fresh_db, areas) == again
    assert_one_line_refusal(run_cli(fresh_db, "lookups", lk / "ruc21_lsoa21_notts.csv",
                                    "--bbox=-1.3,53.0,-1.1,53.2"), "--bbox", "--lad")


@pytest.mark.realdata
def test_bbox_keeps_the_areas_touching_the_box(fresh_db: Engine, geodata: Path) -> None:
    path = geodata / "boundaries" / "lsoa21_notts_bsc.geojson"
    box = (-1.25, 53.10, -1.15, 53.16)  # around Mansfield
    r = run_cli(fresh_db, "boundaries", path, f"--bbox={','.join(map(str, box))}", "--quiet")
    assert r.returncode == 0, r.stderr
    lsoa = gpd.read_file(path)
    touching = lsoa[shapely.intersects(lsoa.geometry.array, shapely.box(*box))]
    assert 0 < len(touching) < len(lsoa)
    assert _codes(fresh_db, "SELECT code FROM lsoa21") == set(touching["LSOA21CD"])
