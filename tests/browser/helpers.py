"""Page actions shared by the browser tests (and reusable for the planner page)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.finder.support import WEEK

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SERIOUS = ("serious", "critical")


def open_finder(page: Page, base: str) -> None:
    """Load the finder and wait for the map outlines."""
    page.goto(base + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=30_000)


def search(page: Page, postcode: str, *, days: tuple[str, ...] = DAYS, hours: tuple[str, str] =
           ("09:00", "17:00"), buses: str = "2", dates: tuple[str, str] = WEEK) -> None:
    """Fill the form like a link worker and wait for the results."""
    page.get_by_label("Client's postcode").fill(postcode)
    page.locator("#date-from").fill(dates[0])
    page.locator("#date-to").fill(dates[1])
    for d in DAYS:
        box = page.locator(f'input[name="days"][value="{d}"]')
        box.set_checked(d in days)
    page.locator("#hours-from").fill(hours[0])
    page.locator("#hours-to").fill(hours[1])
    page.get_by_label("Buses each way, at most").select_option(buses)
    page.get_by_role("button", name="Find activities").click()
    expect(page.locator("#form-status")).to_contain_text("sessions found", timeout=60_000)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (served from our own static/vendor) and return serious/critical findings."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    found: list[dict[str, Any]] = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return [v for v in found if v["impact"] in SERIOUS]


def no_horizontal_overflow(page: Page) -> bool:
    """True when nothing makes the page scroll sideways."""
    return bool(page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"))
