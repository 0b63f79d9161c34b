"""Browser tests (headless Chromium) of report-a-change, the organiser's page and moderation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from app.auth.users import create_user
from tests.browser.helpers import axe_violations, no_horizontal_overflow
from tests.server import running_server

pytestmark = pytest.mark.browser
LISTING = {"name": "Knit and natter", "primary_category": "social-connection",
           "organization": "Carr Bank Crafters", "contact_email": "knit@example.org",
           "locations": [{"name": "Carr Bank Hall", "postcode": "NG18 1AA", "lat": 53.1436,
                          "lon": -1.1948, "accessibility": ["step-free"]}],
           "schedules": [{"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00",
                          "closes_at": "12:00"}]}


@pytest.fixture
def site(tiny_postcodes: Engine, tmp_path: Path) -> Iterator[dict[str, Any]]:
    with tiny_postcodes.begin() as conn:
        create_user(conn, "eve", "editor-password-1", "editor")
    url = tiny_postcodes.url.render_as_string(hide_password=False)
    with running_server(url, tmp_path) as srv, httpx.Client(base_url=srv["url"]) as http:
        tok = http.post("/api/auth/token", data={"username": "eve",
                                                 "password": "editor-password-1"}).json()
        auth = {"Authorization": f"Bearer {tok['access_token']}"}
        made = http.post("/api/activities", json=LISTING, headers=auth).json()
        # Due for a check: last verified over a year ago.
        with tiny_postcodes.begin() as conn:
            conn.execute(text("UPDATE service SET last_verified_at = now() - interval '400 days'"
                              " WHERE id = :id"), {"id": made["id"]})
        yield {"url": srv["url"], "log": srv["log"], "id": made["id"], "auth": auth,
               "http": http, "engine": tiny_postcodes}


def test_report_a_change_by_keyboard_reaches_the_queue(page: Page, site: dict[str, Any],
                                                       artifacts: Path) -> None:
    page.goto(f"{site['url']}/report?service={site['id']}")
    expect(page.locator("#listing")).to_contain_text("Knit and natter")
    expect(page.locator("#listing")).to_contain_text("Carr Bank Hall")
    assert axe_violations(page) == [] and no_horizontal_overflow(page)
    page.screenshot(path=artifacts / "report-form.png", full_page=True)
    # Keyboard only: skip link, then the radio group, the text box and the button.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first option: closed
    expect(page.get_by_label("The group has closed or stopped running")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("The hall says it stopped in March.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#result")).to_contain_text("An editor will check")
    expect(page.locator("#report-form")).to_be_hidden()
    page.screenshot(path=artifacts / "report-sent.png", full_page=True)
    flags = site["http"].get("/api/review/flags", headers=site["auth"]).json()["flags"]
    assert [(f["kind"], f["message"]) for f in flags] == [
        ("closed", "The hall says it stopped in March.")]
    # The finder's API now marks the listing, and the visitor's address is not in the log.
    assert site["http"].get("/api/activities").json()["activities"][0]["reported_closed"]
    assert page.errors == []  # type: ignore[attr-defined]


def test_report_needs_a_choice_and_names_bad_listings(page: Page, site: dict[str, Any]
                                                      ) -> None:
    page.goto(f"{site['url']}/report?service={site['id']}")
    expect(page.locator("#listing")).to_contain_text("Knit and natter")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#kind-error")).to_have_text("Choose what has changed.")
    page.get_by_label("Something else is wrong").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#message-error")).to_contain_text("say what is wrong")
    page.goto(f"{site['url']}/report?service=nope")
    expect(page.locator("#listing")).to_contain_text("could not find that listing")


def test_moderation_queue_and_organiser_confirmation(page: Page, site: dict[str, Any],
                                                     artifacts: Path) -> None:
    http, auth = site["http"], site["auth"]
    http.post("/api/reports", json={"service_id": site["id"], "kind": "times-changed",
                                    "message": "Now on Tuesdays"})
    link = http.post(f"/api/activities/{site['id']}/confirmation-link", headers=auth).json()
    # The organiser opens the link and proposes a new day.
    page.goto(site["url"] + link["path"])
    expect(page.locator("#listing")).to_contain_text("Every Monday, 10:00–12:00")
    page.get_by_label("It is running, but something has changed").check()
    page.get_by_label("Day").select_option("TU")
    page.get_by_label("Anything else we should know?").fill("We moved to Tuesdays in May.")
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "confirm-form.png", full_page=True)
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator("#result")).to_contain_text("directory team will check")
    # The editor signs in on the moderation page and works through the queue.
    page.goto(site["url"] + "/moderation")
    page.get_by_label("Username").fill("eve")
    page.get_by_label("Password").fill("editor-password-1")
    page.get_by_label("Password").press("Enter")  # keyboard: Enter submits the sign-in form
    expect(page.locator("#status")).to_contain_text("Signed in")
    expect(page.locator("#totals")).to_contain_text("Visitor reports: 1")
    expect(page.locator("#totals")).to_contain_text("Organisers' answers: 1")
    expect(page.locator("#totals")).to_contain_text("Due for verification: 1")
    expect(page.locator("#districts")).to_contain_text("Mansfield")
    expect(page.locator("#districts")).to_contain_text("Now on Tuesdays")
    assert axe_violations(page) == [] and no_horizontal_overflow(page)
    page.screenshot(path=artifacts / "moderation-queue.png", full_page=True)
    page.get_by_role("button", name="Approve: Knit and natter").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("approved and marked verified today")
    expect(page.locator("#totals")).to_contain_text("Due for verification: 0")
    page.get_by_role("button", name="Resolved: Knit and natter").click()
    expect(page.locator("#totals")).to_contain_text("Visitor reports: 0")
    page.screenshot(path=artifacts / "moderation-done.png", full_page=True)
    after = http.get(f"/api/activities/{site['id']}").json()
    assert [s["byday"] for s in after["schedules"]] == ["TU"] and not after["stale"]
    assert after["verified_by"] == "organiser (approved by eve)"
    log = Path(site["log"]).read_text()
    assert link["token"] not in log  # the token never appears in a URL the server logs
    assert page.errors == []  # type: ignore[attr-defined]


def test_planner_page_shows_upkeep_counts(page: Page, site: dict[str, Any], artifacts: Path
                                          ) -> None:
    site["http"].post("/api/reports", json={"service_id": site["id"], "kind": "moved"})
    page.goto(site["url"] + "/planner")
    box = page.locator("#review-counts")
    expect(box).to_be_visible(timeout=30_000)
    expect(box.locator("li")).to_have_text(
        "Mansfield: due for a check 1, visitor reports 1, merge conflicts 0, organisers' answers 0")
    expect(box.get_by_role("link", name="Open the moderation queue")).to_have_attribute(
        "href", "/moderation")
    box.screenshot(path=artifacts / "planner-upkeep-counts.png")
    page.set_viewport_size({"width": 360, "height": 740})
    assert no_horizontal_overflow(page)


def test_admin_undoes_a_merge_on_the_moderation_page(page: Page, tiny_postcodes: Engine,
                                                     tmp_path: Path, artifacts: Path) -> None:
    from ingest.directory.feedrun import add_feed, run_due
    from tests.directory.feedserver import feed_server
    from tests.directory.test_feeds import council_services, cvs_services, play_oruk

    with tiny_postcodes.begin() as conn:
        create_user(conn, "ada", "admin-password-1", "admin")
    with feed_server() as feeds:
        play_oruk(feeds, "/council", council_services())
        play_oruk(feeds, "/cvs", cvs_services())
        with tiny_postcodes.begin() as conn:
            add_feed(conn, "council", "oruk-api", feeds.base + "/council", None)
            add_feed(conn, "cvs", "oruk-api", feeds.base + "/cvs", None)
        assert all(r.ok for r in run_due(tiny_postcodes, quiet=True))
    url = tiny_postcodes.url.render_as_string(hide_password=False)
    with running_server(url, tmp_path) as srv:
        page.goto(srv["url"] + "/moderation")
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill("admin-password-1")
        page.get_by_label("Password").press("Enter")
        merges = page.locator("#merges")
        expect(merges).to_be_visible()
        expect(merges).to_contain_text("same GB-CHC number 1234567")
        expect(merges).to_contain_text("Memory Cafe (Brookside)")
        expect(page.locator("#districts")).to_contain_text("Merge conflicts (")
        assert axe_violations(page) == [] and no_horizontal_overflow(page)
        page.screenshot(path=artifacts / "moderation-merges.png", full_page=True)
        page.get_by_role("button", name="Undo merge: Memory Cafe (Brookside) and cvs").click()
        expect(page.locator("#status")).to_contain_text("separate again")
        expect(merges).to_contain_text("Undone")
        with tiny_postcodes.connect() as conn:
            cafes = conn.execute(text("SELECT count(*) FROM service WHERE name ILIKE"
                                      " 'Memory Caf%'")).scalar()
        assert cafes == 2
        assert page.errors == []  # type: ignore[attr-defined]
