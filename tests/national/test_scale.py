"""Synthetic England at a tiny scale, end to end through the real loaders and the engine.

Generate (bench/national/synth.py) -> `ingest` boundaries, lookups, IoD, population,
Code-Point postcodes and NaPTAN, then GTFS, into a fresh PostGIS -> read and compile the
feed (from the file and back from the database) -> answer a query from a loaded postcode.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, text

from app.db import get_engine
from app.routing.gtfs_reader import read_gtfs
from app.routing.raptor import QueryParams, Router
from app.routing.timetable import compile_timetable
from app.services.transit.feeds import list_feeds, read_feed
from app.settings import get_settings
from bench.national.synth import generate
from ingest.cli import main as ingest
from tests.dbutil import copy_database, drop_database
from tests.transit.region_checks import check_regional_part

SCALE = 0.002
DAY = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The generated files."""
    return generate(tmp_path_factory.mktemp("england"), SCALE)


@contextmanager
def cli_database(admin_url: str, template_db: str, cache: Path) -> Iterator[Engine]:
    """A fresh migrated database that the `ingest` CLI (run in process) writes to."""
    url = copy_database(admin_url, template_db, prefix="wr_national")
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    os.environ["CACHE_DIR"] = str(cache)
    get_settings.cache_clear()
    get_engine.cache_clear()
    eng = create_engine(url, future=True)
    try:
        yield eng
    finally:
        eng.dispose()
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old
        os.environ.pop("CACHE_DIR", None)
        get_settings.cache_clear()
        get_engine.cache_clear()
        drop_database(admin_url, url)


@pytest.fixture(scope="module")
def loaded(admin_url: str, template_db: str, synth: dict[str, object],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A fresh database with every synthetic file loaded by the `ingest` CLI."""
    with cli_database(admin_url, template_db, tmp_path_factory.mktemp("cache")) as eng:
        for command, key in (("boundaries", "lad"), ("boundaries", "lsoa21"),
                             ("lookups", "lookup"), ("iod", "iod"),
                             ("population", "population"), ("postcodes", "postcodes"),
                             ("naptan", "naptan")):
            assert ingest([command, str(synth[key]), "--quiet"]) == 0, command
        assert ingest(["gtfs", str(synth["gtfs"]), "--name", "england", "--quiet"]) == 0
        yield eng


def test_generator_is_deterministic(tmp_path: Path, synth: dict[str, object]) -> None:
    again = generate(tmp_path, SCALE)
    for key in ("gtfs", "postcodes", "lad", "lsoa21", "iod", "population", "naptan",
                "listings"):
        a, b = Path(str(synth[key])), Path(str(again[key]))
        assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_everything_loads_and_answers(loaded: Engine, synth: dict[str, object]) -> None:
    counts = synth["counts"]
    assert isinstance(counts, dict)
    with loaded.connect() as conn:
        n_lsoa = conn.execute(text("SELECT count(*) FROM lsoa21")).scalar_one()
        n_lad = conn.execute(text("SELECT count(*) FROM lad")).scalar_one()
        n_pc, placed = conn.execute(text(
            "SELECT count(*), count(lsoa21_code) FROM postcode")).one()
        n_stops = conn.execute(text("SELECT count(*) FROM bus_stop")).scalar_one()
        matched = conn.execute(text(
            "SELECT count(naptan_atco) FROM gtfs_stop")).scalar_one()
        n_st = conn.execute(text("SELECT count(*) FROM gtfs_stop_time")).scalar_one()
        iod = conn.execute(text("SELECT count(DISTINCT lsoa_code) FROM deprivation")
                           ).scalar_one()
        pop = conn.execute(text("SELECT sum(count) FROM population")
                           ).scalar_one()
        row = read_feed(conn, next(r for r in list_feeds(conn) if r.name == "england"))
        pc = conn.execute(text(
            "SELECT ST_Y(geom), ST_X(geom) FROM postcode ORDER BY pcd LIMIT 1")).one()
    assert n_lsoa == counts["lsoa"] and n_lad == counts["lads"]
    assert n_pc == counts["postcodes"] and placed == n_pc  # every postcode in an LSOA
    assert n_stops == counts["naptan_stops"]
    assert matched == counts["stops"]  # every GTFS stop is an ATCO code in NaPTAN
    assert iod == n_lsoa
    assert pop and pop > 0
    feed, report = read_gtfs(Path(str(synth["gtfs"])), name="england")
    assert report.ok and n_st == len(feed.stop_times)
    assert any("SYNTHETIC" in a for a in feed.agency["agency_name"])
    from_file = compile_timetable([feed], DAY)
    from_db = compile_timetable([row], DAY)
    assert from_file.n_trips == from_db.n_trips > 0
    assert np.array_equal(from_file.arr, from_db.arr)
    res = Router(from_file).earliest_arrival(float(pc[0]), float(pc[1]), 8 * 3600,
                                             QueryParams(max_buses=3))
    assert int((res.stop_times() < 1 << 30).sum()) > 10


def _codepoint_districts(path: Path) -> pd.Series:
    with zipfile.ZipFile(path) as zf:
        frames = [pd.read_csv(io.BytesIO(zf.read(n)), header=None, usecols=[8], names=["dc"])
                  for n in zf.namelist() if n.startswith("Data/CSV/")]
    return pd.concat(frames)["dc"]


def test_region_filter_loads_part_of_the_file(admin_url: str, template_db: str, tmp_path: Path,
                                              synth: dict[str, object]) -> None:
    lad = "E07900001"
    with cli_database(admin_url, template_db, tmp_path / "cache") as eng:
        assert ingest(["boundaries", str(synth["lsoa21"]), "--quiet"]) == 0
        assert ingest(["postcodes", str(synth["postcodes"]), "--lad", lad, "--quiet"]) == 0
        assert ingest(["naptan", str(synth["naptan"]), "--lad", lad, "--quiet"]) == 0
        with eng.connect() as conn:
            pcs = conn.execute(text("SELECT lad_code, count(*) FROM postcode GROUP BY 1")).all()
            stops, outside = conn.execute(text(
                "SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM lsoa21 l"
                " WHERE l.lad_code = :d AND ST_Intersects(l.geom, s.geom))) FROM bus_stop s"),
                {"d": lad}).one()
            box = conn.execute(text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT"
                " ST_Extent(geom) e FROM lsoa21 WHERE lad_code = :d) x"), {"d": lad}).one()
        expected = int((_codepoint_districts(Path(str(synth["postcodes"]))) == lad).sum())
        assert pcs == [(lad, expected)]
        counts = synth["counts"]
        assert isinstance(counts, dict)
        assert 0 < stops < counts["naptan_stops"] and outside == 0
        # A box: only stops inside it are added (the upsert keeps the district's ones).
        w, s_, e, n = (float(v) for v in box)
        mid = (w + e) / 2
        assert ingest(["naptan", str(synth["naptan"]), f"--bbox={w},{s_},{mid},{n}",
                       "--quiet"]) == 0
        with eng.connect() as conn:
            after, out_of_box = conn.execute(text(
                "SELECT count(*), count(*) FILTER (WHERE NOT ST_Intersects(geom,"
                " ST_MakeEnvelope(:w, :s, :e, :n, 4326)) AND NOT EXISTS (SELECT 1 FROM lsoa21 l"
                " WHERE l.lad_code = :d AND ST_Intersects(l.geom, bus_stop.geom)))"
                " FROM bus_stop"), {"w": w, "s": s_, "e": mid, "n": n, "d": lad}).one()
        assert after >= stops and out_of_box == 0


def test_region_filter_on_the_gtfs(admin_url: str, template_db: str, tmp_path: Path,
                                   synth: dict[str, object]) -> None:
    """`ingest gtfs --lad` / `--bbox` store the part serving the region, trips whole."""
    lad = "E07900001"
    full, _ = read_gtfs(Path(str(synth["gtfs"])), name="england")
    lon, lat = full.stops["lon"].to_numpy(), full.stops["lat"].to_numpy()
    with cli_database(admin_url, template_db, tmp_path / "cache") as eng:
        assert ingest(["boundaries", str(synth["lad"]), "--quiet"]) == 0
        assert ingest(["gtfs", str(synth["gtfs"]), "--name", "district", "--lad", lad,
                       "--quiet"]) == 0
        with eng.connect() as conn:
            inside = np.asarray(conn.execute(text(
                "SELECT coalesce(ST_Intersects(l.geom, ST_SetSRID(ST_MakePoint(u.x, u.y),"
                " 4326)), false) FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[]))"
                " WITH ORDINALITY AS u(x, y, i) LEFT JOIN lad l ON l.code = :c ORDER BY u.i"),
                {"xs": lon.tolist(), "ys": lat.tolist(), "c": lad}).scalars().all(), bool)
            part = read_feed(conn, next(r for r in list_feeds(conn) if r.name == "district"))
        assert 0 < inside.sum() < len(inside)
        check_regional_part(full, part, inside)
        box = (float(np.quantile(lon, 0.4)), float(np.quantile(lat, 0.4)),
               float(np.quantile(lon, 0.6)), float(np.quantile(lat, 0.6)))
        assert ingest(["gtfs", str(synth["gtfs"]), "--name", "box",
                       "--bbox=" + ",".join(map(str, box)), "--quiet"]) == 0
        with eng.connect() as conn:
            part = read_feed(conn, next(r for r in list_feeds(conn) if r.name == "box"))
        check_regional_part(full, part, (lon >= box[0]) & (lon <= box[2]) & (lat >= box[1])
                            & (lat <= box[3]))
