"""Small CLI promises: create-user reads a piped password; --quiet still lists rejected rows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, text

from app.settings import PROJECT_ROOT
from tests.ingest.helpers import url_of


def _cli(engine: Engine, *args: str, stdin: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ingest", *args], cwd=PROJECT_ROOT,
                          env={**os.environ, "DATABASE_URL": url_of(engine)}, input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)


def test_create_user_reads_a_piped_password(fresh_db: Engine) -> None:
    r = _cli(fresh_db, "create-user", "--username", "piper", "--role", "editor",
             stdin="a-piped-password-1\n")
    assert r.returncode == 0, r.stderr
    with fresh_db.connect() as conn:
        row = conn.execute(text("SELECT role, token_subject FROM app_user"
                                " WHERE username = 'piper'")).one()
    assert row.role == "editor" and len(row.token_subject) == 32
    from app.auth.users import authenticate

    with fresh_db.connect() as conn:
        assert authenticate(conn, "piper", "a-piped-password-1") is not None


def test_create_user_without_a_password_says_how(fresh_db: Engine) -> None:
    r = _cli(fresh_db, "create-user", "--username", "nopass", "--role", "viewer", stdin="")
    assert r.returncode == 2
    assert "no password was given" in r.stderr and "| python -m ingest create-user" in r.stderr
    assert "Traceback" not in r.stderr


def test_quiet_still_prints_rejected_rows(fresh_db: Engine, tmp_path: Path) -> None:
    stops = tmp_path / "Stops.csv"
    stops.write_text(
        "ATCOCode,CommonName,StopType,Status,Longitude,Latitude\n"
        "3390M1,Mansfield Bus Station,BCT,active,-1.1980,53.1440\n"
        "3390M2,Nowhere,BCT,active,not-a-number,53.1440\n", encoding="utf-8")
    r = _cli(fresh_db, "naptan", str(stops), "--quiet", stdin=None)
    assert r.returncode == 0, r.stderr
    rejected = [ln for ln in r.stderr.splitlines() if "rejected" in ln]
    assert rejected and "Stops.csv:3" in rejected[0], r.stderr
    assert "loaded 1 of 2 rows" not in r.stderr  # the summary is what --quiet drops
