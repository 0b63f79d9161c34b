"""The planner page in headless Chromium: choropleth, legend, detail, what-if, CSV, print, a11y."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import axe_violations, no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.realdata]


def open_planner(page: Page, base: str, query: str = "") -> None:
    """Load /planner and wait until the layer is drawn."""
    page.goto(base + "/planner" + query)
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)


# Finds a point that is really inside the first high-need, low-access ward once the map has
# stopped moving: the centre of a ward's bounding box can fall outside a concave ward, and a
# click during Leaflet's zoom animation lands somewhere else.
_POINT_IN_WARD = """async () => {
  document.getElementById('map').scrollIntoView({ block: 'center' });
  const box = () => [...document.querySelectorAll('path.wr-class-3-1')].map((el) => {
    const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(); }).join();
  let last = box();
  for (let i = 0; i < 50; i++) {
    await new Promise((ok) => setTimeout(ok, 100));
    const now = box(); if (now === last) break; last = now;
  }
  for (const el of document.querySelectorAll('path.wr-class-3-1')) {
    const r = el.getBoundingClientRect();
    for (let fy = 0.5; fy < 1; fy += 0.05) for (const sy of [1, -1])
      for (let fx = 0.5; fx < 1; fx += 0.05) for (const sx of [1, -1]) {
        const x = r.x + r.width * (0.5 + sx * (fx - 0.5));
        const y = r.y + r.height * (0.5 + sy * (fy - 0.5));
        if (document.elementFromPoint(x, y) === el) return [x, y];
      }
  }
  return null;
}"""


def test_young_people_evening_wards_detail_and_print(page: Page, gaps_site: dict[str, str],
                                                     artifacts: Path) -> None:
    open_planner(page, gaps_site["url"], "?level=ward&band=weekday_evening&audience=young")
    assert page.locator("#map").get_attribute("data-level") == "ward"
    # Category lists come from /api/config: "all" plus the 10 categories of the vocabulary.
    assert page.locator("#category option").count() == 11
    assert page.locator("#wi-category").input_value() == "social-connection"
    assert page.locator("path.wr-gap-area").count() >= 180
    assert page.locator("path.wr-class-3-1").count() > 0  # high need, low access wards
    expect(page.locator("#legend .bv-grid span")).to_have_count(9)
    expect(page.locator("#status")).to_contain_text("Weekday evening")
    # no basemap reachable: the map still draws areas and says so
    expect(page.locator("#map-status")).to_contain_text("outlines", timeout=30_000)
    assert axe_violations(page) == []

    # The top-gaps list opens the detail panel of a highlighted ward (keyboard reachable).
    first = page.locator("#top-gaps button").first
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail-heading")).not_to_have_text("Loading…", timeout=30_000)
    detail = page.locator("#detail")
    expect(detail).to_contain_text("IMD 2025 score")
    expect(detail).to_contain_text("Young people 16–25")
    expect(detail).to_contain_text("No way home after 19:00")
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "planner-detail.png", full_page=True)

    # CSV link follows the controls; switching to LSOAs redraws the map.
    href = page.locator("#csv-link").get_attribute("href") or ""
    assert "format=csv" in href and "audience=young" in href and "band=weekday_evening" in href
    page.locator("#level").select_option("lsoa")
    expect(page.locator("#map")).to_have_attribute("data-level", "lsoa", timeout=30_000)
    assert page.locator("path.wr-gap-area").count() == 684

    # Print view: parameters, legend and sources, no controls.
    page.emulate_media(media="print")
    expect(page.locator("#print-params")).to_be_visible()
    expect(page.locator("#print-params")).to_contain_text("45 minutes each way")
    expect(page.locator("#legend")).to_be_visible()
    expect(page.locator("#attributions li").first).to_be_visible()
    expect(page.locator(".controls-panel")).to_be_hidden()
    page.screenshot(path=artifacts / "planner-print.png", full_page=True)


def test_what_if_recolours_the_map(page: Page, gaps_site: dict[str, str],
                                   artifacts: Path) -> None:
    open_planner(page, gaps_site["url"], "?level=ward&band=weekday_evening&audience=young")
    page.locator("#whatif-place").click()
    expect(page.locator("#whatif-place")).to_have_attribute("aria-pressed", "true")
    # place the youth group on a high-need, low-access ward
    point = page.evaluate(_POINT_IN_WARD)
    assert point, "no visible point inside a high-need, low-access ward"
    page.mouse.click(point[0], point[1])
    expect(page.locator("#whatif-result")).to_contain_text("Nothing is saved", timeout=60_000)
    changed = int(page.locator("#map").get_attribute("data-whatif") or "0")
    assert changed > 0
    assert page.locator("path.wr-changed").count() == changed
    assert page.locator(".wr-whatif-marker").count() == 1
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "planner-whatif.png", full_page=True)
    page.locator("#whatif-clear").click()
    expect(page.locator(".wr-whatif-marker")).to_have_count(0)
    expect(page.locator("path.wr-changed")).to_have_count(0)


def test_small_screen_has_no_sideways_scroll(page: Page, gaps_site: dict[str, str]) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    open_planner(page, gaps_site["url"])
    assert no_horizontal_overflow(page)
    page.locator("#top-gaps button").first.click()
    expect(page.locator("#detail")).to_contain_text("Share of residents reaching each category")
    assert no_horizontal_overflow(page)
    assert axe_violations(page) == []
