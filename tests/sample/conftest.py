"""Fixtures for the sample-region tests: a database bootstrapped as `make run` does, served live."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine

from ingest.sample import SamplePostcode, sample_region
from tests.dbutil import copy_database, drop_database
from tests.ingest.helpers import run_cli, url_of
from tests.server import running_server


def bootstrap_env(tmp: Path) -> dict[str, str]:
    """Environment for `ingest bootstrap`: an empty GEODATA_DIR and a private cache."""
    empty = tmp / "geodata"
    empty.mkdir(exist_ok=True)
    (tmp / "cache").mkdir(exist_ok=True)
    return {"GEODATA_DIR": str(empty), "CACHE_DIR": str(tmp / "cache")}


def postcode_near_stop(line_id: str, index: int) -> SamplePostcode:
    """The sample postcode nearest to a stop of a sample line (direction 0, 0-based index)."""
    r = sample_region()
    line = next(line for line in r.lines if line.line_id == line_id)
    stop = next(s for s in r.stops if s.atco_code == line.stops[0][index])
    scale = math.cos(math.radians(stop.lat))
    return min(r.postcodes,
               key=lambda p: ((p.lon - stop.lon) * scale) ** 2 + (p.lat - stop.lat) ** 2)


@pytest.fixture(scope="module")
def booted_db(admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Engine]:
    """A migrated database after `python -m ingest bootstrap` with no data (the sample)."""
    url = copy_database(admin_url, template_db, prefix="wr_xfboot")
    eng = create_engine(url, future=True)
    result = run_cli(eng, "bootstrap", "--quiet",
                     env=bootstrap_env(tmp_path_factory.mktemp("boot")))
    assert result.returncode == 0, result.stderr
    yield eng
    eng.dispose()
    drop_database(admin_url, url)


@pytest.fixture(scope="module")
def sample_server(booted_db: Engine, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[httpx.Client]:
    """A real uvicorn process serving the bootstrapped sample database."""
    with running_server(url_of(booted_db), tmp_path_factory.mktemp("xf-server")) as srv, \
            httpx.Client(base_url=srv["url"], timeout=120) as client:
        yield client
