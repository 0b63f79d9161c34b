"""The finder page in headless Chromium against the real app and the Mid-Notts data."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import axe_violations, no_horizontal_overflow, open_finder, search

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

POSTCODE = "NG18 1AA"


def first_bus_result(page: Page) -> int:
    """Index of the first 'there and back' result whose plan uses a bus."""
    items = page.locator(".result.st-feasible")
    for i in range(items.count()):
        if re.search(r"\b1 bus\b", items.nth(i).inner_text()):
            return int(items.nth(i).get_attribute("data-index") or 0)
    raise AssertionError("no feasible result with a bus")


def test_link_worker_finds_plans_and_prints(page: Page, site: dict[str, str],
                                            artifacts: Path) -> None:
    open_finder(page, site["url"])
    # The notices come from the data: the Mid-Notts timetable and directory are test data.
    expect(page.locator("#data-notice")).to_contain_text("SYNTHETIC")
    expect(page.locator("#footer-notice")).to_contain_text("ILLUSTRATIVE")
    assert axe_violations(page) == []
    search(page, POSTCODE, days=("wed",), hours=("09:00", "17:00"), buses="1")
    page.screenshot(path=artifacts / "finder-results.png", full_page=True)

    # Results: a list with words, and map markers with distinct shapes and names.
    results = page.locator(".result")
    assert results.count() > 0
    expect(page.locator(".result.st-feasible").first).to_contain_text("There and back")
    assert all(d.startswith("Wed") for d in page.locator(".result-when").all_inner_texts())
    markers = page.locator(".leaflet-marker-icon.wr-marker")
    assert markers.count() > 0
    assert "Can get there and back" in (page.locator(".wr-feasible").first
                                         .get_attribute("aria-label") or "")
    assert page.locator("svg circle").count() and page.locator("svg rect").count()
    assert page.locator("path.wr-origin-area").count() == 1
    assert page.locator("path.wr-isochrone").count() >= 1
    assert page.locator("#explanations p").count() >= 1
    assert axe_violations(page) == []

    # A plan with a bus: leave-by, walk to a named stop, bus number and headsign, return.
    index = first_bus_result(page)
    page.locator(f'.result[data-index="{index}"]').click()
    plan = page.locator("#plan")
    expect(plan).to_be_visible()
    text = plan.inner_text()
    assert "Leave home at" in text and "Getting home" in text
    assert re.search(r"Catch bus D\d+ towards .+ from .+\. Get off at .+ at \d\d:\d\d", text)
    assert re.search(r"Walk from home to .+\(", text)
    assert "Wednesday 25 November 2026" in text
    assert "Contact" in text and "Cost" in text
    page.screenshot(path=artifacts / "finder-plan.png", full_page=True)
    assert axe_violations(page) == []

    # The print view: only the plan, large type, no map.
    page.emulate_media(media="print")
    expect(page.locator("#plan")).to_be_visible()
    for hidden in ("#finder-form", "#map", ".site-footer", "#print-button"):
        expect(page.locator(hidden)).to_be_hidden()
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#plan'))"
                         ".fontSize)")
    assert size >= 18  # 14pt
    printed = page.locator("#plan-panel").inner_text()
    for needed in ("Demonstration only", "Leave home at", "Getting home", "Catch bus",
                   "Wednesday 25 November 2026", "Phone", "Cost"):
        assert needed in printed
    page.screenshot(path=artifacts / "finder-print.png", full_page=True)
    page.pdf(path=str(artifacts / "finder-print.pdf"), format="A4")
    page.emulate_media(media="screen")
    assert page.errors == []  # type: ignore[attr-defined]


def test_keyboard_only(page: Page, site: dict[str, str]) -> None:
    open_finder(page, site["url"])
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    page.locator("#postcode").focus()
    page.keyboard.type(POSTCODE)
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")  # submits the form
    expect(page.locator("#form-status")).to_contain_text("sessions found", timeout=60_000)
    first = page.locator(".result").first
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#plan-heading")).to_be_focused()
    page.get_by_role("button", name="Back to results").focus()
    page.keyboard.press("Enter")
    expect(first).to_be_focused()


def test_usable_at_360px(page: Page, site: dict[str, str], artifacts: Path) -> None:
    page.set_viewport_size({"width": 360, "height": 780})
    open_finder(page, site["url"])
    assert no_horizontal_overflow(page)
    for sel in ("#postcode", "#date-from", "#hours-to", "#max-buses", "#search-button"):
        box = page.locator(sel).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, sel
    search(page, POSTCODE, days=("wed",), buses="1")
    assert no_horizontal_overflow(page)
    page.locator(".result").first.click()
    expect(page.locator("#plan")).to_be_visible()
    assert no_horizontal_overflow(page)
    page.screenshot(path=artifacts / "finder-360.png", full_page=True)
    assert axe_violations(page) == []


def test_works_without_tiles(page: Page, site_no_tiles: dict[str, str],
                             artifacts: Path) -> None:
    open_finder(page, site_no_tiles["url"])
    expect(page.locator("#map-status")).to_contain_text("outlines only", timeout=20_000)
    assert page.locator("path.wr-outline-lad").count() >= 3
    assert page.locator("path.wr-outline-ward").count() > 50
    assert page.locator(".leaflet-tile-loaded").count() == 0
    search(page, POSTCODE, days=("wed",), buses="1")
    assert page.locator(".leaflet-marker-icon.wr-marker").count() > 0
    page.screenshot(path=artifacts / "finder-no-tiles.png", full_page=True)


def test_tiles_load_when_available(page: Page, site: dict[str, str]) -> None:
    open_finder(page, site["url"])
    expect(page.locator(".leaflet-tile-loaded").first).to_be_attached(timeout=20_000)
    assert page.locator("#map-status").inner_text() == ""


def test_privacy_no_postcode_in_urls_or_logs(page: Page, site: dict[str, str]) -> None:
    open_finder(page, site["url"])
    search(page, POSTCODE, days=("wed",))
    page.locator(".result").first.click()
    tiles_host = urlsplit(site["tiles"]).netloc
    own_host = urlsplit(site["url"]).netloc
    for url in page.requests:  # type: ignore[attr-defined]
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue
        assert parts.netloc in (own_host, tiles_host), f"third-party request: {url}"
        assert not re.search(r"NG18(\s|%20|\+)?1AA", url, re.IGNORECASE), url
    assert "1AA" not in page.url
    log = Path(site["log"]).read_text()
    assert "POST /api/reachable-activities" in log
    assert not re.search(r"NG18\s?1AA|ng18\s?1aa", log)
    assert "1AA" not in log


def test_form_errors_are_announced_and_focused(page: Page, site: dict[str, str]) -> None:
    open_finder(page, site["url"])
    page.get_by_role("button", name="Find activities").click()
    expect(page.locator("#postcode-error")).to_contain_text("Enter the client's postcode")
    expect(page.locator("#postcode")).to_be_focused()
    assert page.locator("#postcode").get_attribute("aria-invalid") == "true"
    # An unknown postcode: the server's advice is shown next to the field.
    search_box = page.get_by_label("Client's postcode")
    search_box.fill("NG18 9ZZ")
    page.get_by_role("button", name="Find activities").click()
    expect(page.locator("#postcode-error")).to_contain_text("NG18", timeout=30_000)
    expect(page.locator("#form-status")).to_contain_text("not in the loaded postcode directory")


def test_postcode_travels_only_in_the_post_body(page: Page, site: dict[str, str]) -> None:
    open_finder(page, site["url"])
    with page.expect_request(lambda r: "/api/reachable-activities" in r.url) as req_info:
        search(page, POSTCODE, days=("wed",))
    req = req_info.value
    assert req.method == "POST"
    assert POSTCODE in (req.post_data or "")
    assert "NG18" not in req.url


def test_rural_evening_shows_there_but_not_back(page: Page, site: dict[str, str],
                                                artifacts: Path) -> None:
    open_finder(page, site["url"])
    search(page, "NG22 9LY", days=("wed",), hours=("09:00", "22:00"))
    expect(page.locator("#explanations")).to_contain_text("no bus home after")
    there_only = page.locator(".result.st-outbound_only").first
    expect(there_only).to_contain_text("There only, no way back")
    expect(there_only).to_contain_text("No bus back after")
    assert page.locator(".leaflet-marker-icon.wr-outbound_only").count() >= 1
    # Triaged: there and back first, then there only; the unreachable folded into one line.
    groups = page.locator(".result-group").evaluate_all("els => els.map(e => e.className)")
    assert [g.split()[-1] for g in groups] == ["group-feasible", "group-outbound_only",
                                                "group-unreachable"]
    expect(page.locator("#more-button")).to_contain_text("more can't be reached: show")
    assert page.locator(".result.st-unreachable").count() == 0
    there_only = page.locator(".result.st-outbound_only").first
    there_only.click()
    plan = page.locator("#plan")
    expect(plan).to_contain_text("Can get there, but not back")
    expect(plan).to_contain_text("There is no way home by bus within the chosen limits")
    assert re.search(r"Last bus home: bus D\d+ at \d\d:\d\d from .+: leave .+ by \d\d:\d\d",
                     plan.inner_text())
    page.screenshot(path=artifacts / "finder-rural-evening.png", full_page=True)
