"""The fictional sample directory: the project's CSV template, varied, and labelled fictional."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.directory.csv_template import TEMPLATE_COLUMNS
from app.directory.vocab import CATEGORY_CODES
from ingest.directory.detect import ACTIVITY_CSV, detect_format
from ingest.sample import sample_region
from ingest.sample.activities import (
    ACTIVITIES,
    ID_PREFIX,
    sample_activity_rows,
    write_sample_activities,
)

TODAY = dt.date(2027, 3, 2)


def test_written_in_the_template_format(tmp_path: Path) -> None:
    path = write_sample_activities(tmp_path, today=TODAY)
    assert detect_format(path) == ACTIVITY_CSV
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == list(TEMPLATE_COLUMNS)
    again = write_sample_activities(tmp_path / "again", today=TODAY)
    assert again.read_bytes() == path.read_bytes()


def test_every_listing_says_fictional_and_uses_sample_places() -> None:
    rows = sample_activity_rows(TODAY)
    postcodes = {p.pcds for p in sample_region().postcodes}
    assert 24 <= len({r["service_id"] for r in rows}) == len(ACTIVITIES) <= 30
    for r in rows:
        assert "FICTIONAL" in r["description"] and "(fictional)" in r["service_name"]
        assert "(fictional)" in r["venue_name"] and r["postcode"] in postcodes
        assert r["service_id"].startswith(ID_PREFIX) and r["contact_email"].endswith(
            "@example.org")
        assert r["contact_phone"].startswith("01632 960")  # Ofcom's drama range


def test_variety_the_finder_needs() -> None:
    rows = sample_activity_rows(TODAY)
    categories = {c for r in rows for c in r["categories_all"].split(";")}
    assert categories == set(CATEGORY_CODES)
    young = {r["service_id"] for r in rows if "young-people-16-25" in r["audiences"]}
    assert len(young) >= 2
    assert {r["frequency"] for r in rows} == {"weekly", "fortnightly", "monthly"}
    evening = {r["service_id"] for r in rows if r["start_time"] >= "18:30"}
    assert len(evening) == 2
    assert {r["cost_gbp"] == "0" for r in rows} == {True, False}
    assert {r["step_free"] for r in rows} == {"true", "false"}
    assert any(r["accepts_referrals"] == "true" for r in rows)
    assert len({r["service_id"] for r in rows if r["location_id"]}) == len(ACTIVITIES)
    assert any(len([s for s in rows if s["service_id"] == r["service_id"]]) > 1 for r in rows)


def test_exactly_one_stale_listing_whatever_the_date() -> None:
    for today in (TODAY, dt.date(2029, 12, 31)):
        rows = sample_activity_rows(today)
        old = {r["service_id"] for r in rows
               if (today - dt.date.fromisoformat(r["last_verified"])).days > 365}
        assert len(old) == 1
        assert all(dt.date.fromisoformat(r["last_verified"]) <= today for r in rows)
