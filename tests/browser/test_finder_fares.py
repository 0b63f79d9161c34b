"""The finder's fares in headless Chromium on the real Mid-Notts data: the bus pass option,
the free way there next to the paid one, the handout's fare line and the cost limit.

Screenshots go under test-artifacts/ (finder-fares-*.png) to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import DAYS, axe_violations, open_finder

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

WEDNESDAY = "2026-11-25"
FREE = re.compile(r"Free with the bus pass: Leave at (\d\d:\d\d): free with your bus pass, "
                  r"arrive (\d\d:\d\d)(, in time|, as it starts| \(\d+ min after the start\))\.")


def search(page: Page, postcode: str, *, holder: str = "No bus pass",
           limit: str = "") -> None:
    """Fill the form for one Wednesday, 08:00 to 17:00, and find."""
    page.get_by_label("Client's postcode").fill(postcode)
    page.locator("#date-from").fill(WEDNESDAY)
    page.locator("#date-to").fill(WEDNESDAY)
    for d in DAYS:
        page.locator(f'input[name="days"][value="{d}"]').set_checked(True)
    page.locator("#hours-from").fill("08:00")
    page.locator("#hours-to").fill("17:00")
    page.get_by_label("Bus pass", exact=True).select_option(label=holder)
    page.get_by_label(re.compile("Most per visit")).fill(limit)
    page.get_by_role("button", name="Find activities").click()
    expect(page.locator("#form-status")).to_contain_text("sessions found", timeout=60_000)


def debt_advice(page: Page) -> Locator:
    return page.locator(".result").filter(has_text="Money, debt and benefits advice").filter(
        has_text="10:00–").first


def test_bus_pass_shows_the_free_way_and_the_handout_fare_line(
        page: Page, site: dict[str, str], artifacts: Path) -> None:
    open_finder(page, site["url"])
    search(page, "NG17 1AA", holder="Older person's bus pass")
    row = debt_advice(page)
    expect(row).to_contain_text(
        "Bus fare: up to £3 there, free back with your bus pass (fare cap).")
    expect(row).to_contain_text(FREE)
    match = FREE.search(row.inner_text())
    assert match is not None
    leave, arrive, _ = match.groups()
    assert leave > re.search(r"Leave by (\d\d:\d\d)", row.inner_text()).group(1)  # type: ignore[union-attr]
    row.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "finder-fares-row.png")
    assert axe_violations(page) == []

    # Keyboard only: the row opens the plan, whose page 1 has the fare line.
    row.focus()
    page.keyboard.press("Enter")
    plan = page.locator("#plan")
    expect(plan).to_contain_text(re.compile(
        r"Bus fare: up to £3 there, free back with your bus pass; or free both ways with your "
        r"bus pass if you catch the (09:[3-5]\d|1\d:\d\d)\."))
    expect(plan).to_contain_text(f"Free with your bus pass: leave home at {leave}")
    expect(plan).to_contain_text(f"you arrive at {arrive}")
    page.screenshot(path=artifacts / "finder-fares-plan.png", full_page=True)
    page.emulate_media(media="print")
    journey = page.locator("#plan .handout-journey").first
    expect(journey.locator(".fare-line")).to_be_visible()
    assert "Bus fare:" in journey.inner_text()
    page.screenshot(path=artifacts / "finder-fares-print.png", full_page=True)
    page.emulate_media(media="screen")
    assert page.errors == []  # type: ignore[attr-defined]


def test_without_a_pass_and_with_a_limit_sessions_are_removed_by_cost(
        page: Page, site: dict[str, str], artifacts: Path) -> None:
    open_finder(page, site["url"])
    search(page, "NG18 1AA")
    expect(page.locator(".result").first).to_be_visible()
    assert "up to £3 each way (fare cap)" in page.locator("#results").inner_text()
    search(page, "NG18 1AA", limit="4")
    expect(page.locator("#explanations")).to_contain_text(
        re.compile(r"Your £4 limit per visit \(activity plus bus fares there and back\) "
                   r"removes \d+ sessions?"))
    page.locator("#more-button").click()
    over = page.locator(".result.st-unreachable", has_text="over your £4 limit")
    expect(over.first).to_be_visible()
    expect(over.first).to_contain_text("Over the cost limit.")
    expect(page.locator(".result.st-unreachable",
                        has_text="Up to £6 return, over your £4 limit.").first).to_be_visible()
    page.screenshot(path=artifacts / "finder-fares-limit.png", full_page=True)
    # A bad limit is refused in the form, naming the field.
    page.get_by_label(re.compile("Most per visit")).fill("-2")
    page.get_by_role("button", name="Find activities").click()
    expect(page.locator("#cost-error")).to_contain_text("Enter the most per visit in pounds")
    assert page.errors == []  # type: ignore[attr-defined]
