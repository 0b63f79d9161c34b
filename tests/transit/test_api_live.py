"""/api/journeys on the real uvicorn server over `ingest all` (GTFS found by its detector)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest


@pytest.mark.realdata
def test_live_journey_from_ng18_names_buses_and_logs_no_postcode(
        api: httpx.Client, live_server: dict[str, str]) -> None:
    r = api.get("/api/journeys", params={"from": "NG18 1AA", "to": "NG17 1AA",
                                         "date": "2026-11-25", "depart_at": "09:00"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["found"] is True
    buses = [leg for leg in body["journey"]["legs"] if leg["mode"] == "bus"]
    assert buses and all(b["route"] and b["board"]["stop"] and b["alight"]["time"]
                         for b in buses)
    log = Path(live_server["log"]).read_text()
    assert "NG18" not in log and "NG17" not in log


@pytest.mark.realdata
def test_live_isochrone_and_out_of_range_date(api: httpx.Client) -> None:
    r = api.get("/api/isochrone", params={"from": "NG18 1AA", "date": "2026-11-25",
                                          "depart_at": "10:00", "minutes": "30"})
    assert r.status_code == 200 and r.json()["polygon"]["geometry"]["type"]
    r = api.get("/api/isochrone", params={"from": "NG18 1AA", "date": "2031-01-01",
                                          "depart_at": "10:00"})
    assert r.status_code == 422 and r.json()["field"] == "date"
    assert "2026-01-01 to 2027-12-31" in r.json()["message"]
