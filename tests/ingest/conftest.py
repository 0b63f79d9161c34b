"""Fixtures for the ingest tests: a database holding the fictional sample region."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine

from ingest.sample import load_sample_region
from tests.dbutil import copy_database, drop_database


@pytest.fixture(scope="module")
def sample_db(admin_url: str, template_db: str) -> Iterator[Engine]:
    """A migrated database with the sample region loaded (shared by one test module)."""
    url = copy_database(admin_url, template_db, prefix="wr_sample")
    eng = create_engine(url, future=True)
    load_sample_region(eng, quiet=True)
    yield eng
    eng.dispose()
    drop_database(admin_url, url)
