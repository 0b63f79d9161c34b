"""`make run` leaves the planner ready: bootstrap runs the gap batch once, then skips it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from tests.ingest.helpers import run_cli
from tests.sample.conftest import bootstrap_env


def _gap_counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        runs = conn.execute(text("SELECT count(*) FROM gap_run")).scalar_one()
        results = conn.execute(text("SELECT count(*) FROM gap_result")).scalar_one()
    return int(runs), int(results)


def test_bootstrap_computes_gaps_once(fresh_db: Engine, tmp_path: Path) -> None:
    env = bootstrap_env(tmp_path)
    first = run_cli(fresh_db, "bootstrap", "--quiet", env=env)
    assert first.returncode == 0, first.stderr
    runs, results = _gap_counts(fresh_db)
    assert runs == 1 and results > 0
    with fresh_db.connect() as conn:
        bands = set(conn.execute(text("SELECT DISTINCT band FROM gap_band")).scalars())
    assert bands == {"weekday_day", "weekday_evening", "weekend"}

    again = run_cli(fresh_db, "bootstrap", "--quiet", env=env)
    assert again.returncode == 0, again.stderr
    assert _gap_counts(fresh_db) == (runs, results)
