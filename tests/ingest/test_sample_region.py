"""The fictional sample region: deterministic, labelled fictional, loadable, and bootstrapped."""

from __future__ import annotations

import csv
from pathlib import Path

from shapely.ops import unary_union
from sqlalchemy import Engine, text

from app.postcodes import parse_postcode
from ingest.commands.all import plan_folder, run_plan
from ingest.registry import sniff_file
from ingest.sample import SAMPLE_FILES, sample_region, write_sample_files
from ingest.sample.region import _INWARD_LETTERS, SEED
from tests.ingest.helpers import counts, fingerprint, run_cli


def test_generation_is_deterministic() -> None:
    a = sample_region.__wrapped__(SEED)  # bypass the cache: really generate twice
    b = sample_region.__wrapped__(SEED)
    assert a == b
    assert sample_region.__wrapped__(SEED + 1).postcodes != a.postcodes


def test_everything_is_labelled_fictional_with_reserved_codes() -> None:
    r = sample_region()
    assert "fictional" in r.district.name and r.district.code.startswith("X07")
    assert all("fictional" in a.name and a.code.startswith("X05") for a in r.wards)
    assert all("fictional" in a.name and a.code.startswith("X01") for a in r.lsoas)
    assert all("(fictional)" in s.name and s.atco_code.startswith("9990XF") for s in r.stops)
    assert len(r.lsoas) == 12 and len(r.wards) == 4
    assert 190 <= len(r.postcodes) <= 210 and 36 <= len(r.stops) <= 48
    for p in r.postcodes:
        parsed = parse_postcode(p.pcds, allow_partial=False)
        assert parsed.outward.startswith("XF") and set(p.pcds[-2:]) <= set(_INWARD_LETTERS)
    # Varied deprivation: every IMD decile but one appears.
    assert len({v["imd"].decile for v in r.deprivation.values()}) >= 9


def test_lsoas_tile_the_district() -> None:
    r = sample_region()
    union = unary_union([a.geom for a in r.lsoas])
    assert abs(sum(a.geom.area for a in r.lsoas) - union.area) < 1e-12  # no overlaps
    assert union.symmetric_difference(r.district.geom).area < 1e-12  # no gaps
    for w in r.wards:
        assert w.geom.is_valid


def test_lines_reuse_the_stops() -> None:
    r = sample_region()
    atcos = {s.atco_code for s in r.stops}
    for line in r.lines:
        assert len(line.stops[0]) == len(line.stops[1]) >= 5
        assert set(line.stops[0]) | set(line.stops[1]) <= atcos


def test_files_are_in_official_formats_and_recognised_by_content(tmp_path: Path) -> None:
    paths = write_sample_files(tmp_path)
    for (command, _), path in zip(SAMPLE_FILES, paths, strict=True):
        found = sniff_file(path)
        assert found is not None and found.dataset.name == command, path.name
    first = (tmp_path / "codepoint_xf.csv").read_text().splitlines()[0].split(",")
    assert len(first) == 10 and first[0].startswith("XF") and first[2].isdigit()  # no header
    with open(tmp_path / "Stops.csv", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header[:4] == ["ATCOCode", "NaptanCode", "CommonName", "Indicator"]


def test_loaded_sample_region(sample_db: Engine) -> None:
    r = sample_region()
    n = counts(sample_db)
    assert (n["lad"], n["ward"], n["lsoa21"], n["bus_stop"]) == (1, 4, 12, len(r.stops))
    assert n["postcode"] == len(r.postcodes) and n["population"] == 12 * 7
    assert n["deprivation"] == 12 * 14
    with sample_db.connect() as conn:
        datasets = {row[0] for row in conn.execute(text("SELECT dataset FROM dataset_version"))}
        assert datasets == {"sample-region", "gtfs:sample-region", "sample-region-activities"}
        # The Code-Point file carries no LSOA: point-in-polygon must find the generating one.
        got = dict(conn.execute(text("SELECT pcds, lsoa21_code FROM postcode")).all())
        wards = dict(conn.execute(text("SELECT pcds, ward_code FROM postcode")).all())
    assert got == {p.pcds: p.lsoa_code for p in r.postcodes}
    assert wards == {p.pcds: p.ward_code for p in r.postcodes}


def test_bootstrap_loads_sample_then_is_a_no_op(fresh_db: Engine, tmp_path: Path) -> None:
    empty = tmp_path / "geodata"
    empty.mkdir()
    (empty / "README.md").write_text("nothing here")
    env = {"GEODATA_DIR": str(empty)}
    first = run_cli(fresh_db, "bootstrap", "--quiet", env=env)
    assert first.returncode == 0, first.stderr
    assert "FICTIONAL sample region" in first.stderr
    after_first = fingerprint(fresh_db)
    assert after_first["lsoa21"][0] == 12
    second = run_cli(fresh_db, "bootstrap", "--quiet", env=env)
    assert second.returncode == 0 and "nothing to do" in second.stderr
    assert fingerprint(fresh_db) == after_first
    # Recognisable data appears in GEODATA_DIR: the sample is replaced by it.
    write_sample_files(empty / "real")
    third = run_cli(fresh_db, "bootstrap", "--quiet", env=env)
    assert third.returncode == 0, third.stderr
    assert "removing the fictional sample region" in third.stderr
    with fresh_db.connect() as conn:
        datasets = {row[0] for row in conn.execute(text("SELECT dataset FROM dataset_version"))}
    assert "sample-region" not in datasets and "boundaries-lsoa21" in datasets


def test_all_is_idempotent(fresh_db: Engine, tmp_path: Path) -> None:
    write_sample_files(tmp_path / "data")
    (tmp_path / "data" / "notes.csv").write_text("a,b\n1,2\n")
    plan = plan_folder(tmp_path / "data")
    assert [p.name for p in plan.unrecognised] == ["notes.csv"]
    assert [f.label for f in plan.loads][:3] == [
        "boundaries-lad", "boundaries-ward", "boundaries-lsoa21"]
    assert run_plan(fresh_db, tmp_path / "data", plan, strict=True, quiet=True) == 0
    once = fingerprint(fresh_db)
    assert run_plan(fresh_db, tmp_path / "data", plan, strict=True, quiet=True) == 0
    twice = fingerprint(fresh_db)
    once.pop("dataset_version")
    assert twice.pop("dataset_version")[0] == 2 * len(SAMPLE_FILES)
    assert once == twice
