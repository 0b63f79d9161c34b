"""schemathesis over every operation, anonymous and as an editor: no 5xx, responses match schema.

A bounded run (a fixed seed, a few examples per operation) against a real uvicorn on its own
copy of the Nottinghamshire data, so the writes it makes touch no other test's database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.settings import PROJECT_ROOT
from tests.dbutil import copy_database, drop_database
from tests.server import running_server

pytestmark = pytest.mark.realdata

CHECKS = "not_a_server_error,response_schema_conformance"
EDITOR = ("fuzz-editor", "fuzz-editor-password-1")


def _ingest(url: str, cache: Path, *args: str, stdin: str | None = None) -> None:
    subprocess.run([sys.executable, "-m", "ingest", *args], cwd=PROJECT_ROOT, input=stdin,
                   env={**os.environ, "DATABASE_URL": url, "CACHE_DIR": str(cache)},
                   check=True, text=True, capture_output=True, timeout=900)


@pytest.fixture(scope="module")
def fuzz_server(admin_url: str, template_db: str, geodata: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Its own database with the open data, a small gap run and an editor; a live server."""
    url = copy_database(admin_url, template_db, prefix="wr_fuzz")
    # The gap batch keeps its what-if matrices in CACHE_DIR: the server must read the same one.
    workdir = tmp_path_factory.mktemp("fuzz")
    cache = workdir / "cache"
    try:
        _ingest(url, cache, "all", str(geodata), "--quiet")
        # One origin per LSOA and one budget: enough for every gaps endpoint to answer.
        _ingest(url, cache, "gaps", "--max-origins", "1", "--budget", "45", "--quiet")
        _ingest(url, cache, "create-user", "--username", EDITOR[0], "--role", "editor",
                stdin=EDITOR[1] + "\n")
        with running_server(url, workdir, WEB_CONCURRENCY="2") as srv:
            yield srv["url"]
    finally:
        drop_database(admin_url, url)


def _schemathesis(base: str, workdir: Path, *extra: str) -> None:
    cmd = [str(Path(sys.executable).with_name("schemathesis")), "run", base + "/openapi.json",
           "--checks", CHECKS, "--workers", "2", "--seed", "9", "--no-shrink",
           "--request-timeout", "120", "--max-failures", "20", "--warnings", "off", *extra]
    # Run outside the project: schemathesis keeps its replay cache in the working folder.
    result = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True,
                            timeout=900, check=False)
    report = result.stdout[result.stdout.find("FAILURES"):] if "FAILURES" in result.stdout \
        else result.stdout[-3000:]
    assert result.returncode == 0, report[:12000] + result.stderr[-2000:]


def test_anonymous_every_operation(fuzz_server: str, tmp_path: Path) -> None:
    _schemathesis(fuzz_server, tmp_path, "--phases", "coverage,fuzzing", "--max-examples", "8")


def test_editor_every_operation(fuzz_server: str, tmp_path: Path) -> None:
    token = httpx.post(fuzz_server + "/api/auth/token",
                       data={"username": EDITOR[0], "password": EDITOR[1]}).json()
    # Signing out would end the run's own session; those two are fuzzed anonymously above.
    _schemathesis(fuzz_server, tmp_path, "--phases", "fuzzing", "--max-examples", "25",
                  "-H", f"Authorization: Bearer {token['access_token']}",
                  "--exclude-path", "/api/auth/logout", "--exclude-path", "/api/auth/revoke-all")
