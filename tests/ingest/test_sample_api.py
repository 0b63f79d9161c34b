"""The app on the sample region alone (what `make run` serves offline): works, says fictional."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from app.settings import PROJECT_ROOT
from ingest.sample import sample_region
from tests.ingest.helpers import url_of


@pytest.fixture(scope="module")
def sample_api(sample_db: Engine, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[httpx.Client]:
    """A real uvicorn process serving the sample-region database."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    log_path = tmp_path_factory.mktemp("sample-server") / "server.log"
    env = {**os.environ, "DATABASE_URL": url_of(sample_db), "PORT": str(port),
           "HOST": "127.0.0.1", "CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=PROJECT_ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail("uvicorn exited early:\n" + Path(log_path).read_text())
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("uvicorn did not answer within 60 s")
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client
    finally:
        proc.terminate()
        proc.wait(timeout=10)


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
