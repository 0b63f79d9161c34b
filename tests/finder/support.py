"""Shared helpers for the finder's API and browser tests: data loading and a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from app.settings import PROJECT_ROOT

GTFS = Path("transport") / "midnotts_synthetic_gtfs.zip"
ORUK = Path("community_assets") / "oruk_sample_midnotts.json"
# Dates inside the synthetic timetable's validity (2026-01-01..2027-12-31).
WEEK = ("2026-11-23", "2026-11-29")  # Monday..Sunday
WEDNESDAY = "2026-11-25"


def ensure_finder_data(db_url: str, geodata: Path) -> None:
    """Load the timetable and the directory when `ingest all` did not (both are idempotent)."""
    from ingest.cli import main

    eng = create_engine(db_url)
    try:
        with eng.connect() as conn:
            feeds = conn.execute(text("SELECT count(*) FROM gtfs_feed")).scalar_one()
            services = conn.execute(text("SELECT count(*) FROM service")).scalar_one()
    finally:
        eng.dispose()
    if not feeds:
        assert main(["gtfs", str(geodata / GTFS)]) == 0
    if not services:
        assert main(["activities", str(geodata / ORUK), "--quiet"]) == 0


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(db_url: str, workdir: Path, **env: str) -> Iterator[dict[str, str]]:
    """A real uvicorn process on the database; yields {'url', 'log'} and stops it after."""
    port = free_port()
    log_path = workdir / "server.log"
    full_env = {**os.environ, "DATABASE_URL": db_url, "PORT": str(port), "HOST": "127.0.0.1",
                "CACHE_DIR": str(workdir / "cache"), **env}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=PROJECT_ROOT, env=full_env,
                                stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError("uvicorn exited early:\n" + log_path.read_text())
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not answer within 60 s:\n" + log_path.read_text())
            time.sleep(0.2)
        yield {"url": base, "log": str(log_path)}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
