"""The freshness loop over the API: report a change, provider confirmation, review queue,
venues; and reminder emails (off by default, sent through a loopback SMTP server when on)."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.api import reports
from app.auth.users import create_user
from app.directory import access
from app.services.directory.reminders import send_reminders
from app.settings import get_settings
from tests.directory.conftest import client_on
from tests.server import free_port

PASSWORDS = {"eve": "editor-password-1", "ada": "admin-password-1"}


@pytest.fixture
def api(tiny_postcodes: Engine) -> Iterator[TestClient]:
    with tiny_postcodes.begin() as conn:
        create_user(conn, "eve", PASSWORDS["eve"], "editor")
        create_user(conn, "ada", PASSWORDS["ada"], "admin")
    reports.limiter.cache_clear()
    with client_on(tiny_postcodes) as client:
        client.engine = tiny_postcodes  # type: ignore[attr-defined]
        yield client
    reports.limiter.cache_clear()


def login(api: TestClient, user: str = "eve") -> dict[str, str]:
    r = api.post("/api/auth/token", data={"username": user, "password": PASSWORDS[user]})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def create(api: TestClient, **kw: Any) -> dict[str, Any]:
    body = {"name": "Knit and natter", "primary_category": "social-connection",
            "contact_email": "knit@example.org",
            "locations": [{"name": "Carr Bank Hall", "postcode": "NG18 1AA",
                           "accessibility": ["step-free", "Dementia friendly"],
                           "hearing_loop": True}],
            "schedules": [{"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00",
                           "closes_at": "12:00"}]} | kw
    r = api.post("/api/activities", json=body, headers=login(api))
    assert r.status_code == 201, r.text
    return dict(r.json())


def make_stale(api: TestClient, sid: str, days: int = 400) -> None:
    with api.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text("UPDATE service SET last_verified_at = now() - make_interval(days =>"
                          " :d) WHERE id = :id"), {"d": days, "id": sid})


def test_a_visitors_report_reaches_the_queue_and_marks_the_listing(api: TestClient) -> None:
    a = create(api)
    r = api.post("/api/reports", json={"service_id": a["id"], "kind": "closed",
                                       "message": "The hall said it stopped in March."})
    assert r.status_code == 202 and r.json()["status"] == "received"
    # No login was needed, and nothing about the visitor is stored with the flag.
    with api.engine.connect() as conn:  # type: ignore[attr-defined]
        cols = set(conn.execute(text("SELECT * FROM listing_flag")).keys())
    assert cols == {"id", "service_id", "kind", "message", "status", "created_at",
                    "resolved_at", "resolved_by", "resolution_note"}
    assert api.get("/api/review/flags").status_code == 401
    flags = api.get("/api/review/flags", headers=login(api)).json()["flags"]
    assert [(f["service_id"], f["kind"]) for f in flags] == [(a["id"], "closed")]
    assert flags[0]["lad_code"] == "E07000174"
    found = api.get("/api/activities").json()["activities"][0]
    assert found["reported_closed"] is True
    assert api.get(f"/api/activities/{a['id']}").json()["reported_closed"] is True
    assert api.get(f"/api/oruk/services/{a['id']}").json()["reported_closed"] is True
    q = api.get("/api/review/queue", headers=login(api)).json()
    assert q["totals"]["flagged"] == 1 and q["districts"][0]["district"] == "Mansfield"
    summary = api.get("/api/review/summary").json()  # public: counts only
    assert summary["totals"]["flagged"] == 1 and "flagged" not in summary["districts"][0]
    done = api.post(f"/api/review/flags/{flags[0]['id']}", json={"action": "end-listing",
                                                                 "note": "confirmed"},
                    headers=login(api))
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    after = api.get(f"/api/activities/{a['id']}").json()
    assert after["status"] == "ended" and after["reported_closed"] is False
    again = api.post(f"/api/review/flags/{flags[0]['id']}", json={"action": "dismiss"},
                     headers=login(api))
    assert again.status_code == 409


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"kind": "gone"}, 422, "kind"), ({"kind": "other"}, 422, "message"),
    ({"kind": "moved", "message": "x" * 2001}, 422, "message"),
    ({"kind": "closed", "service_id": "nope"}, 404, "service_id"),
    ({"kind": "closed", "reporter": "me@example.org"}, 422, "reporter"),
])
def test_bad_reports_are_refused_naming_the_field(api: TestClient, body: dict[str, Any],
                                                  status: int, field: str) -> None:
    a = create(api)
    r = api.post("/api/reports", json={"service_id": a["id"]} | body)
    assert r.status_code == status and r.json()["field"] == field, r.json()


def test_reports_are_rate_limited(api: TestClient) -> None:
    a = create(api)
    limit = get_settings().report_limit_per_hour
    codes = [api.post("/api/reports", json={"service_id": a["id"], "kind": "moved"}
                      ).status_code for _ in range(limit + 2)]
    assert codes[:limit] == [202] * limit and codes[limit:] == [429, 429]
    with api.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.execute(text("SELECT count(*) FROM listing_flag")).scalar() == limit


def test_an_organisers_confirmation_updates_last_verified_after_approval(api: TestClient
                                                                         ) -> None:
    a = create(api, contact_phone="01623 111111")
    make_stale(api, a["id"])
    stale_at = api.get(f"/api/activities/{a['id']}").json()["last_verified_at"]
    assert api.post(f"/api/activities/{a['id']}/confirmation-link").status_code == 401
    link = api.post(f"/api/activities/{a['id']}/confirmation-link", json={"days": 14},
                    headers=login(api)).json()
    assert link["path"].startswith("/confirm#token=") and link["token"] in link["path"]
    token = link["token"]
    seen = api.post("/api/confirm/view", json={"token": token}).json()
    assert seen["listing"]["name"] == "Knit and natter" and seen["status"] == "issued"
    bad = api.post("/api/confirm", json={"token": token, "answer": "changes",
                                         "proposed": {"schedules": [{
                                             "freq": "WEEKLY", "byday": "XX",
                                             "opens_at": "10:00", "closes_at": "12:00"}]}})
    assert bad.status_code == 422 and "byday" in bad.json()["field"]
    assert api.post("/api/confirm", json={"token": token, "answer": "changes",
                                          "proposed": {"status": "active"}}
                    ).json()["field"] == "proposed.status"
    ok = api.post("/api/confirm", json={
        "token": token, "answer": "changes", "note": "We moved to Tuesdays",
        "proposed": {"contact_phone": "01623 222222", "schedules": [{
            "freq": "WEEKLY", "byday": "TU", "opens_at": "10:00", "closes_at": "12:00"}]}})
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    # Nothing is published until an editor approves.
    mid = api.get(f"/api/activities/{a['id']}").json()
    assert mid["last_verified_at"] == stale_at and mid["contact_phone"] == "01623 111111"
    queue = api.get("/api/review/queue", headers=login(api)).json()
    assert queue["totals"]["confirmations"] == 1 and queue["totals"]["due"] == 1
    [pending] = api.get("/api/review/confirmations", headers=login(api)).json()[
        "confirmations"]
    r = api.post(f"/api/review/confirmations/{pending['id']}", json={"action": "approve"},
                 headers=login(api))
    assert r.status_code == 200, r.text
    after = api.get(f"/api/activities/{a['id']}").json()
    assert after["last_verified_at"] > stale_at and not after["stale"]
    assert after["verified_by"] == "organiser (approved by eve)"
    assert after["contact_phone"] == "01623 222222"
    assert [s["byday"] for s in after["schedules"]] == ["TU"]
    oruk = api.get(f"/api/oruk/services/{a['id']}").json()
    assert oruk["last_verified"] == after["last_verified_at"] and oruk["stale"] is False
    # A used link is spent.
    assert api.post("/api/confirm/view", json={"token": token}).status_code == 409
    assert api.get("/api/review/queue", headers=login(api)).json()["totals"]["due"] == 0


def test_still_running_rejected_and_forged_links(api: TestClient) -> None:
    a = create(api)
    make_stale(api, a["id"])
    before = api.get(f"/api/activities/{a['id']}").json()["last_verified_at"]
    token = api.post(f"/api/activities/{a['id']}/confirmation-link",
                     headers=login(api)).json()["token"]
    assert api.post("/api/confirm", json={"token": token, "answer": "still-running"}
                    ).status_code == 200
    [pending] = api.get("/api/review/confirmations", headers=login(api)).json()[
        "confirmations"]
    api.post(f"/api/review/confirmations/{pending['id']}", json={"action": "reject"},
             headers=login(api))
    assert api.get(f"/api/activities/{a['id']}").json()["last_verified_at"] == before
    secret = get_settings().secret_key
    expired = jwt.encode({"sub": a["id"], "jti": "x", "aud": "wr-confirm",
                          "exp": datetime.now(UTC) - timedelta(minutes=1)}, secret)
    forged = jwt.encode({"sub": a["id"], "jti": "x", "aud": "wr-confirm",
                         "exp": datetime.now(UTC) + timedelta(days=1)}, "not-the-key" * 4)
    for bad in (expired, forged, token[:-3] + "abc", login(api)["Authorization"][7:]):
        r = api.post("/api/confirm/view", json={"token": bad})
        assert r.status_code in (403, 409) and r.json()["field"] == "token"
    assert "expired" in api.post("/api/confirm/view", json={"token": expired}).json()["message"]
    # A confirmation token is not a login token.
    assert api.get("/api/review/flags", headers={"Authorization": f"Bearer {token}"}
                   ).status_code == 401


def test_venues_search_detail_and_accessibility(api: TestClient) -> None:
    a = create(api)
    create(api, name="Sutton sing-along", locations=[{
        "name": "Brookside Chapel Hall", "postcode": "NG17 1FU",
        "accessibility": "hearing loop; guide dog friendly"}])
    every = api.get("/api/venues").json()
    assert every["total"] == 2
    near = api.get("/api/venues", params={"near": "NG18 1AA", "radius_m": 1000}).json()
    assert [v["name"] for v in near["venues"]] == ["Carr Bank Hall"]
    df = api.get("/api/venues", params={"accessibility": "dementia-friendly"}).json()
    assert [v["name"] for v in df["venues"]] == ["Carr Bank Hall"]
    both = api.get("/api/venues", params=[("accessibility", "hearing loop"),
                                          ("accessibility", "guide-dog-friendly")]).json()
    assert [v["name"] for v in both["venues"]] == ["Brookside Chapel Hall"]
    assert api.get("/api/venues", params={"q": "brookside"}).json()["total"] == 1
    bad = api.get("/api/venues", params={"accessibility": "lift"})
    assert bad.status_code == 422 and bad.json()["field"] == "accessibility"
    vid = a["locations"][0]["id"]
    one = api.get(f"/api/venues/{vid}").json()
    assert one["accessibility_features"] == ["step-free", "hearing-loop", "dementia-friendly"]
    assert [x["name"] for x in one["listings"]] == ["Knit and natter"]
    assert api.get("/api/venues/nope").status_code == 404
    vocab = api.get("/api/venues/accessibility").json()["features"]
    assert [f["label"] for f in vocab] == [f.label for f in access.FEATURES]
    loc = api.get(f"/api/oruk/services/{a['id']}").json()["service_at_locations"][0]["location"]
    labels = {x["description"] for x in loc["accessibility"]}
    assert {"Step-free", "Hearing loop", "Dementia friendly"} <= labels
    sf = access.TAXONOMY.term_id("dementia-friendly")
    assert api.get("/api/oruk/services", params={"taxonomy_term_id": sf}).json()[
        "total_items"] == 1


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[str] = []


def test_reminders_are_off_by_default_and_sent_when_smtp_is_set(api: TestClient) -> None:
    a = create(api)
    make_stale(api, a["id"])
    settings = get_settings()
    with api.engine.begin() as conn:  # type: ignore[attr-defined]
        assert settings.smtp_host == "" and send_reminders(conn, settings) == []
        assert send_reminders(conn, settings, dry_run=True) == [a["id"]]
        assert conn.execute(text("SELECT count(*) FROM provider_confirmation")).scalar() == 0
    inbox = _Inbox()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import asyncore
        import smtpd

        class Server(smtpd.SMTPServer):
            def process_message(self, peer: Any, mailfrom: str, rcpttos: list[str],
                                data: bytes | str, **kw: Any) -> None:
                inbox.messages.append(data.decode() if isinstance(data, bytes) else data)

        port = free_port()
        server = Server(("127.0.0.1", port), None)
        loop = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.1}, daemon=True)
        loop.start()
    on = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                     "smtp_starttls": False, "smtp_from": "dir@example.org",
                                     "public_base_url": "https://directory.example.org"})
    try:
        with api.engine.begin() as conn:  # type: ignore[attr-defined]
            assert send_reminders(conn, on) == [a["id"]]
            assert send_reminders(conn, on) == []  # one link per link lifetime
    finally:
        server.close()
    assert len(inbox.messages) == 1
    assert "https://directory.example.org/confirm#token=" in inbox.messages[0]
    assert "knit@example.org" in inbox.messages[0] or "Knit and natter" in inbox.messages[0]
