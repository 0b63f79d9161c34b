"""The finder's example postcode comes from what is loaded: a Fictionbury one in the sample."""

from __future__ import annotations

import httpx

from ingest.sample import sample_postcodes

TUESDAY = "2027-03-02"  # inside the sample feed's calendar


def test_example_postcode_is_a_sample_one_the_finder_accepts(sample_server: httpx.Client
                                                             ) -> None:
    example = sample_server.get("/api/config").json()["example_postcode"]
    assert example["postcode"] in {p.pcds for p in sample_postcodes()}
    assert example["postcode"].startswith(example["outward"] + " ")
    res = sample_server.post("/api/reachable-activities", json={
        "origin": {"postcode": example["postcode"]}, "dates": [TUESDAY]})
    assert res.status_code == 200, res.text
    # Messages name the sample's datasets as loaded, never the Notts defaults.
    away = sample_server.post("/api/reachable-activities", json={
        "origin": {"postcode": "NG18 1AA"}, "dates": [TUESDAY]})
    assert away.status_code == 422 and "outside the loaded region" in away.json()["message"]
    assert "2014" not in away.text
