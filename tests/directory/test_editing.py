"""Editing over the API: roles, tokens, optimistic locking, verify, pause/end, audit, 422s."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine

from app.auth.tokens import issue_token
from app.auth.users import create_user, load_user
from app.settings import get_settings
from tests.dbutil import copy_database, drop_database
from tests.directory.conftest import client_on

PASSWORDS = {"ada": "admin-password-1", "eve": "editor-password-1", "vic": "viewer-password-1",
             "ed2": "editor-password-2"}


@pytest.fixture(scope="module")
def edit_db(admin_url: str, template_db: str) -> Iterator[Engine]:
    url = copy_database(admin_url, template_db, prefix="wr_edit")
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        for name, role in (("ada", "admin"), ("eve", "editor"), ("vic", "viewer"),
                           ("ed2", "editor")):
            create_user(conn, name, PASSWORDS[name], role)
    yield engine
    engine.dispose()
    drop_database(admin_url, url)


@pytest.fixture(scope="module")
def api(edit_db: Engine) -> Iterator[TestClient]:
    with client_on(edit_db) as client:
        yield client


def login(api: TestClient, user: str) -> dict[str, str]:
    r = api.post("/api/auth/token", data={"username": user, "password": PASSWORDS[user]})
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "bearer" and r.json()["expires_in"] > 0
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def listing(**kw: Any) -> dict[str, Any]:
    return {"name": "Evening walk", "primary_category": "physical-activity",
            "audiences": ["adults"], "accepts_referrals": True, "drop_in": True,
            "locations": [{"name": "Carr Bank Hall", "postcode": "NG18 1AA",
                           "lat": 53.1436, "lon": -1.1948, "step_free": True}],
            "schedules": [{"freq": "WEEKLY", "byday": "WE", "opens_at": "18:30",
                           "closes_at": "19:30"}],
            "cost_options": [{"option": "Free", "amount": 0}], "what_to_bring": "Water"} | kw


def test_writes_need_a_token_and_the_editor_role(api: TestClient) -> None:
    r = api.post("/api/activities", json=listing())
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    r = api.post("/api/activities", json=listing(), headers=login(api, "vic"))
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    r = api.post("/api/activities", json=listing(), headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert api.post("/api/auth/token", data={"username": "eve", "password": "wrong"}
                    ).status_code == 401


def test_editor_creates_edits_and_verifies_viewer_cannot(api: TestClient) -> None:
    eve, vic = login(api, "eve"), login(api, "vic")
    r = api.post("/api/activities", json=listing(), headers=eve)
    assert r.status_code == 201, r.text
    aid, tag = r.json()["id"], r.headers["etag"]
    assert tag == '"v1"' and r.headers["location"] == f"/api/activities/{aid}"
    assert r.json()["verified_by"] == "eve" and r.json()["stale"] is False
    got = api.get(f"/api/activities/{aid}")
    assert got.headers["etag"] == tag and len(got.json()["upcoming_sessions"]) == 4
    assert got.json()["upcoming_sessions"][0]["what_to_bring"] == "Water"

    assert api.patch(f"/api/activities/{aid}", json={"name": "x"}, headers=vic
                     ).status_code == 403
    assert api.post(f"/api/activities/{aid}/verify", headers=vic).status_code == 403
    missing = api.patch(f"/api/activities/{aid}", json={"capacity": 12}, headers=eve)
    assert missing.status_code == 428 and missing.json()["field"] == "If-Match"
    ok = api.patch(f"/api/activities/{aid}", json={"capacity": 12, "name": "Evening walk (new)"},
                   headers=eve | {"If-Match": tag})
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == '"v2"' and ok.json()["capacity"] == 12
    assert ok.json()["schedules"][0]["byday"] == "WE"  # untouched fields are kept

    before = api.get(f"/api/activities/{aid}").json()
    v = api.post(f"/api/activities/{aid}/verify", headers=eve)
    assert v.status_code == 200 and v.headers["etag"] == '"v3"'
    after = v.json()
    assert after["last_verified_at"] > before["last_verified_at"]
    assert after["verified_by"] == "eve"
    ignore = {"last_verified_at", "verified_by", "version", "upcoming_sessions", "oruk_extra"}
    assert {k: v for k, v in after.items() if k not in ignore} == {
        k: v for k, v in before.items() if k not in ignore}


def test_lost_update_is_refused_with_409(api: TestClient) -> None:
    eve, ed2 = login(api, "eve"), login(api, "ed2")
    aid = api.post("/api/activities", json=listing(name="Craft club",
                                                   primary_category="arts-culture"),
                   headers=eve).json()["id"]
    tag = api.get(f"/api/activities/{aid}").headers["etag"]
    first = api.patch(f"/api/activities/{aid}", json={"capacity": 10},
                      headers=eve | {"If-Match": tag})
    second = api.patch(f"/api/activities/{aid}", json={"capacity": 20},
                       headers=ed2 | {"If-Match": tag})
    assert first.status_code == 200 and second.status_code == 409
    assert second.json()["error"] == "conflict" and second.json()["current_version"] == 2
    assert api.get(f"/api/activities/{aid}").json()["capacity"] == 10


def test_pause_end_resume_and_the_audit_log(api: TestClient) -> None:
    eve, ada = login(api, "eve"), login(api, "ada")
    aid = api.post("/api/activities", json=listing(name="Memory cafe",
                                                   primary_category="social-connection"),
                   headers=eve).json()["id"]
    p = api.post(f"/api/activities/{aid}/pause", json={"alert": "Back in March"}, headers=eve)
    assert p.status_code == 200 and p.json()["status"] == "paused"
    detail = api.get(f"/api/activities/{aid}").json()
    assert detail["upcoming_sessions"] == [] and detail["alert"] == "Back in March"
    listed = {a["id"] for a in api.get("/api/activities", params={"per_page": 200}
                                       ).json()["activities"]}
    assert aid not in listed
    oruk = api.get(f"/api/oruk/services/{aid}").json()
    assert oruk["status"] == "temporarily closed"
    assert api.post(f"/api/activities/{aid}/resume", headers=eve).json()["status"] == "active"
    assert api.post(f"/api/activities/{aid}/end", headers=eve).json()["status"] == "ended"

    assert api.get("/api/admin/audit").status_code == 401
    assert api.get("/api/admin/audit", headers=eve).status_code == 403
    log = api.get("/api/admin/audit", params={"entity_id": aid}, headers=ada)
    assert log.status_code == 200
    entries = log.json()["entries"]
    assert [e["action"] for e in entries] == ["end", "resume", "pause", "create"]
    assert all(e["username"] == "eve" and e["at"] for e in entries)
    pause_entry = entries[2]
    assert pause_entry["before"]["status"] == "active"
    assert pause_entry["after"]["status"] == "paused"
    assert "status" in pause_entry["changed"] and "alert" in pause_entry["changed"]
    assert entries[3]["before"] is None and entries[3]["after"]["name"] == "Memory cafe"


def test_422_lists_every_problem(api: TestClient) -> None:
    eve = login(api, "eve")
    bad = listing(
        name="n" * 300, primary_category="knitting",
        locations=[{"name": "New York", "lat": 40.71, "lon": -74.0}],
        schedules=[{"freq": "WEEKLY", "byday": "FUNDAY", "opens_at": "14:00",
                    "closes_at": "13:00"}],
        cost_options=[{"option": "Per session", "amount": -5}])
    r = api.post("/api/activities", json=bad, headers=eve)
    assert r.status_code == 422
    fields = {p["field"] for p in r.json()["problems"]}
    assert {"name", "primary_category", "locations.0.lat", "schedules.0.byday",
            "schedules.0.closes_at", "cost_options.0.amount"} <= fields
    # Shape errors are also listed together, by field.
    r = api.post("/api/activities", json={"name": "x", "colour": "red", "schedules": "weekly"},
                 headers=eve)
    assert r.status_code == 422 and len(r.json()["problems"]) >= 2


def test_html_is_stored_as_text(api: TestClient) -> None:
    eve = login(api, "eve")
    text = '<script>alert("x")</script><b>Bold</b> & more'
    r = api.post("/api/activities", json=listing(description=text, name="<i>Tea</i>"),
                 headers=eve)
    assert r.status_code == 201
    got = api.get(f"/api/activities/{r.json()['id']}")
    assert got.headers["content-type"].startswith("application/json")
    assert got.json()["description"] == text and got.json()["name"] == "<i>Tea</i>"


def test_new_listing_at_an_existing_venue(api: TestClient) -> None:
    eve = login(api, "eve")
    first = api.post("/api/activities", json=listing(name="Yoga"), headers=eve).json()
    venue = first["locations"][0]["id"]
    r = api.post("/api/activities", json=listing(name="Tai chi", locations=[{"id": venue}]),
                 headers=eve)
    assert r.status_code == 201, r.text
    assert r.json()["locations"][0]["id"] == venue
    assert r.json()["locations"][0]["name"] == "Carr Bank Hall"


def test_tokens_expire_and_can_be_revoked(api: TestClient, edit_db: Engine) -> None:
    eve = login(api, "eve")
    assert api.get("/api/auth/me", headers=eve).json() == {"username": "eve", "role": "editor"}
    assert api.post("/api/auth/logout", headers=eve).status_code == 200
    assert api.get("/api/auth/me", headers=eve).status_code == 401
    with edit_db.connect() as conn:
        user = load_user(conn, 2)
    assert user is not None
    expired = issue_token(user, get_settings().secret_key, minutes=-1).token
    r = api.get("/api/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and "expired" in r.json()["message"]
    forged = issue_token(user, "another-secret-of-enough-length-000", minutes=5).token
    assert api.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"}
                   ).status_code == 401
    a, b = login(api, "ed2"), login(api, "ed2")
    assert api.post("/api/auth/revoke-all", headers=a).status_code == 200
    assert api.get("/api/auth/me", headers=b).status_code == 401
    assert api.get("/api/auth/me", headers=login(api, "ed2")).status_code == 200
