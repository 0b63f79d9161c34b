"""Integration on the real Nottinghamshire files: facts read from the files themselves.

Expected values were read from the CSV/GeoJSON files in GEODATA_DIR (see SOURCES.md), e.g.
File_7_IoD2025_notts.csv row E01028268: IMD score 41.384, rank 4243, decile 2.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ingest.commands.all import plan_folder
from ingest.registry import DATASETS, load_file
from tests.ingest.helpers import counts

pytestmark = pytest.mark.realdata


def _one(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_counts(loaded_db: str, engine: Engine) -> None:
    n = counts(engine)
    assert (n["lad"], n["ward"], n["lsoa21"], n["lsoa11"]) == (8, 188, 684, 679)
    assert (n["lsoa_lookup"], n["lsoa11_lsoa21"], n["rural_urban"]) == (684, 690, 684)
    assert n["postcode"] == 32_036
    assert n["population"] == 684 * 7
    assert n["bus_stop"] == 8_384
    assert _one(engine, "SELECT count(*) FROM bus_stop WHERE status = 'active'") == 7_763
    assert _one(engine, "SELECT count(*) FROM deprivation WHERE edition = 2025 AND "
                        "measure = 'imd' AND decile IS NOT NULL") == 684
    assert _one(engine, "SELECT count(*) FROM deprivation WHERE edition = 2019 AND "
                        "measure = 'imd' AND decile IS NOT NULL") == 679
    # Every LSOA 2021 has its IoD2025 decile and a population.
    assert _one(engine, "SELECT count(*) FROM lsoa21 l JOIN deprivation d ON d.lsoa_code = "
                        "l.code AND d.edition = 2025 AND d.measure = 'imd'") == 684


def test_known_lsoa(loaded_db: str, engine: Engine) -> None:
    with engine.connect() as conn:
        imd = conn.execute(text("SELECT score, rank, decile FROM deprivation WHERE edition = 2025 "
                                "AND lsoa_code = 'E01028268' AND measure = 'imd'")).one()
        imd19 = conn.execute(text("SELECT rank, decile FROM deprivation WHERE edition = 2019 "
                                  "AND lsoa_code = 'E01028268' AND measure = 'imd'")).one()
        name, lad = conn.execute(text("SELECT name, lad_code FROM lsoa21 WHERE code = "
                                      "'E01028268'")).one()
        pop = dict(conn.execute(text("SELECT age_band, count FROM population WHERE lsoa_code = "
                                     "'E01028268'")).all())
        ruc = conn.execute(text("SELECT ruc_code FROM rural_urban WHERE lsoa_code = "
                                "'E01028268'")).scalar_one()
    assert tuple(imd) == (41.384, 4243, 2)
    assert tuple(imd19) == (2691, 1)
    assert (name, lad) == ("Mansfield 008D", "E07000174")
    assert pop == {"total": 2216, "0-15": 376, "16-24": 244, "25-34": 542, "35-49": 475,
                   "50-64": 401, "65+": 178}
    assert ruc == "UN1"


def test_known_postcode(loaded_db: str, engine: Engine) -> None:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT pcds, lsoa21_code, lsoa11_code, ward_code, lad_code, "
                                "ST_Y(geom), ST_X(geom) FROM postcode WHERE pcd = 'NG181AA'")).one()
    assert row[:5] == ("NG18 1AA", "E01028268", "E01028268", "E05014614", "E07000174")
    assert abs(row[5] - 53.143612) < 2e-6 and abs(row[6] - -1.194788) < 2e-6


def test_all_plan_for_the_shared_folder(geodata: Path) -> None:
    plan = plan_folder(geodata)
    # The area layer; the directory and transit layers come after it.
    loaded = {str(f.path.relative_to(geodata)) for f in plan.area_loads}
    assert loaded == {
        "boundaries/lad24_notts_bsc.geojson", "boundaries/wards24_notts_bsc.geojson",
        "boundaries/lsoa21_notts_hybrid_bgc.geojson", "boundaries/lsoa11_notts_bgc.geojson",
        "lookups/lsoa21_ward24_lad24_notts.csv", "lookups/lsoa11_lsoa21_lad22_notts.csv",
        "lookups/ruc21_lsoa21_notts.csv", "iod2025/File_7_IoD2025_notts.csv",
        "imd2019/File_2_-_IoD2019_Domains_of_Deprivation_notts.csv",
        "imd2019/imd2019_subdomains_lsoa11_notts.csv",
        "population/census2021_usual_residents_lsoa21_notts.csv",
        "postcodes/codepoint_open_2014_ng_and_notts.csv", "transport/naptan_stops_notts.csv",
    }
    position = {d.name: i for i, d in enumerate(DATASETS)}
    orders = [(position[f.dataset.name], f.sniffed.rank) for f in plan.loads]
    assert orders == sorted(orders)
    assert [p.name for p, _ in plan.superseded] == ["lsoa21_notts_bsc.geojson"]
    skipped = {f.path.name: f.skip for f in plan.loads if f.skip is not None}
    assert "MSOA boundaries are not used" in skipped["msoa21_notts_bsc.geojson"]
    area_files = {f.path for f in plan.loads if f.dataset.layer == "areas"}
    assert not any(p.is_relative_to(geodata / "poa") or p.is_relative_to(
        geodata / "community_assets") for p in area_files)


def test_point_in_polygon_matches_the_derived_columns(fresh_db: Engine, geodata: Path,
                                                      tmp_path: Path) -> None:
    """Code-Point as OS publishes it (no header, no LSOA): PIP agrees with the shared file."""
    src = geodata / "postcodes" / "codepoint_open_2014_ng_and_notts.csv"
    official = tmp_path / "ng.csv"
    derived = {}
    with open(src, encoding="utf-8") as fh, open(official, "w", newline="") as out:
        writer = csv.writer(out)
        for r in csv.DictReader(fh):
            writer.writerow([r["postcode"], r["positional_quality"], r["easting"],
                             r["northing"], r["country_code"], r["nhs_regional_ha_code"],
                             r["nhs_ha_code"], r["admin_county_code"],
                             r["admin_district_code"], r["admin_ward_code"]])
            if r["lsoa21cd_derived"]:
                derived[r["postcode"].replace(" ", "")] = (
                    r["lsoa21cd_derived"], r["lsoa11cd_derived"], r["wd24cd_derived"])
    for name in ("lad24_notts_bsc.geojson", "wards24_notts_bsc.geojson",
                 "lsoa21_notts_hybrid_bgc.geojson", "lsoa11_notts_bgc.geojson"):
        load_file(fresh_db, "boundaries", geodata / "boundaries" / name, quiet=True)
    report = load_file(fresh_db, "postcodes", official, strict=True, quiet=True)
    assert report.rows_loaded == 32_036
    with fresh_db.connect() as conn:
        got = {r[0]: r[1:] for r in conn.execute(text(
            "SELECT pcd, lsoa21_code, lsoa11_code, ward_code FROM postcode"))}
    same = [sum(got[pc][i] == want[i] for pc, want in derived.items()) for i in range(3)]
    assert len(derived) == 26_608
    assert same[0] >= 26_600 and same[1] >= 26_600  # LSOAs: all but a border case or two
    assert same[2] >= 0.99 * 26_608  # wards: generalised (BSC) polygons, so a few differ


def test_reloading_is_idempotent(fresh_db: Engine, geodata: Path) -> None:
    files = [("boundaries", "boundaries/wards24_notts_bsc.geojson"),
             ("iod", "iod2025/File_7_IoD2025_notts.csv"),
             ("naptan", "transport/naptan_stops_notts.csv")]
    for command, rel in files:
        load_file(fresh_db, command, geodata / rel, quiet=True)
    once = counts(fresh_db)
    with fresh_db.connect() as conn:
        before = conn.execute(text("SELECT md5(string_agg(d::text, '' ORDER BY d::text)) "
                                   "FROM deprivation d")).scalar_one()
    for command, rel in files:
        load_file(fresh_db, command, geodata / rel, quiet=True)
    twice = counts(fresh_db)
    with fresh_db.connect() as conn:
        after = conn.execute(text("SELECT md5(string_agg(d::text, '' ORDER BY d::text)) "
                                  "FROM deprivation d")).scalar_one()
    assert twice.pop("dataset_version") == 2 * once.pop("dataset_version")
    assert once == twice and before == after
    assert once["ward"] == 188 and once["bus_stop"] == 8_384
