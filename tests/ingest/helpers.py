"""Helpers for the ingest tests: run the CLI as a user would, and fingerprint the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, text

from app.settings import PROJECT_ROOT

AREA_TABLES = ("lad", "ward", "lsoa21", "lsoa11", "lsoa_lookup", "lsoa11_lsoa21", "deprivation",
               "population", "rural_urban", "postcode", "bus_stop", "dataset_version")


def url_of(engine: Engine) -> str:
    """The engine's URL with its password, for a subprocess."""
    return engine.url.render_as_string(hide_password=False)


def run_cli(engine: Engine, *args: str | Path, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run `python -m ingest ARGS` against the engine's database; capture its output."""
    full_env = {**os.environ, "DATABASE_URL": url_of(engine), **(env or {})}
    return subprocess.run([sys.executable, "-m", "ingest", *map(str, args)], cwd=PROJECT_ROOT,
                          env=full_env, capture_output=True, text=True, timeout=600,
                          check=False)


def fingerprint(engine: Engine, tables: tuple[str, ...] = AREA_TABLES
                ) -> dict[str, tuple[int, str | None]]:
    """Row count and an md5 of every row of each table (default: the area tables)."""
    out = {}
    with engine.connect() as conn:
        for table in tables:
            out[table] = tuple(conn.execute(text(
                f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) "
                f"FROM {table} t")).one())
    return out  # type: ignore[return-value]


def counts(engine: Engine) -> dict[str, int]:
    """Row counts of the area tables."""
    return {t: n for t, (n, _) in fingerprint(engine).items()}


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit code 2, one `error:` line on stderr naming the problem, and no traceback."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle.lower() in lines[0].lower(), lines[0]
    return lines[0]
