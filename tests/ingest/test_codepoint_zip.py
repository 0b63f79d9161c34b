"""Code-Point Open as OS ships it: a ZIP of headerless per-area CSVs plus a Doc/ folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sqlalchemy import Engine, text

from ingest.areas import postcodes
from ingest.registry import load_file, sniff_file
from ingest.sample import sample_region, write_sample_files
from tests.ingest.helpers import assert_one_line_refusal, fingerprint, run_cli

DOC_HEADERS = "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n" \
    "Postcode,Positional_quality_indicator,Eastings,Northings,Country_code," \
    "NHS_regional_HA_code,NHS_HA_code,Admin_county_code,Admin_district_code,Admin_ward_code\n"


def _codepoint_zip(tmp_path: Path) -> Path:
    """Split the sample's Code-Point file by outward code into Data/CSV/xf1.csv, ... ."""
    write_sample_files(tmp_path / "files")
    lines = (tmp_path / "files" / "codepoint_xf.csv").read_text().splitlines(keepends=True)
    path = tmp_path / "codepo_gb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for outward in sorted({ln[:4].strip() for ln in lines}):
            zf.writestr(f"Data/CSV/{outward.lower()}.csv",
                        "".join(ln for ln in lines if ln[:4].strip() == outward))
        zf.writestr("Doc/Code-Point_Open_Column_Headers.csv", DOC_HEADERS)
    return path


def test_the_column_header_file_is_not_a_postcode_file(tmp_path: Path) -> None:
    doc = tmp_path / "Code-Point_Open_Column_Headers.csv"
    doc.write_text(DOC_HEADERS)
    assert not postcodes.sniff(doc)


def test_zip_of_area_files_loads_in_one_go(fresh_db: Engine, tmp_path: Path) -> None:
    path = _codepoint_zip(tmp_path)
    found = sniff_file(path)
    assert found is not None and (found.dataset.name, found.label) == ("postcodes", "postcodes")
    report = load_file(fresh_db, "postcodes", path, strict=True, quiet=True)
    assert report.rows_loaded == len(sample_region().postcodes)
    with fresh_db.connect() as conn:
        outwards = conn.execute(text("SELECT DISTINCT outward FROM postcode ORDER BY 1")).all()
    assert [o[0] for o in outwards] == ["XF1", "XF2", "XF3", "XF4"]


def test_truncated_codepoint_zip(fresh_db: Engine, tmp_path: Path) -> None:
    path = _codepoint_zip(tmp_path)
    cut = tmp_path / "codepo_cut.zip"
    cut.write_bytes(path.read_bytes()[:-200])
    before = fingerprint(fresh_db)
    assert_one_line_refusal(run_cli(fresh_db, "postcodes", cut), "truncated or corrupt")
    assert fingerprint(fresh_db) == before
