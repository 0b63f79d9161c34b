"""Unit tests of the area loaders' header detection, value validators and conversions."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ingest.areas import boundaries, iod, lookups, population, postcodes
from ingest.areas.bng import to_bng, to_lonlat
from ingest.areas.values import CellError, code, integer, is_code, number

FILE7_HEADER = [
    "LSOA code (2021)", "LSOA name (2021)", "Local Authority District code (2024)",
    "Index of Multiple Deprivation (IMD) Score",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
    "Income Score (rate)", "Income Rank (where 1 is most deprived)",
    "Education, Skills and Training Decile (where 1 is most deprived 10% of LSOAs)",
    "Children and Young People Sub-domain Score",
    "Income Deprivation Affecting Children Index (IDACI) Score (rate)",
]


@pytest.mark.parametrize(("kind", "value", "ok"), [
    ("lsoa", "E01028268", True), ("lsoa", "W01000001", True), ("lsoa", "X01000001", True),
    ("lsoa", "E02002868", False), ("lsoa", "E0102826", False), ("lsoa", "e01028268", False),
    ("ward", "E05014614", True), ("ward", "E01028268", False),
    ("lad", "E07000174", True), ("lad", "E06000018", True), ("lad", "W06000001", True),
    ("lad", "E10000024", False), ("lad", "E05014614", False),
])
def test_code_patterns(kind: str, value: str, ok: bool) -> None:
    assert is_code(kind, value) is ok


def test_code_validator_names_the_column() -> None:
    assert code({"c": " e01028268 "}, "c", "lsoa") == "E01028268"
    with pytest.raises(CellError) as err:
        code({"c": "E02002868"}, "c", "lsoa")
    assert err.value.column == "c" and "not a valid LSOA code" in err.value.reason


def test_numbers() -> None:
    assert integer({"n": "1,234"}, "n") == 1234
    assert integer({"n": "12.0"}, "n", lo=1, hi=12) == 12
    for bad in ("11", "0", "x", "1.5", ""):
        with pytest.raises(CellError):
            integer({"n": bad}, "n", lo=1, hi=10)
    assert number({"n": "-0.25"}, "n") == -0.25
    with pytest.raises(CellError):
        number({"n": "nan"}, "n")


def test_iod_file7_header_maps_to_measures() -> None:
    layout = iod.detect_layout(FILE7_HEADER)
    assert layout is not None and layout.edition == 2025
    assert layout.columns[("imd", "decile")].startswith("Index of Multiple Deprivation")
    assert layout.columns[("income", "score")] == "Income Score (rate)"
    assert ("education", "decile") in layout.columns
    assert ("children_young_people", "score") in layout.columns
    # IDACI is not a measure the project stores: ignored, and said so.
    assert layout.ignored == ["Income Deprivation Affecting Children Index (IDACI) Score (rate)"]


def test_iod_edition_comes_from_the_header_not_the_name() -> None:
    header = ["LSOA code (2011)", *FILE7_HEADER[3:6]]
    layout = iod.detect_layout(header)
    assert layout is not None and layout.edition == 2019


def test_iod_subdomain_extract_layout() -> None:
    layout = iod.detect_layout(["lsoa11_code", "Indoors_decile", "Indoors_rank",
                                "Geographical_barriers_decile", "Housing_and_Access_rank"])
    assert layout is not None and layout.edition == 2019
    assert set(layout.measures) == {"indoors", "geographical_barriers", "barriers"}


def test_iod_rejects_indicator_files() -> None:
    assert iod.detect_layout(["lsoa21_code", "connectivity_score", "patient_to_gp_ratio"]) is None


@pytest.mark.parametrize(("header", "kind"), [
    (["LSOA21CD", "LSOA21NM", "WD24CD", "WD24NM", "LAD24CD", "LAD24NM"], "ward"),
    (["lsoa21_code", "lsoa21_name", "ward24_code", "ward24_name", "ltla24_code", "ltla24_name"],
     "ward"),
    (["LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "CHGIND", "LAD22CD", "LAD22NM"], "lsoa11"),
    (["lsoa11_code", "lsoa11_name", "change_code", "lsoa21_code", "ltla22_code"], "lsoa11"),
    (["LSOA21CD", "LSOA21NM", "RUC21CD", "RUC21NM", "Urban_rural_flag"], "ruc"),
    (["lsoa21_code", "ruc21_code", "classification", "ruc"], "ruc"),
    (["lsoa21_code", "usual_residents_total"], None),
])
def test_lookup_kind_by_header(header: list[str], kind: str | None) -> None:
    assert lookups.kind_of(header) == kind


@pytest.mark.parametrize(("column", "rng"), [
    ("Aged 15 years and under", (0, 15)), ("Age: Aged 16 to 24 years", (16, 24)),
    ("Aged 65 years and over", (65, 200)), ("Age: Aged under 1 year", (0, 0)),
    ("Age: Aged 7 years", (7, 7)), ("lsoa21_code", None), ("usual_residents_total", None),
])
def test_age_columns(column: str, rng: tuple[int, int] | None) -> None:
    assert population.age_range(column) == rng


def test_age_bands_must_fit() -> None:
    shared = ["lsoa21_code", "usual_residents_total", "Aged 15 years and under",
              "Aged 16 to 24 years", "Aged 25 to 34 years", "Aged 35 to 49 years",
              "Aged 50 to 64 years", "Aged 65 years and over"]
    bands = population.band_columns(shared)
    assert bands is not None and bands["0-15"] == ["Aged 15 years and under"]
    single_years = ["geography code"] + [f"Age: Aged {n} years" for n in range(1, 100)] + [
        "Age: Aged under 1 year", "Age: Aged 100 years and over"]
    bands = population.band_columns(single_years)
    assert bands is not None and len(bands["16-24"]) == 9
    # Five-year bands cannot be split at 15/16 honestly.
    assert population.band_columns(["Aged 10 to 14 years", "Aged 15 to 19 years"]) is None


@pytest.mark.parametrize(("fields", "level"), [
    (["LAD24CD", "LAD24NM", "BNG_E"], "lad"),
    (["WD24CD", "WD24NM", "LAD24CD", "LAD24NM"], "ward"),
    (["LSOA21CD", "LSOA21NM", "WD24CD", "LAD24CD"], "lsoa21"),
    (["LSOA11CD", "LSOA11NM", "LAD19CD"], "lsoa11"),
    (["lsoa21_code", "lsoa21_name", "ltla24_code"], "lsoa21"),
    (["OBJECTID", "LAD22CD", "LAD22NM", "LAD22NMW"], "lad"),
    (["MSOA21CD", "MSOA21NM", "LAD24CD"], None),
])
def test_boundary_level_from_properties(fields: list[str], level: str | None) -> None:
    layout = boundaries.detect_layout(fields)
    assert layout is not None and layout.level == level
    if level == "lsoa21" and "LAD24CD" in fields:
        assert layout.lad == "LAD24CD" and layout.name == "LSOA21NM"


def test_codepoint_layout_with_and_without_header() -> None:
    headerless = postcodes.detect_layout(
        ["NG1 1AA", "10", "457803", "340082", "E92000001", "E19000001", "E18000004", "",
         "E06000018", "E05001838"])
    assert headerless is not None and headerless.header == list(postcodes.OFFICIAL_COLUMNS)
    assert headerless.cols["easting"] == "Eastings"
    with_header = postcodes.detect_layout(
        ["postcode", "pcds", "positional_quality", "easting", "northing", "admin_district_code",
         "admin_ward_code", "lat", "lon", "lsoa21cd_derived", "wd24cd_derived"])
    assert with_header is not None and with_header.header is None
    assert with_header.cols["lsoa21"] == "lsoa21cd_derived"
    assert with_header.cols["ward"] == "wd24cd_derived"
    assert with_header.cols["ward_any"] == "admin_ward_code"
    # A list of schools has a postcode and coordinates but is not a postcode directory.
    assert postcodes.detect_layout(["name", "postcode", "easting", "northing"]) is None


def test_bng_round_trip() -> None:
    lon, lat = to_lonlat([453957], [361021])
    east, north = to_bng(lon, lat)
    assert abs(east[0] - 453957) < 0.01 and abs(north[0] - 361021) < 0.01


@pytest.mark.realdata
def test_bng_conversion_matches_published_lat_lon(geodata: Path) -> None:
    """Within ~1 m of the lat/lon columns of the shared Code-Point extract, for every row."""
    with open(geodata / "postcodes" / "codepoint_open_2014_ng_and_notts.csv",
              encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    lon, lat = to_lonlat([float(r["easting"]) for r in rows], [float(r["northing"]) for r in rows])
    worst_m = 0.0
    for r, x, y in zip(rows, lon, lat, strict=True):
        d_lat = (y - float(r["lat"])) * 111_320
        d_lon = (x - float(r["lon"])) * 111_320 * 0.6
        worst_m = max(worst_m, (d_lat**2 + d_lon**2) ** 0.5)
    assert len(rows) == 32_036
    assert worst_m < 1.0
