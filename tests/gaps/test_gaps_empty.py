"""Without data or results: the batch and the API say what to load, never a traceback or 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.db import get_engine
from app.settings import get_settings
from ingest.cli import main


@pytest.fixture
def empty_db(fresh_db: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the app and the CLI at a migrated, empty database for one test."""
    url = fresh_db.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield url
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_batch_on_an_empty_database_names_what_to_load(empty_db: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gaps", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "python -m ingest" in err and "Traceback" not in err


def test_bad_batch_arguments(empty_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gaps", "--budget", "1000"]) == 2
    assert "--budget" in capsys.readouterr().err
    assert main(["gaps", "--max-origins", "-1"]) == 2
    assert "--max-origins" in capsys.readouterr().err


def test_api_before_any_run_is_503_with_advice(empty_db: str) -> None:
    from app.main import app

    with TestClient(app) as client:
        r = client.get("/api/gaps")
        assert r.status_code == 503 and "ingest gaps" in r.json()["message"]
        assert client.get("/api/gaps/ward/E05014610").status_code == 503
        r = client.post("/api/gaps/what-if", json={"lat": 53.14, "lon": -1.2, "days": ["thu"],
                                                   "start": "18:00", "end": "20:00",
                                                   "category": "food"})
        assert r.status_code == 503
        r = client.post("/api/gaps/optimise", json={"band": "weekday_evening"})
        assert r.status_code == 503 and "ingest gaps" in r.json()["message"]
        assert client.get("/planner").status_code == 200
        assert client.get("/method").status_code == 200
        assert client.get("/planner/method.md").status_code == 200
