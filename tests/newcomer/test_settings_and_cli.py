"""The scripts and the CLI read one settings source and fail in one line, not a traceback."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from app.settings import PROJECT_ROOT, Settings
from app.settings_shell import shell_assignments
from tests.dbutil import drop_database, url_for
from tests.ingest.helpers import assert_one_line_refusal
from tests.server import free_port


def parse(assignments: str) -> dict[str, str]:
    """What bash's `eval` of the assignments would set."""
    out = {}
    for line in assignments.splitlines():
        name, _, value = line.partition("=")
        out[name] = shlex.split(value)[0] if value else ""
    return out


def env_file(tmp_path: Path, text_: str) -> Path:
    path = tmp_path / ".env"
    path.write_text(text_)
    return path


def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "PORT", "HOST", "PGPORT", "PGDATA_DIR", "CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_dotenv_reaches_the_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env(monkeypatch)
    path = env_file(tmp_path, "PORT=8101\nHOST=127.0.0.2\nPGPORT=54400\n"
                              "PGDATA_DIR=/srv/wr data\n")
    values = parse(shell_assignments(Settings(_env_file=path)))  # type: ignore[call-arg]
    assert values["PORT"] == "8101" and values["HOST"] == "127.0.0.2"
    assert values["PGDATA_DIR"] == "/srv/wr data"
    # No DATABASE_URL: the private cluster, on the port .env gave it.
    assert values["PRIVATE_CLUSTER"] == "1"
    assert values["DATABASE_URL"] == "postgresql+psycopg://withinreach@127.0.0.1:54400/withinreach"
    assert "SECRET" not in shell_assignments(Settings(_env_file=path))  # type: ignore[call-arg]


def test_database_url_in_dotenv_means_no_private_cluster(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env(monkeypatch)
    path = env_file(tmp_path, "DATABASE_URL=postgresql://me:pw@db.example:5433/wr\n")
    values = parse(shell_assignments(Settings(_env_file=path)))  # type: ignore[call-arg]
    assert values["PRIVATE_CLUSTER"] == "0"
    assert values["DATABASE_URL"] == "postgresql://me:pw@db.example:5433/wr"
    # The environment wins over .env, as everywhere else in the app.
    monkeypatch.setenv("PORT", "8202")
    assert parse(shell_assignments(Settings(_env_file=path)))["PORT"] == "8202"  # type: ignore[call-arg]


def test_settings_shell_runs_as_a_module() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"PORT": "8303"}
    out = subprocess.run([sys.executable, "-m", "app.settings_shell"], cwd=PROJECT_ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert parse(out)["PORT"] == "8303"


def test_private_cluster_role_matches_the_default_url(admin_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite's cluster comes from scripts/pg.sh, like the one `make run` starts.
    url = make_url(admin_url)
    clean_env(monkeypatch)
    monkeypatch.setenv("PGPORT", str(url.port))
    default = make_url(Settings(_env_file=None).database_url)  # type: ignore[call-arg]
    assert (default.username, default.host, default.port) == (url.username, url.host, url.port)
    assert default.database == "withinreach"


def cli(*args: str, database_url: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PGPORT")}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "ingest", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_unreachable_database_is_one_line() -> None:
    result = cli("bootstrap", database_url=f"postgresql://withinreach@127.0.0.1:{free_port()}/x")
    assert_one_line_refusal(result, "cannot use the database", "refused", "DATABASE_URL")


def test_cli_missing_role_is_one_line(admin_url: str) -> None:
    url = make_url(admin_url).set(username="nobody_here").render_as_string(hide_password=False)
    assert_one_line_refusal(cli("bootstrap", database_url=url), "nobody_here", "does not exist")


def test_cli_on_an_unmigrated_database_is_one_line(admin_url: str) -> None:
    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text('CREATE DATABASE "wr_nc_empty"'))
    eng.dispose()
    url = url_for(admin_url, "wr_nc_empty")
    try:
        assert_one_line_refusal(cli("gaps", database_url=url), "not set up", "make run")
    finally:
        drop_database(admin_url, url)


def test_realdata_tests_refuse_to_vanish_without_data() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GEODATA_DIR", "ALLOW_NO_DATA")}
    target = "tests/api/test_areas_api.py"  # real-data tests only
    args = [sys.executable, "-m", "pytest", target, "-q", "-p", "no:cacheprovider"]
    refused = subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                             check=False)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "real-data tests in this selection cannot run" in refused.stdout + refused.stderr
    allowed = subprocess.run(args, cwd=PROJECT_ROOT, env={**env, "ALLOW_NO_DATA": "1"},
                             capture_output=True, text=True, check=False)
    assert allowed.returncode == 5, allowed.stdout  # pytest: every test deselected, none ran
    assert "real-data tests: NONE will run" in allowed.stdout, allowed.stdout
    assert re.search(r"; [1-9]\d* NOT run \(no data, ALLOW_NO_DATA=1\)", allowed.stdout)


def test_cli_prompt_on_closed_stdin_is_one_line(db_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": db_url}
    args = [sys.executable, "-m", "ingest", "create-user", "--username", "x", "--role", "viewer"]
    result = subprocess.run(args, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60, check=False)
    assert_one_line_refusal(result, "no password was given", "standard input")
