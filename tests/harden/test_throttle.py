"""Sign-in throttling: account lockouts and client limits (429 + Retry-After); admins clear."""

from __future__ import annotations

import concurrent.futures

import httpx
from sqlalchemy import Engine, text

from tests.harden.conftest import PASSWORDS, login


def _try(client: httpx.Client, user: str, password: str) -> httpx.Response:
    return client.post("/api/auth/token", data={"username": user, "password": password})


def test_account_lockout_and_admin_clears_it(client: httpx.Client, users_db: Engine) -> None:
    admin = login(client, "root")
    client.delete("/api/admin/lockouts", headers=admin)
    # The server runs with LOGIN_MAX_FAILURES=3.
    for _ in range(3):
        assert _try(client, "edith", "not-the-password").status_code == 401
    locked = _try(client, "edith", "not-the-password")
    assert locked.status_code == 429
    assert locked.json()["error"] == "too_many_requests"
    wait = int(locked.headers["Retry-After"])
    assert 0 < wait <= 5 * 60
    # Even the right password waits: the lockout is checked before any password is.
    assert _try(client, "edith", PASSWORDS["edith"]).status_code == 429
    # Other accounts are not locked by it.
    assert _try(client, "vikram", PASSWORDS["vikram"]).status_code == 200

    listed = client.get("/api/admin/lockouts", headers=admin).json()["lockouts"]
    assert [x["username"] for x in listed if x["kind"] == "account"] == ["edith"]
    assert client.delete("/api/admin/lockouts/edith", headers=login(client, "vikram")
                         ).status_code == 403
    cleared = client.delete("/api/admin/lockouts/edith", headers=admin)
    assert cleared.status_code == 200 and cleared.json()["cleared"] is True
    assert _try(client, "edith", PASSWORDS["edith"]).status_code == 200
    with users_db.connect() as conn:
        action = conn.execute(text("SELECT action FROM audit_log WHERE entity_id = 'edith'"
                                   " ORDER BY id DESC LIMIT 1")).scalar()
    assert action == "unlock"


def test_client_limit_covers_every_account_name(client: httpx.Client) -> None:
    admin = login(client, "root")
    client.delete("/api/admin/lockouts", headers=admin)
    # LOGIN_CLIENT_MAX_FAILURES=8: guessing across names from one client is throttled too.
    codes = [_try(client, f"guess{i}", "not-the-password").status_code for i in range(8)]
    assert codes == [401] * 8
    r = _try(client, "vikram", PASSWORDS["vikram"])
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert client.delete("/api/admin/lockouts", headers=admin).json()["cleared"] >= 1
    assert _try(client, "vikram", PASSWORDS["vikram"]).status_code == 200


def test_a_sign_in_flood_gets_answers_not_errors(client: httpx.Client,
                                                 server: dict[str, str]) -> None:
    admin = login(client, "root")
    client.delete("/api/admin/lockouts", headers=admin)

    def attempt(i: int) -> int:
        with httpx.Client(base_url=server["url"], timeout=60) as c:
            return _try(c, "root", f"wrong-password-{i}").status_code

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(attempt, range(32)))
    assert set(codes) <= {401, 429}, codes
    assert 429 in codes
    assert client.get("/api/health").status_code == 200
    client.delete("/api/admin/lockouts", headers=admin)
