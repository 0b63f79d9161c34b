"""The app on the sample region alone (what `make run` serves offline): works, says fictional."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from ingest.sample import sample_region
from tests.ingest.helpers import url_of
from tests.server import running_server


@pytest.fixture(scope="module")
def sample_api(sample_db: Engine, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[httpx.Client]:
    """A real uvicorn process serving the sample-region database."""
    with running_server(url_of(sample_db), tmp_path_factory.mktemp("sample-server")) as srv, \
            httpx.Client(base_url=srv["url"], timeout=30) as client:
        yield client


def test_config_says_fictional(sample_api: httpx.Client) -> None:
    body = sample_api.get("/api/config").json()
    assert body["sample_region"] is True and "Fictional" in body["region_label"]
    assert any("FICTIONAL" in a for a in body["attributions"])


def test_sample_postcode_and_areas(sample_api: httpx.Client) -> None:
    pc = sample_region().postcodes[0]
    body = sample_api.get(f"/api/postcodes/{pc.pcds.replace(' ', '%20')}").json()
    assert body["lsoa21"]["code"] == pc.lsoa_code and "fictional" in body["district"]["name"]
    assert body["imd"]["decile"] in range(1, 11)
    wards = sample_api.get("/api/areas/ward").json()["features"]
    assert len(wards) == 4 and all(f["properties"]["population"] > 0 for f in wards)
    lad = sample_api.get("/api/areas/lad").json()["features"][0]["properties"]
    assert lad["population"] == sum(f["properties"]["population"] for f in wards)
    stops = sample_api.get("/api/stops", params={"near": f"{pc.lat},{pc.lon}",
                                                 "radius_m": 3000}).json()
    assert stops["count"] > 0 and all("(fictional)" in s["name"] for s in stops["stops"])
