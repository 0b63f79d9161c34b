"""PostgreSQL stopping mid-request ends in a JSON 503 and a live connection, and it recovers."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from app.settings import PROJECT_ROOT
from tests.harden.test_no_500 import Conn, app_error
from tests.server import free_port, running_server

PG = str(PROJECT_ROOT / "scripts" / "pg.sh")
ENV = {**os.environ, "PG_FAST": "1"}


@pytest.fixture
def own_cluster() -> Iterator[tuple[str, Path, int]]:
    """A private PostGIS cluster this test may stop and start (URL, data dir, port)."""
    # Not under pytest's tmp dir: the postgres user must be able to reach the folder.
    base = Path(tempfile.mkdtemp(prefix="withinreach-outage-"))
    base.chmod(0o755)
    data, port = base / "data", free_port()
    url = subprocess.run([PG, "start", str(data), str(port), "outage"], check=True,
                         capture_output=True, text=True, env=ENV).stdout.strip()
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "heads")
    yield url, data, port
    subprocess.run([PG, "stop", str(data)], check=False, capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


def test_database_stopping_mid_request(own_cluster: tuple[str, Path, int],
                                       tmp_path: Path) -> None:
    url, data, port = own_cluster
    with running_server(url, tmp_path, WEB_CONCURRENCY="1") as srv:
        conn = Conn(srv["url"])
        assert conn.call("GET", "/api/activities")[0] == 200
        # Hold a lock so the next search waits inside PostgreSQL, then stop the server.
        blocker = create_engine(url, future=True).connect()
        blocker.execute(text("BEGIN; LOCK TABLE service IN ACCESS EXCLUSIVE MODE"))
        answer: dict[str, object] = {}

        def search() -> None:
            answer["r"] = conn.call("GET", "/api/activities?q=lunch")

        t = threading.Thread(target=search)
        t.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            # pg_stat_activity is read once per transaction and the blocker's stays open, so
            # without clearing, a first look taken before the search arrived repeats for ever.
            blocker.execute(text("SELECT pg_stat_clear_snapshot()"))
            waiting = blocker.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")).scalar()
            if waiting:
                break
            time.sleep(0.1)
        assert waiting, "the search never reached PostgreSQL"
        # Immediate, not fast: a fast stop ends the lock holder first and the waiting search
        # could be granted its lock and answer from the empty tables before its own end came.
        subprocess.run([PG, "stop", str(data)], check=True, capture_output=True,
                       env={**ENV, "PG_STOP_MODE": "immediate"})
        t.join(60)
        status, headers, body = answer["r"]  # type: ignore[misc]
        assert status == 503, body
        assert app_error(status, headers, body)["error"] == "database_unavailable"
        assert "retry-after" in headers
        # The same keep-alive connection gets a JSON answer while the database is down...
        status, headers, body = conn.call("GET", "/api/activities")
        assert status == 503 and app_error(status, headers, body)
        # ...and normal ones once it is back.
        subprocess.run([PG, "start", str(data), str(port), "outage"], check=True,
                       capture_output=True, env=ENV)
        deadline = time.monotonic() + 30
        while conn.call("GET", "/api/activities")[0] != 200:
            assert time.monotonic() < deadline, "no recovery after the database came back"
            time.sleep(0.5)
        conn.close()
        blocker.invalidate()
