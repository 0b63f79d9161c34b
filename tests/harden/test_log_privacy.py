"""No postcode or client coordinate reaches the server log, even inside database errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from app.privacy import RedactingFilter, install_log_redaction
from tests.server import running_server

SECRETS = ("NG18 1AA", "NG181AA", "ng18 1aa", "NG18", "53.14361", "-1.19479", "1.19479")


@pytest.fixture
def broken_server(fresh_db: Engine, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A server whose postcode and venue tables vanish after start: every lookup errors."""
    url = fresh_db.url.render_as_string(hide_password=False)
    with running_server(url, tmp_path, WEB_CONCURRENCY="1") as srv:
        with fresh_db.begin() as conn:
            conn.execute(text("ALTER TABLE postcode RENAME TO postcode_gone"))
            conn.execute(text("ALTER TABLE location RENAME TO location_gone"))
            conn.execute(text("ALTER TABLE service RENAME TO service_gone"))
        yield srv


def test_database_errors_do_not_log_places(broken_server: dict[str, str]) -> None:
    with httpx.Client(base_url=broken_server["url"], timeout=60) as c:
        responses = [
            c.get("/api/activities", params={"near": "NG18 1AA", "radius_m": 800}),
            c.get("/api/activities", params={"near": "53.14361,-1.19479", "radius_m": 800}),
            c.get("/api/activities", params={"q": "lunch club near NG18 1AA"}),
            c.get("/api/postcodes/NG18 1AA"),
            c.get("/api/stops", params={"near": "53.14361,-1.19479", "radius_m": 500}),
            c.post("/api/reachable-activities",
                   json={"origin": "NG18 1AA", "days": ["2026-12-07"]}),
            c.post("/api/reachable-activities",
                   json={"origin": {"lat": 53.14361, "lon": -1.19479},
                         "days": ["2026-12-07"]}),
        ]
        # Still answering on the same connection pool, in JSON.
        assert c.get("/api/health").headers["content-type"].startswith("application/json")
    for r in responses:
        assert r.status_code < 600 and r.headers["content-type"].startswith("application/json")
        for secret in SECRETS:
            assert secret not in r.text
    log = Path(broken_server["log"]).read_text()
    assert any(r.status_code >= 500 for r in responses), [r.status_code for r in responses]
    assert "error" in log.lower()  # the errors were logged...
    for secret in SECRETS:
        assert secret not in log, secret  # ...without the client's place


def test_filter_redacts_exception_text_and_args() -> None:
    install_log_redaction()
    try:
        raise ValueError("no row for NG18 1AA at 53.14361,-1.19479\n"
                         "[parameters: {'p': 'NG181AA'}]")
    except ValueError:
        record = logging.getLogger("app.test").makeRecord(
            "app.test", logging.ERROR, __file__, 1, "failed for %s at %r",
            ("NG18 1AA", (53.14361, -1.19479)), exc_info=__import__("sys").exc_info())
    RedactingFilter().filter(record)
    text_out = logging.Formatter().format(record)
    for secret in SECRETS:
        assert secret not in text_out, secret
    assert "ValueError" in text_out
