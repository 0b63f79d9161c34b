"""GTFS into PostGIS: real feeds, side-by-side feeds, replacement, refusal, NaPTAN match."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from app.routing.gtfs_reader import read_gtfs
from app.services.transit.feeds import list_feeds, read_feed
from ingest.report import LoadRefused
from ingest.transit.gtfs_load import load_gtfs
from tests.transit.conftest import load_naptan, sorted_frame, table_counts
from tests.transit.gtfs_fixture import write_tiny_feed

KEYS = {"stops": ["stop_id"], "routes": ["route_id"], "trips": ["trip_id"],
        "stop_times": ["trip_id", "stop_sequence"], "calendar": ["service_id"],
        "calendar_dates": ["service_id", "date"]}


def _midnotts(geodata: Path) -> Path:
    return geodata / "transport" / "midnotts_synthetic_gtfs.zip"


def _poa(geodata: Path) -> Path:
    return geodata / "poa" / "poa_eptc.zip"


@pytest.mark.realdata
def test_both_real_feeds_load_side_by_side(fresh_db: Engine, geodata: Path,
                                           cache_dir: Path) -> None:
    mid = load_gtfs(fresh_db, _midnotts(geodata), cache_dir, name="midnotts", quiet=True)
    poa = load_gtfs(fresh_db, _poa(geodata), cache_dir, quiet=True)
    assert mid.counts["stops"] == 990
    assert mid.counts["routes"] == 34
    assert mid.counts["trips"] == 3711
    assert mid.counts["stop_times"] == 74574
    assert poa.counts["stops"] == 3986
    assert poa.counts["stop_times"] == 130019
    with fresh_db.connect() as conn:
        per_feed: dict[str, int] = dict(conn.execute(text(
            "SELECT f.name, count(*) FROM gtfs_stop_time st JOIN gtfs_feed f ON f.id = st.feed_id"
            " GROUP BY f.name")).all())
        feeds = {r.name: r for r in list_feeds(conn)}
        geoms = conn.execute(text("SELECT count(*) FROM gtfs_stop WHERE geom IS NOT NULL"
                                  " AND ST_SRID(geom) = 4326")).scalar_one()
        provenance = conn.execute(text(
            "SELECT count(*) FROM dataset_version WHERE dataset LIKE 'gtfs:%'")).scalar_one()
    assert per_feed == {"midnotts": 74574, "poa_eptc": 130019}
    assert feeds["midnotts"].version == "midnotts-synthetic-1.0-seed20260101"
    assert (feeds["midnotts"].valid_from, feeds["midnotts"].valid_to) == (
        dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    assert geoms == 990 + 3986
    assert provenance == 2
    assert mid.report_path.exists() and "LOADED" in mid.report_path.read_text()


@pytest.mark.realdata
def test_database_round_trip_equals_reader(fresh_db: Engine, geodata: Path,
                                           cache_dir: Path) -> None:
    for path, name in ((_midnotts(geodata), "midnotts"), (_poa(geodata), "poa")):
        load_gtfs(fresh_db, path, cache_dir, name=name, quiet=True)
        expected, _ = read_gtfs(path, name=name)
        with fresh_db.connect() as conn:
            row = next(r for r in list_feeds(conn) if r.name == name)
            got = read_feed(conn, row)
        assert (got.name, got.version) == (expected.name, expected.version)
        assert got.validity() == expected.validity()
        for table, keys in KEYS.items():
            pd.testing.assert_frame_equal(sorted_frame(getattr(got, table), keys),
                                          sorted_frame(getattr(expected, table), keys))


@pytest.mark.realdata
def test_synthetic_stops_match_naptan(fresh_db: Engine, geodata: Path, cache_dir: Path) -> None:
    load_naptan(fresh_db, geodata)
    res = load_gtfs(fresh_db, _midnotts(geodata), cache_dir, name="midnotts", quiet=True)
    # Every stop of the synthetic feed is an active NaPTAN stop whose stop_id is its ATCO code.
    assert res.counts["naptan_matched"] == 990
    with fresh_db.connect() as conn:
        same = conn.execute(text(
            "SELECT count(*) FROM gtfs_stop s JOIN bus_stop b ON b.atco_code = s.naptan_atco"
            " WHERE ST_DWithin(s.geom::geography, b.geom::geography, 1)")).scalar_one()
    assert same == 990


def test_reload_with_same_name_replaces_older_version(fresh_db: Engine, tmp_path: Path,
                                                      cache_dir: Path) -> None:
    load_gtfs(fresh_db, write_tiny_feed(tmp_path / "v1", version="v1"), cache_dir, name="tiny",
              quiet=True)
    load_gtfs(fresh_db, write_tiny_feed(tmp_path / "other"), cache_dir, name="other", quiet=True)
    before = table_counts(fresh_db)
    load_gtfs(fresh_db, write_tiny_feed(tmp_path / "v2", version="v2", frequencies=True),
              cache_dir, name="tiny", quiet=True)
    with fresh_db.connect() as conn:
        feeds = {r.name: r.version for r in list_feeds(conn)}
        tiny_trips = conn.execute(text(
            "SELECT count(*) FROM gtfs_trip t JOIN gtfs_feed f ON f.id = t.feed_id"
            " WHERE f.name = 'tiny'")).scalar_one()
        freq = conn.execute(text("SELECT trip_id, start_s, end_s, headway_s FROM gtfs_frequency"
                                 )).all()
    assert feeds == {"tiny": "v2", "other": "v1"}
    assert before["gtfs_feed"] == 2
    # v2 expands TR1 into 3 trips (07:00, 07:20, 07:40) next to TR2.
    assert tiny_trips == 4
    assert [tuple(r) for r in freq] == [("TR1", 7 * 3600, 8 * 3600, 1200)]


def test_blank_times_are_interpolated_and_stored(fresh_db: Engine, tmp_path: Path,
                                                 cache_dir: Path) -> None:
    load_gtfs(fresh_db, write_tiny_feed(tmp_path / "f"), cache_dir, name="tiny", quiet=True)
    with fresh_db.connect() as conn:
        row = conn.execute(text("SELECT arrival_s, interpolated FROM gtfs_stop_time"
                                " WHERE trip_id = 'TR2' AND stop_id = 'T2'")).one()
    assert row.interpolated is True
    assert row.arrival_s == 9 * 3600 + 300  # half way in distance between 09:00 and 09:10


def test_broken_feed_is_refused_and_database_unchanged(fresh_db: Engine, tmp_path: Path,
                                                       cache_dir: Path) -> None:
    load_gtfs(fresh_db, write_tiny_feed(tmp_path / "good"), cache_dir, name="tiny", quiet=True)
    before = table_counts(fresh_db)
    with pytest.raises(LoadRefused) as err:
        load_gtfs(fresh_db, write_tiny_feed(tmp_path / "bad", version="v2", bad_stop_time=True),
                  cache_dir, name="tiny", quiet=True)
    assert "NOPE" in err.value.message and "stop_times.txt" in err.value.message
    assert table_counts(fresh_db) == before
    report = cache_dir / "reports" / "tiny-refused.txt"
    assert "REFUSED" in report.read_text() and "NOPE" in report.read_text()


def test_warnings_load_and_are_reported(fresh_db: Engine, tmp_path: Path,
                                        cache_dir: Path) -> None:
    res = load_gtfs(fresh_db, write_tiny_feed(tmp_path / "w", extra_stop=True), cache_dir,
                    name="tiny", quiet=True)
    assert res.counts["stops"] == 4
    assert any("T9" in str(w) for w in res.report.warnings)
    assert "T9" in res.report_path.read_text()
    with fresh_db.connect() as conn:
        stored = conn.execute(text("SELECT report FROM gtfs_feed")).scalar_one()
    assert stored["warnings"] >= 1 and stored["errors"] == 0


@pytest.mark.parametrize("breakage", ["no_stop_times", "corrupt_zip", "bad_time"])
def test_other_broken_feeds_are_refused_with_a_reason(fresh_db: Engine, tmp_path: Path,
                                                      cache_dir: Path, breakage: str) -> None:
    load_gtfs(fresh_db, write_tiny_feed(tmp_path / "good"), cache_dir, name="tiny", quiet=True)
    before = table_counts(fresh_db)
    bad = write_tiny_feed(tmp_path / "bad", version="v2")
    expected = {"no_stop_times": "stop_times.txt", "corrupt_zip": "zip",
                "bad_time": "arrival_time"}[breakage]
    if breakage == "no_stop_times":
        (bad / "stop_times.txt").unlink()
    elif breakage == "corrupt_zip":
        bad = tmp_path / "feed.zip"
        bad.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    else:
        st = bad / "stop_times.txt"
        st.write_text(st.read_text().replace("08:05:00,08:05:00", "8h05,8h05"))
    with pytest.raises(LoadRefused) as err:
        load_gtfs(fresh_db, bad, cache_dir, name="tiny", quiet=True)
    assert expected in err.value.message
    assert table_counts(fresh_db) == before


@pytest.mark.realdata
def test_migration_converts_loaded_stop_times_both_ways(fresh_db: Engine, geodata: Path,
                                                        cache_dir: Path) -> None:
    """0006_gtfsload down to rows and up to blocks again: every stop time survives."""
    from alembic import command
    from alembic.config import Config

    from app.settings import PROJECT_ROOT

    load_gtfs(fresh_db, _midnotts(geodata), cache_dir, name="midnotts", quiet=True)
    feed, _ = read_gtfs(_midnotts(geodata), name="midnotts")
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["url"] = fresh_db.url.render_as_string(hide_password=False)
    cfg.attributes["configure_logger"] = False
    command.downgrade(cfg, "0003")
    with fresh_db.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM gtfs_stop_time")).scalar_one()
        kind = conn.execute(text("SELECT relkind FROM pg_class WHERE relname = 'gtfs_stop_time'")
                            ).scalar_one()
    assert (rows, kind) == (74574, "r")  # a table of rows again
    command.upgrade(cfg, "heads")
    with fresh_db.connect() as conn:
        stored = read_feed(conn, next(r for r in list_feeds(conn) if r.name == "midnotts"))
    keys = KEYS["stop_times"]
    pd.testing.assert_frame_equal(
        sorted_frame(stored.stop_times.astype({"trip_id": str, "stop_id": str}), keys),
        sorted_frame(feed.stop_times.astype({"trip_id": str, "stop_id": str}), keys))
