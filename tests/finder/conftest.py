"""Fixtures for the finder API tests: the real Mid-Notts data with timetable and directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests.finder.support import ensure_finder_data, running_server


@pytest.fixture(scope="session")
def finder_db(loaded_db: str, geodata: Path) -> str:
    """The session database with areas, the synthetic GTFS and the sample directory."""
    ensure_finder_data(loaded_db, geodata)
    return loaded_db


@pytest.fixture(scope="session")
def finder_api(finder_db: str, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[httpx.Client, str]]:
    """An HTTP client on a live server over the finder data, and the server log path."""
    with running_server(finder_db, tmp_path_factory.mktemp("finder-api"), TILE_URL="") as srv, \
            httpx.Client(base_url=srv["url"], timeout=120) as client:
        yield client, srv["log"]


@pytest.fixture(scope="module")
def db(finder_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """An ORM session on the finder data (the engine's caches under a temporary folder)."""
    from app.services.transit.router import clear_memory_cache
    from app.settings import get_settings

    os.environ["CACHE_DIR"] = str(tmp_path_factory.mktemp("finder-cache"))
    get_settings.cache_clear()
    clear_memory_cache()
    eng = create_engine(finder_db)
    with Session(eng) as s:
        yield s
    eng.dispose()
    os.environ.pop("CACHE_DIR", None)
    get_settings.cache_clear()
