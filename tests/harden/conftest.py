"""Fixtures for the hardening tests: a database with users, and a real uvicorn serving it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine

from app.auth.users import create_user
from tests.dbutil import copy_database, drop_database
from tests.server import running_server

PASSWORDS = {"root": "admin-password-9", "edith": "editor-password-9",
             "vikram": "viewer-password-9"}
ROLES = {"root": "admin", "edith": "editor", "vikram": "viewer"}


@pytest.fixture(scope="module")
def users_db(admin_url: str, template_db: str) -> Iterator[Engine]:
    """A migrated database with an admin, an editor and a viewer (no open data)."""
    url = copy_database(admin_url, template_db, prefix="wr_harden")
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        for name, role in ROLES.items():
            create_user(conn, name, PASSWORDS[name], role)
    yield engine
    engine.dispose()
    drop_database(admin_url, url)


@pytest.fixture(scope="module")
def server(users_db: Engine, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[dict[str, str]]:
    """A real uvicorn (two workers) on `users_db`, with small sign-in limits to test them."""
    work = tmp_path_factory.mktemp("harden")
    url = users_db.url.render_as_string(hide_password=False)
    with running_server(url, work, WEB_CONCURRENCY="2", LOGIN_MAX_FAILURES="3",
                        LOGIN_CLIENT_MAX_FAILURES="8", LOGIN_LOCK_MINUTES="5") as srv:
        yield srv | {"cache": str(work / "cache")}


@pytest.fixture(scope="module")
def client(server: dict[str, str]) -> Iterator[httpx.Client]:
    """HTTP client on the hardening server."""
    with httpx.Client(base_url=server["url"], timeout=60) as c:
        yield c


def login(client: httpx.Client, user: str) -> dict[str, str]:
    """Sign in and return the Authorization header."""
    r = client.post("/api/auth/token", data={"username": user, "password": PASSWORDS[user]})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def server_key(server: dict[str, str]) -> str:
    """The signing key the development server generated for itself."""
    return (Path(server["cache"]) / "secret_key").read_text().strip()
