"""`ingest all` loads the directory, and a real uvicorn serves it without logging locations."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.realdata


def test_ingest_all_loads_the_directory(loaded_db: str) -> None:
    engine = create_engine(loaded_db, future=True)
    with engine.connect() as conn:
        got = conn.execute(text(
            "SELECT (SELECT count(*) FROM service), (SELECT count(*) FROM organization),"
            " (SELECT count(DISTINCT location_id) FROM service_at_location),"
            " (SELECT count(*) FROM location WHERE geom IS NULL),"
            " (SELECT count(*) FROM dataset_version WHERE dataset LIKE 'activities-%')")).one()
    engine.dispose()
    assert tuple(got[:4]) == (162, 56, 79, 0) and got[4] >= 2


def test_live_search_is_public_and_not_logged(api: httpx.Client,
                                              live_server: dict[str, str]) -> None:
    r = api.get("/api/activities", params={"near": "NG18 1AA", "radius_m": 3000,
                                           "q": "lunch club"},
                headers={"Origin": "https://example.org"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert api.get("/api/activities", params={"near": "53.1436,-1.1948"}).status_code == 200
    assert api.get("/api/oruk/services", params={"postcode": "NG18 1AA"}).status_code == 200
    log = Path(live_server["log"]).read_text()
    assert "/api/activities" in log  # the request was logged...
    for secret in ("NG18", "ng18", "1AA", "53.1436", "lunch"):
        assert secret not in log  # ...but not where the client is or what they looked for
