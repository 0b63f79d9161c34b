"""Secrets: production refuses weak keys; development keeps its own; forged tokens get 401."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from sqlalchemy import Engine, text

from app.auth.secret import PUBLISHED_KEYS
from app.settings import PROJECT_ROOT
from tests.harden.conftest import login, server_key
from tests.server import free_port


def _serve(env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    full |= {"PORT": str(free_port()), "HOST": "127.0.0.1", "CACHE_DIR": str(tmp), **env}
    return subprocess.run([sys.executable, "-m", "app"], cwd=PROJECT_ROOT, env=full,
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(("key", "reason"), [
    (None, "not set"),
    ("short-but-random-Zq8", "too short"),
    ("change-me-in-production-please-0123456789", "published"),
    ("change-me-to-a-long-random-string", "published"),
])
def test_production_refuses_weak_or_published_keys(key: str | None, reason: str,
                                                   tmp_path: Path) -> None:
    env = {"APP_ENV": "production"} | ({"SECRET_KEY": key} if key is not None else {})
    result = _serve(env, tmp_path)
    assert result.returncode != 0
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert reason in lines[0] and "SECRET_KEY" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_every_published_value_is_known() -> None:
    # The values shipped in compose.yml and .env.example (and the old settings default).
    for value in ("change-me-in-production-please-0123456789",
                  "change-me-to-a-long-random-string"):
        assert value in PUBLISHED_KEYS


def test_development_key_is_generated_once_private_and_kept(server: dict[str, str],
                                                             client: httpx.Client) -> None:
    path = Path(server["cache"]) / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().strip()) >= 32
    # Another process (e.g. after a restart) reads the same key, so tokens survive.
    out = subprocess.run(
        [sys.executable, "-c", "from app.settings import get_settings; "
         "print(get_settings().secret_key)"], cwd=PROJECT_ROOT, capture_output=True, text=True,
        env={**{k: v for k, v in os.environ.items() if k != "SECRET_KEY"},
             "CACHE_DIR": server["cache"]}, check=True)
    assert out.stdout.strip() == server_key(server)
    assert client.get("/api/auth/me", headers=login(client, "edith")).status_code == 200


def _claims(users_db: Engine, username: str, **over: object) -> dict[str, object]:
    with users_db.connect() as conn:
        row = conn.execute(text("SELECT id, token_subject, token_version FROM app_user"
                                " WHERE username = :u"), {"u": username}).one()
    now = datetime.now(UTC)
    return {"sub": row.token_subject, "name": username, "role": "admin",
            "ver": row.token_version, "jti": "0" * 32, "iat": now,
            "exp": now + timedelta(minutes=5)} | over


def _me(client: httpx.Client, token: str) -> httpx.Response:
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_tokens_signed_with_published_keys_are_refused(server: dict[str, str],
                                                       client: httpx.Client,
                                                       users_db: Engine) -> None:
    real = server_key(server)
    good = jwt.encode(_claims(users_db, "root"), real, algorithm="HS256")
    assert _me(client, good).status_code == 200  # the test token is otherwise well made
    for key in PUBLISHED_KEYS:
        forged = jwt.encode(_claims(users_db, "root"), key, algorithm="HS256")
        r = _me(client, forged)
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"


def test_guessable_or_odd_subjects_get_401(server: dict[str, str], client: httpx.Client,
                                           users_db: Engine) -> None:
    real = server_key(server)
    with users_db.connect() as conn:
        uid = conn.execute(text("SELECT id FROM app_user WHERE username = 'root'")).scalar()
    for sub in (str(uid), "1", "abc", "1e9", "0" * 32, "ZZ" * 16, " " + "a" * 31):
        token = jwt.encode(_claims(users_db, "root", sub=sub), real, algorithm="HS256")
        r = _me(client, token)
        assert r.status_code == 401, (sub, r.text)
        assert r.json()["error"] == "unauthorized"
    for odd in ({"sub": 7}, {"jti": 5}, {"jti": "x" * 500}, {"ver": "1"}):
        token = jwt.encode(_claims(users_db, "root", **odd), real, algorithm="HS256")
        assert _me(client, token).status_code == 401, odd
    assert client.get("/api/health").status_code == 200
