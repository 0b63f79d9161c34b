"""Gap-analysis fixtures: the batch run once on the real data, and a live server for it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db import get_engine
from app.settings import get_settings
from tests.finder.support import ensure_finder_data, free_port, running_server

REFERENCE_DATE = "2026-11-22"  # representative week: Mon 23 - Sun 29 Nov 2026


@pytest.fixture(scope="session")
def gaps_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CACHE_DIR shared by the batch run and the live server (what-if matrices live there)."""
    return tmp_path_factory.mktemp("gaps-cache")


@pytest.fixture(scope="session")
def gaps_db(loaded_db: str, geodata: Path, gaps_cache: Path) -> Iterator[str]:
    """The session database with timetable, directory and one full gap run (all bands)."""
    from ingest.cli import main

    ensure_finder_data(loaded_db, geodata)
    old = os.environ.get("CACHE_DIR")
    os.environ["CACHE_DIR"] = str(gaps_cache)
    get_settings.cache_clear()
    try:
        assert main(["gaps", "--date", REFERENCE_DATE, "--quiet"]) == 0
        yield loaded_db
    finally:
        if old is None:
            os.environ.pop("CACHE_DIR", None)
        else:
            os.environ["CACHE_DIR"] = old
        get_settings.cache_clear()
        get_engine.cache_clear()


@pytest.fixture(scope="session")
def gaps_site(gaps_db: str, gaps_cache: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The app on a live uvicorn over the gap results, with no reachable basemap."""
    dead = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"
    with running_server(gaps_db, tmp_path_factory.mktemp("gaps-site"), TILE_URL=dead,
                        CACHE_DIR=str(gaps_cache)) as srv:
        yield srv
