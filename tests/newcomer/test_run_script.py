"""scripts/run.sh (`make run`) brings a killed server back; Ctrl-C and `make stop` end it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.settings import PROJECT_ROOT
from tests.dbutil import copy_database, drop_database
from tests.server import free_port


@pytest.fixture(scope="module")
def run_db(admin_url: str, template_db: str) -> Iterator[str]:
    """A migrated empty database: run.sh loads the sample region into it once."""
    url = copy_database(admin_url, template_db, prefix="wr_ncrun")
    yield url
    drop_database(admin_url, url)


def run_env(db: str, tmp: Path) -> dict[str, str]:
    (tmp / "geodata").mkdir(exist_ok=True)
    return {**os.environ, "DATABASE_URL": db, "HOST": "127.0.0.1", "PORT": str(free_port()),
            "CACHE_DIR": str(tmp / "cache"), "GEODATA_DIR": str(tmp / "geodata")}


def start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        # Its own session, like a terminal: Ctrl-C goes to the whole process group.
        return subprocess.Popen(["bash", "scripts/run.sh"], cwd=PROJECT_ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def server_pid(env: dict[str, str], proc: subprocess.Popen[bytes], log: Path,
               not_pid: int | None = None) -> int:
    """Wait until a server (other than not_pid) answers; return its pid."""
    pidfile = Path(env["CACHE_DIR"]) / "server.pid"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            pid = int(pidfile.read_text())
            ok = httpx.get(f"http://127.0.0.1:{env['PORT']}/api/health", timeout=2)
            if pid != not_pid and ok.status_code == 200:
                return pid
        except (OSError, ValueError, httpx.HTTPError):
            pass
        time.sleep(0.3)
    raise AssertionError("the server did not come up:\n" + log.read_text())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_killed_server_restarts_and_ctrl_c_stops(run_db: str, tmp_path: Path) -> None:
    env, log = run_env(run_db, tmp_path), tmp_path / "run.log"
    proc = start(env, log)
    try:
        first = server_pid(env, proc, log)
        os.kill(first, signal.SIGKILL)
        second = server_pid(env, proc, log, not_pid=first)
        assert second != first and "restarting" in log.read_text()
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        assert proc.wait(timeout=30) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert not alive(second)
    assert not (Path(env["CACHE_DIR"]) / "run.pid").exists()
    assert "Traceback" not in log.read_text()


def test_make_stop_stops_the_server(run_db: str, tmp_path: Path) -> None:
    env, log = run_env(run_db, tmp_path), tmp_path / "run.log"
    proc = start(env, log)
    try:
        pid = server_pid(env, proc, log)
        # A second `make run` beside the first is refused, not a port clash.
        again = subprocess.run(["bash", "scripts/run.sh"], cwd=PROJECT_ROOT, env=env,
                               capture_output=True, text=True, timeout=60, check=False)
        assert again.returncode == 1 and "already running" in again.stderr
        stop = subprocess.run(["bash", "scripts/stop.sh"], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=60, check=False)
        assert stop.returncode == 0, stop.stderr
        assert "stopped the server" in stop.stdout
        # DATABASE_URL names someone else's database: make stop leaves it alone.
        assert "not ours to stop" in stop.stdout
        assert proc.wait(timeout=30) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert not alive(pid)


def test_migrations_wait_until_the_database_is_up() -> None:
    # As on a fresh Docker volume: migrate.sh starts before PostgreSQL accepts connections.
    port = free_port()
    home = Path(tempfile.mkdtemp(prefix="wr-nc-migrate-", dir="/tmp"))
    home.chmod(0o755)  # the cluster runs as `postgres` when the suite runs as root
    env = {**os.environ, "DATABASE_URL": f"postgresql+psycopg://withinreach@127.0.0.1:{port}/wr"}
    migrate = subprocess.Popen(["bash", "scripts/migrate.sh", "40"], cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)
        assert migrate.poll() is None, migrate.communicate()
        subprocess.run(["bash", "scripts/pg.sh", "start", str(home / "data"), str(port), "wr"],
                       cwd=PROJECT_ROOT, check=True, capture_output=True)
        _, err = migrate.communicate(timeout=120)
        assert migrate.returncode == 0, err
        assert "database not ready (try 1 of 40)" in err and "Traceback" not in err
        head = subprocess.run(["bash", "scripts/migrate.sh", "1"], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, check=False)
        assert head.returncode == 0, head.stderr  # idempotent
    finally:
        if migrate.poll() is None:
            migrate.kill()
        subprocess.run(["bash", "scripts/pg.sh", "stop", str(home / "data")], cwd=PROJECT_ROOT,
                       check=False)
        shutil.rmtree(home, ignore_errors=True)


def test_make_ingest_runs_the_cli_from_where_it_was_typed(run_db: str, tmp_path: Path) -> None:
    # scripts/ingest.sh (`make ingest`) migrates, then runs within-reach with paths relative to
    # the caller's folder, not the project's.
    env = {**os.environ, "DATABASE_URL": run_db}
    result = subprocess.run(["bash", str(PROJECT_ROOT / "scripts" / "ingest.sh"), "bootstrap",
                             "--write-sample", "out"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "codepoint_xf.csv").exists()
