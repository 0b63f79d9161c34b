"""Shared fixtures: a real throwaway PostGIS, the real open data, and a live uvicorn server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine

from app.db import get_engine
from app.settings import PROJECT_ROOT, get_settings
from tests.dbutil import copy_database, create_migrated_template, drop_database
from tests.server import running_server

ARTIFACTS = PROJECT_ROOT / "test-artifacts"

# One headless Chromium for every page test (browser, page, artifacts fixtures); honest counts
# of the real-data tests (and a refusal to run them without data unless ALLOW_NO_DATA=1).
pytest_plugins = ["tests.fixtures_browser", "tests.realdata_count"]


@pytest.fixture(scope="session")
def admin_url() -> str:
    """Superuser URL of the throwaway cluster started by `make test`."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.exit("TEST_DATABASE_URL is not set: run the suite with `make test`", returncode=2)
    return url


@pytest.fixture(scope="session")
def template_db(admin_url: str) -> Iterator[str]:
    """A migrated, empty database that other test databases are copied from."""
    name = create_migrated_template(admin_url)
    yield name
    from tests.dbutil import url_for

    drop_database(admin_url, url_for(admin_url, name))


@pytest.fixture(scope="session")
def db_url(admin_url: str, template_db: str) -> Iterator[str]:
    """The session's main database; the app and ingest CLI are pointed at it."""
    url = copy_database(admin_url, template_db)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield url
    get_engine.cache_clear()
    drop_database(admin_url, url)


@pytest.fixture(scope="session")
def engine(db_url: str) -> Engine:
    """Engine on the session database."""
    return get_engine(db_url)


@pytest.fixture
def fresh_db(admin_url: str, template_db: str) -> Iterator[Engine]:
    """A brand-new migrated empty database for one test (e.g. to check a rollback)."""
    url = copy_database(admin_url, template_db, prefix="wr_fresh")
    eng = create_engine(url, future=True)
    yield eng
    eng.dispose()
    drop_database(admin_url, url)


@pytest.fixture(scope="session")
def geodata() -> Path:
    """The folder of real open data (GEODATA_DIR); missing data is a failure, not a skip."""
    raw = os.environ.get("GEODATA_DIR")
    if not raw:
        pytest.fail("GEODATA_DIR is not set")
    path = Path(raw)
    if not (path / "SOURCES.md").exists() and not any(path.iterdir()):
        pytest.fail(f"GEODATA_DIR={path} holds no data")
    return path


@pytest.fixture(scope="session")
def loaded_db(db_url: str, geodata: Path) -> str:
    """The session database with every real dataset in GEODATA_DIR loaded (once)."""
    from ingest.cli import main

    assert main(["all", str(geodata), "--quiet"]) == 0
    return db_url


@pytest.fixture(scope="session")
def live_server(loaded_db: str, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[dict[str, str]]:
    """A real uvicorn process serving the app on the loaded database; logs go to a file."""
    with running_server(loaded_db, tmp_path_factory.mktemp("server")) as srv:
        yield srv


@pytest.fixture(scope="session")
def api(live_server: dict[str, str]) -> Iterator[httpx.Client]:
    """An HTTP client for the live server."""
    with httpx.Client(base_url=live_server["url"], timeout=60) as client:
        yield client
