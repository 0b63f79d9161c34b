"""Directory fixtures: databases with the directory loaded, and in-process API clients on them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from app.db import get_session
from app.main import create_app
from ingest.directory.load import load_source
from ingest.registry import load_file
from tests.dbutil import copy_database, drop_database

POSTCODE_HEADER = ("postcode,pcds,positional_quality,easting,northing,country_code,"
                   "nhs_regional_ha_code,nhs_ha_code,admin_county_code,admin_district_code,"
                   "admin_ward_code,lat,lon,lsoa11cd_derived,lsoa21cd_derived,wd24cd_derived")
# Three real Code-Point Open 2014 rows (Sutton-in-Ashfield, Mansfield, Newark), to geocode.
POSTCODE_ROWS = (
    "NG171FU,NG17 1FU,10,448644,358536,E92000001,E19000001,E18000004,E10000"
    "024,E07000170,E05006371,53.121786,-1.274587,E01027969,E01027969,E05010688",
    "NG181AA,NG18 1AA,10,453957,361021,E92000001,E19000001,E18000004,E10000"
    "024,E07000174,E05008884,53.143612,-1.194788,E01028268,E01028268,E05014614",
    "NG241AB,NG24 1AB,10,479844,354010,E92000001,E19000001,E18000004,E10000"
    "024,E07000175,E05006470,53.077359,-0.80959,E01028310,E01028310,E05011554",
)


def client_on(engine: Engine) -> TestClient:
    """An in-process API client whose requests use `engine`'s database."""
    app = create_app()
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def session() -> Iterator[Session]:
        with factory() as s:
            yield s

    app.dependency_overrides[get_session] = session
    return TestClient(app)


@pytest.fixture
def tiny_postcodes(fresh_db: Engine, tmp_path: Path) -> Engine:
    """A fresh database holding three postcodes (loaded by the area team's postcode loader)."""
    path = tmp_path / "postcodes.csv"
    path.write_text(POSTCODE_HEADER + "\n" + "\n".join(POSTCODE_ROWS) + "\n", encoding="utf-8")
    load_file(fresh_db, "postcodes", path, quiet=True)
    return fresh_db


@pytest.fixture(scope="session")
def real_dir(admin_url: str, template_db: str, geodata: Path) -> Iterator[Engine]:
    """Its own database with real postcodes, the libraries and the illustrative ORUK file."""
    url = copy_database(admin_url, template_db, prefix="wr_dir")
    engine = create_engine(url, future=True)
    load_file(engine, "postcodes", geodata / "postcodes" / "codepoint_open_2014_ng_and_notts.csv",
              quiet=True)
    assets = geodata / "community_assets"
    load_source(engine, str(assets / "libraries_notts_taskforce_2016.csv"), quiet=True)
    load_source(engine, str(assets / "oruk_sample_midnotts.json"), quiet=True)
    yield engine
    engine.dispose()
    drop_database(admin_url, url)


@pytest.fixture(scope="session")
def real_api(real_dir: Engine) -> Iterator[TestClient]:
    """API client on the real-data directory database (read-only tests)."""
    with client_on(real_dir) as client:
        yield client
