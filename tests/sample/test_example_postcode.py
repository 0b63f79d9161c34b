"""The sample region offers a postcode to try that exists there and gets results."""

from __future__ import annotations

import re

import httpx
import pytest

from app.settings import PROJECT_ROOT


def test_config_offers_a_sample_postcode_that_gets_results(sample_server: httpx.Client) -> None:
    config = sample_server.get("/api/config").json()
    example = config["example_postcode"]["postcode"]
    assert re.fullmatch(r"XF\d [0-9][A-Z]{2}", example), example
    assert sample_server.get(f"/api/postcodes/{example}").status_code == 200
    # The finder's defaults (this week, 09:00-17:00) find sessions there and back.
    res = sample_server.post("/api/reachable-activities", json={"origin": {"postcode": example}})
    assert res.status_code == 200, res.text
    assert res.json()["counts"]["feasible"] > 0
    # The README's quick start suggests the same postcode.
    assert example in (PROJECT_ROOT / "README.md").read_text()


def test_unknown_postcode_names_the_loaded_directory(sample_server: httpx.Client) -> None:
    res = sample_server.get("/api/postcodes/XF9 9ZZ")
    assert res.status_code == 404
    message = res.json()["message"]
    assert "fictional sample region's postcodes" in message and "2014" not in message


@pytest.mark.realdata
def test_real_data_example_postcode_exists(api: httpx.Client) -> None:
    example = api.get("/api/config").json()["example_postcode"]["postcode"]
    body = api.get(f"/api/postcodes/{example}").json()
    assert body["postcode"] == example and body["district"]["code"].startswith("E07")
    missing = api.get("/api/postcodes/NG18 9ZZ").json()["message"]
    assert "Ordnance Survey (Code-Point Open), codepoint_open_2014_ng_and_notts.csv" in missing
