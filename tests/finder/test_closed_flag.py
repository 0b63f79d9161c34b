"""A listing a visitor reported closed is marked in the finder's rows until an editor acts."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

URL = "/api/reachable-activities"
BODY = {"origin": {"postcode": "NG18 1AA"}, "date_from": "2026-12-09", "date_to": "2026-12-09"}


def test_a_closed_report_marks_the_listing_in_the_finder(
        finder_api: tuple[httpx.Client, str], finder_db: str) -> None:
    client, _ = finder_api
    rows = client.post(URL, json=BODY).json()["rows"]
    assert rows and all(r["activity"]["reported_closed"] is False for r in rows)
    target = rows[0]["activity"]["id"]
    sent = client.post("/api/reports", json={"service_id": target, "kind": "closed",
                                             "message": "The hall says it stopped."})
    assert sent.status_code == 202, sent.text
    try:
        after = client.post(URL, json=BODY).json()["rows"]
        flagged = {r["activity"]["id"] for r in after if r["activity"]["reported_closed"]}
        assert flagged == {target}
    finally:
        # Leave the shared finder database as it was for the other tests.
        engine = sa.create_engine(finder_db.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM listing_flag WHERE service_id = :id"),
                         {"id": target})
        engine.dispose()
    cleared = client.post(URL, json=BODY).json()["rows"]
    assert not any(r["activity"]["reported_closed"] for r in cleared)
