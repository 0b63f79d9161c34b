"""Finder v2 in headless Chromium on the real Mid-Notts data: what a link worker sees and does.

Every test saves screenshots under test-artifacts/ (finder-v2-*.png) to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import DAYS, axe_violations, open_finder

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

A4_PRINTABLE = (703, 1031)  # CSS px inside A4 with 12 mm margins (186 x 273 mm at 96 dpi)


def fill(page: Page, postcode: str, *, dates: tuple[str, str] = ("2026-12-07", "2026-12-13"),
         days: tuple[str, ...] = DAYS, hours: tuple[str, str] = ("09:00", "17:00"),
         buses: str = "2") -> None:
    """Fill the form like a link worker (without submitting)."""
    page.get_by_label("Client's postcode").fill(postcode)
    page.locator("#date-from").fill(dates[0])
    page.locator("#date-to").fill(dates[1])
    for d in DAYS:
        page.locator(f'input[name="days"][value="{d}"]').set_checked(d in days)
    page.locator("#hours-from").fill(hours[0])
    page.locator("#hours-to").fill(hours[1])
    page.get_by_label("Buses each way, at most").select_option(buses)


def find(page: Page) -> None:
    """Press Find and wait for the answer."""
    page.get_by_role("button", name="Find activities").click()
    expect(page.locator("#form-status")).to_contain_text("sessions found", timeout=60_000)


def test_keyboard_reaches_the_first_result_in_five_tabs(page: Page, site: dict[str, str],
                                                        artifacts: Path) -> None:
    open_finder(page, site["url"])
    fill(page, "NG18 1AA")  # a whole week: well over a hundred markers on the map
    page.locator("#search-button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#form-status")).to_contain_text("sessions found", timeout=60_000)
    expect(page.locator("#result-summary")).to_be_focused()
    box = page.locator("#result-summary").bounding_box()
    assert box is not None and 0 <= box["y"] < 900  # scrolled into view
    assert page.locator(".leaflet-marker-icon.wr-marker").count() > 100
    assert page.locator(".leaflet-marker-icon[tabindex]").count() == 0
    presses = 0
    while presses < 5:
        page.keyboard.press("Tab")
        presses += 1
        if page.evaluate("() => document.activeElement.classList.contains('result')"):
            break
    first = page.locator(".result").first
    expect(first).to_be_focused()
    assert presses <= 5
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.screenshot(path=artifacts / "finder-v2-keyboard.png")
    page.keyboard.press("Enter")
    expect(page.locator("#plan-heading")).to_be_focused()
    assert axe_violations(page) == []


def test_triaged_list_with_town_distance_and_relaxations(page: Page, site: dict[str, str],
                                                        artifacts: Path) -> None:
    open_finder(page, site["url"])
    fill(page, "NG18 4AA", dates=("2026-11-25", "2026-11-25"), buses="1")
    find(page)
    page.screenshot(path=artifacts / "finder-v2-triage.png")
    summary = page.locator("#result-summary")
    expect(summary).to_contain_text("1 session there and back")
    first = page.locator(".result").first
    expect(first).to_have_class(re.compile(r"st-feasible"))
    expect(first).to_contain_text("km away")
    expect(first).to_contain_text("round trip")
    assert re.search(r"\d+ min there, \d+ min back", first.inner_text())
    # The unreachable are one line until asked for.
    assert page.locator(".result.st-unreachable").count() == 0
    more = page.locator("#more-button")
    expect(more).to_have_text(re.compile(r"26 more can't be reached: show"))
    more.click()
    assert page.locator(".result.st-unreachable").count() == 26
    expect(page.locator(".result.st-unreachable").first).to_be_focused()
    assert re.search(r"Wed 25 Nov, .+ · .+ · \d+\.\d km away",
                     page.locator(".result.st-unreachable").first.inner_text())
    expect(page.locator(".report-link").first).to_have_attribute(
        "href", re.compile(r"^/report\?service=[0-9a-f-]+$"))
    page.screenshot(path=artifacts / "finder-v2-unfolded.png", full_page=True)
    assert axe_violations(page) == []
    # One click from the reason to the search that passes it.
    relax = page.get_by_role("button", name="Needs 2 buses → allow 2 buses").first
    relax.click()
    expect(page.locator("#form-status")).to_contain_text("sessions found", timeout=60_000)
    assert page.locator("#max-buses").input_value() == "2"
    expect(page.locator("#result-summary")).to_be_focused()
    expect(summary).not_to_contain_text("1 session there and back")
    page.screenshot(path=artifacts / "finder-v2-relaxed.png")


def test_age_finds_all_ages_and_removals_are_explained(page: Page, site: dict[str, str],
                                                       artifacts: Path) -> None:
    open_finder(page, site["url"])
    fill(page, "NG24 1AB", hours=("09:00", "22:00"))
    page.locator("#audience").select_option("young-people-16-25")
    find(page)
    aimed = page.locator(".result").count() + _folded(page)
    expect(page.locator("#explanations")).to_contain_text("enter the client's age instead")
    page.locator("#audience").select_option("")
    page.get_by_label("Client's age").fill("18")
    find(page)
    aged = page.locator(".result").count() + _folded(page)
    assert aged > aimed
    assert page.locator(".result.st-feasible").count() > 0
    expect(page.locator("#explanations")).to_contain_text("The filters (age 18) leave out")
    page.screenshot(path=artifacts / "finder-v2-age.png")
    # Wheelchair mode says how many sessions it removed, and the plan says how to go.
    page.get_by_label("Client's age").fill("")
    fill(page, "NG17 1AA", dates=("2026-12-07", "2026-12-11"))
    page.get_by_label(re.compile("Wheelchair user")).check()
    find(page)
    expect(page.locator("#explanations")).to_contain_text(
        re.compile(r"For a wheelchair user, \d+ sessions at venues not listed as step-free"))
    bus = page.locator(".result.st-feasible", has_text=re.compile(r"\b1 bus\b")).first
    bus.click()
    plan = page.locator("#plan")
    expect(plan).to_contain_text("It is a wheelchair-accessible bus.")
    expect(plan).to_contain_text("Go from home to")
    assert "Walk from home" not in plan.inner_text()
    page.screenshot(path=artifacts / "finder-v2-wheelchair.png", full_page=True)


def _folded(page: Page) -> int:
    """Unreachable sessions still folded away ('N more can't be reached')."""
    more = page.locator("#more-button")
    if not more.count():
        return 0
    m = re.search(r"(\d+) more", more.inner_text())
    return int(m.group(1)) if m else 0


def test_approximate_origin_on_screen_and_in_print(page: Page, site: dict[str, str],
                                                   artifacts: Path) -> None:
    open_finder(page, site["url"])
    fill(page, "NG18", dates=("2026-12-09", "2026-12-09"))
    find(page)
    expect(page.locator("#result-summary .approx-flag")).to_contain_text(
        "from the middle of NG18")
    expect(page.locator("#explanations")).to_contain_text("approximate")
    page.locator(".result.st-feasible").first.click()
    expect(page.locator("#plan .approx-flag")).to_contain_text("(NG18)")
    expect(page.locator("#plan .steps").first).to_contain_text("from home (approximate) to")
    page.emulate_media(media="print")
    expect(page.locator("#plan .approx-flag")).to_be_visible()
    page.screenshot(path=artifacts / "finder-v2-approximate-print.png", full_page=True)
    page.emulate_media(media="screen")


def test_coverage_messages_and_no_stale_results(page: Page, site: dict[str, str],
                                                artifacts: Path) -> None:
    open_finder(page, site["url"])
    fill(page, "NG18 1AA", dates=("2026-12-09", "2026-12-09"))
    find(page)
    assert page.locator(".result").count() > 0
    # A failed search never leaves the previous client's results on screen.
    page.get_by_label("Client's postcode").fill("SW1A 1AA")
    page.get_by_role("button", name="Find activities").click()
    status = page.locator("#form-status")
    expect(status).to_contain_text("outside the loaded region", timeout=30_000)
    expect(status).to_contain_text("Mansfield")
    expect(status).to_contain_text("Code-Point Open")
    expect(page.locator("#postcode-error")).to_contain_text(
        "That location is outside the loaded region")
    expect(page.locator("#explanations")).to_contain_text(
        "No results: the search could not be completed")
    assert page.locator(".result").count() == 0
    expect(page.locator("#result-summary")).to_be_hidden()
    assert page.locator(".leaflet-marker-icon.wr-marker").count() == 0
    page.screenshot(path=artifacts / "finder-v2-outside.png")
    for postcode, words in (("S80 1AA", "the loaded timetable (Timetable: Sherwood Demo Buses"),
                            ("NG1 1AA", "none are listed in Nottingham")):
        page.get_by_label("Client's postcode").fill(postcode)
        find(page)
        expect(page.locator("#explanations")).to_contain_text(words)
        text = page.locator("#explanations").inner_text()
        assert "midnotts_synthetic_gtfs" not in text and "2014" not in text
        page.screenshot(path=artifacts / f"finder-v2-{postcode[:3].strip()}.png")


def test_journey_first_handout_and_shortlist(page: Page, site: dict[str, str],
                                             artifacts: Path) -> None:
    open_finder(page, site["url"])
    fill(page, "NG23 5QU", dates=("2026-12-07", "2026-12-11"), hours=("14:00", "21:30"))
    page.get_by_label(re.compile("Slow walker")).check()
    find(page)
    row = page.locator(".result.st-outbound_only", has_text="Elm Tree Chapel Hall").filter(
        has_text="Thu 10 Dec").first
    expect(row).to_contain_text("No bus back after 18:28")
    expect(row).to_contain_text("D18 at 18:31, means leaving the venue by 18:28, before the "
                                "session starts")
    row.click()
    page.get_by_label("Link worker's name").fill("Sam Patel")
    page.locator("#worker-phone").fill("01623 555 0100")
    plan = page.locator("#plan")
    expect(plan).to_contain_text("Warning: this plan gets you there, but there is no bus back")
    expect(plan).to_contain_text(
        "Last bus home: bus D18 at 18:31 from Boundary Court (opp): leave Elm Tree Chapel Hall "
        "by 18:28")
    expect(plan).to_contain_text("Every other Thursday, 18:30 to 20:00")
    page.screenshot(path=artifacts / "finder-v2-plan-there-only.png", full_page=True)
    assert axe_violations(page) == []
    _check_print(page, artifacts, "finder-v2-print-there-only")
    expect(page.locator("#plan .worker-contact")).to_contain_text("Sam Patel")
    expect(page.locator("#plan .worker-contact")).to_contain_text("01623 555 0100")

    # The same session searched from 17:00 names the same last bus.
    page.get_by_role("button", name="Back to results").click()
    page.locator("#hours-from").fill("17:00")
    find(page)
    row = page.locator(".result.st-outbound_only", has_text="Elm Tree Chapel Hall").filter(
        has_text="Thu 10 Dec").first
    expect(row).to_contain_text("No bus back after 18:28")
    expect(row).to_contain_text("D18 at 18:31")

    # Shortlist: tick several sessions and print them as one handout.
    page.locator("#hours-from").fill("09:00")
    fill(page, "NG18 1AA", dates=("2026-12-09", "2026-12-09"))
    find(page)
    by_bus = page.locator(".result-card").filter(has=page.locator(".result.st-feasible")).filter(
        has_text=re.compile(r"\b[12] bus(es)?\b"))
    assert by_bus.count() >= 2
    by_bus.nth(0).get_by_label("Add to handout").check()
    by_bus.nth(1).get_by_label("Add to handout").check()
    expect(page.locator("#shortlist-count")).to_have_text("2 sessions in the handout.")
    page.get_by_role("button", name="Print shortlist (2)").click()
    expect(page.locator("#plan .handout")).to_have_count(2)
    expect(page.locator("#plan-heading")).to_have_text("Handout: 2 activities")
    _check_print(page, artifacts, "finder-v2-print-shortlist")
    page.pdf(path=str(artifacts / "finder-v2-shortlist.pdf"), format="A4")
    page.emulate_media(media="screen")
    assert page.errors == []  # type: ignore[attr-defined]


def _check_print(page: Page, artifacts: Path, name: str) -> None:
    """Print view at A4 width: page 1 of each plan holds the whole journey and fits a page."""
    page.set_viewport_size({"width": A4_PRINTABLE[0], "height": A4_PRINTABLE[1]})
    page.emulate_media(media="print")
    for hidden in ("#finder-form", "#map", ".results-panel", ".worker-box", "#print-button"):
        expect(page.locator(hidden).first).to_be_hidden()
    for i in range(page.locator("#plan .handout").count()):
        journey = page.locator("#plan .handout-journey").nth(i)
        text = journey.inner_text()
        for needed in ("When:", "Getting there", "Leave home at", "Catch bus", "Getting home",
                       "Last bus home:", "Your link worker:"):
            assert needed in text, (needed, text)
        assert "If a bus is missed:" in text or "there is no bus back" in text
        height = journey.evaluate("e => e.getBoundingClientRect().height")
        assert height <= A4_PRINTABLE[1], f"page 1 of plan {i + 1} overflows: {height}px"
        size = journey.evaluate("e => parseFloat(getComputedStyle(e.querySelector('.steps li'))"
                                ".fontSize)")
        assert size >= 18  # 14pt
        details = page.locator("#plan .handout-details").nth(i)
        assert details.evaluate("e => getComputedStyle(e).breakBefore") == "page"
    page.screenshot(path=artifacts / f"{name}.png", full_page=True)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_hint_method_link_and_defaults(page: Page, site: dict[str, str]) -> None:
    open_finder(page, site["url"])
    config = page.evaluate("() => fetch('/api/config').then(r => r.json())")
    example = config["example_postcode"]
    expect(page.locator("#postcode-hint .example-postcode")).to_have_text(example["postcode"])
    expect(page.locator("#postcode-hint .example-outward")).to_have_text(example["outward"])
    assert page.locator("#postcode").get_attribute("placeholder") == f"e.g. {example['postcode']}"
    link = page.get_by_role("link", name="How we count a round trip")
    expect(link).to_have_attribute("href", "/method#round-trip")
    expect(page.locator(".method-note")).to_contain_text("The planner's map counts differently")
    page.get_by_role("button", name="Find activities").click()
    expect(page.locator("#postcode-error")).to_contain_text(example["postcode"])
