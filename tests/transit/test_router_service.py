"""get_router: compiled timetables cached on disk and in memory, keyed by feed versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

import app.services.transit.router as svc
from app.errors import DataNotLoaded, OutOfCoverage
from app.routing.raptor import Router
from app.services.transit.router import (
    clear_memory_cache,
    get_router,
    get_transit_router,
    router_factory,
)
from ingest.transit.gtfs_load import load_gtfs
from tests.transit.gtfs_fixture import write_tiny_feed

DAY = dt.date(2026, 3, 4)


def _npz(cache: Path) -> list[Path]:
    return sorted((cache / "timetables").glob("*.npz"))


def test_router_is_cached_in_memory_and_on_disk(fresh_db: Engine, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    load_gtfs(fresh_db, write_tiny_feed(tmp_path / "v1"), cache, name="tiny", quiet=True)
    clear_memory_cache()
    with fresh_db.connect() as conn:
        first = get_transit_router(conn, DAY, cache_dir=cache)
        assert get_transit_router(conn, DAY, cache_dir=cache) is first  # memory hit
        assert len(_npz(cache)) == 1
        # A fresh process (memory cleared) reads the disk cache instead of compiling.
        clear_memory_cache()

        def no_compile(*_a: object, **_k: object) -> None:
            raise AssertionError("compiled again despite the disk cache")

        monkeypatch.setattr(svc, "compile_timetable", no_compile)
        again = get_transit_router(conn, DAY, cache_dir=cache)
        assert again is not first and again.timetable.n_trips == first.timetable.n_trips
        monkeypatch.undo()
    # A newer version of the feed is a new key: compiled afresh, old file left alone.
    load_gtfs(fresh_db, write_tiny_feed(tmp_path / "v2", version="v2", frequencies=True),
              cache, name="tiny", quiet=True)
    with fresh_db.connect() as conn:
        newer = get_transit_router(conn, DAY, cache_dir=cache)
    assert newer.feeds[0].version == "v2"
    assert newer.timetable.n_trips == 4  # TR1 expanded into three, plus TR2
    assert len(_npz(cache)) == 2


def test_router_answers_queries(fresh_db: Engine, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_gtfs(fresh_db, write_tiny_feed(tmp_path / "f"), cache, name="tiny", quiet=True)
    clear_memory_cache()
    with fresh_db.connect() as conn:
        router = get_router(conn, DAY, cache_dir=cache)
        by_date = router_factory(conn, cache_dir=cache)(DAY)
    assert isinstance(router, Router) and by_date is router
    res = router.earliest_arrival(53.0, -1.2000, 7 * 3600 + 55 * 60)
    assert res.stop_times()[router.tt.stop_index("T3")] == 8 * 3600 + 10 * 60


def test_dates_outside_validity_and_empty_database(fresh_db: Engine, tmp_path: Path) -> None:
    clear_memory_cache()
    with fresh_db.connect() as conn, pytest.raises(DataNotLoaded):
        get_router(conn, DAY, cache_dir=tmp_path)
    load_gtfs(fresh_db, write_tiny_feed(tmp_path / "f"), tmp_path, name="tiny", quiet=True)
    with fresh_db.connect() as conn, pytest.raises(OutOfCoverage) as err:
        get_router(conn, dt.date(2027, 1, 1), cache_dir=tmp_path)
    assert err.value.field == "date"
    assert "2026-01-01 to 2026-12-31" in err.value.message
