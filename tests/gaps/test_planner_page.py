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
  const sel = 'path.wr-gap-area:not(.wr-outside)';
  const box = () => [...document.querySelectorAll(sel)].map((el) => {
    const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(); }).join();
  let last = box();
  for (let i = 0; i < 50; i++) {
    await new Promise((ok) => setTimeout(ok, 100));
    const now = box(); if (now === last) break; last = now;
  }
  for (const el of document.querySelectorAll(sel)) {
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


_SWATCHES = """() => [...document.querySelectorAll(
    '#legend .bv-cell, #legend .bv-swatch, .class-chip')].map((el) => ({
  cls: el.className, bg: getComputedStyle(el).backgroundColor,
  w: el.getBoundingClientRect().width }))"""


# Cells of the access table that stick out of the detail panel or are hidden in it.
_CELLS_INSIDE_PANEL = """() => {
  const panel = document.querySelector('.detail-panel').getBoundingClientRect();
  return [...document.querySelectorAll('table.stack-narrow td')].filter((td) => {
    const r = td.getBoundingClientRect();
    return !r.width || r.left < panel.left - 0.5 || r.right > panel.right + 0.5;
  }).map((td) => td.dataset.label);
}"""


def assert_swatches_painted(page: Page) -> None:
    """Every legend cell, swatch and class chip has a real computed background colour."""
    swatches = page.evaluate(_SWATCHES)
    assert len(swatches) >= 14
    blank = [s for s in swatches if s["bg"] in ("rgba(0, 0, 0, 0)", "transparent") or not s["w"]]
    assert not blank, blank


def test_legend_renders_under_the_csp_and_the_lists_hold_only_their_class(
        page: Page, gaps_site: dict[str, str], artifacts: Path) -> None:
    open_planner(page, gaps_site["url"], "?level=lsoa&band=weekday_evening")
    expect(page.locator("#legend .bv-cell")).to_have_count(12)
    assert_swatches_painted(page)
    # distinct colours: a blank legend would give one colour (or none)
    colours = {s["bg"] for s in page.evaluate(_SWATCHES) if "bv-cell" in s["cls"]}
    assert len(colours) == 12
    # no CSP violation or script error in the console (inline styles were the old bug); the
    # only errors allowed are the unreachable basemap's tiles, which this test server lacks
    errors = [e for e in page.errors  # type: ignore[attr-defined]
              if "ERR_CONNECTION_REFUSED" not in e]
    assert errors == []
    # area paths carry their class as CSS (filled), outside areas are grey and unclassed
    fills = page.evaluate("""() => [...document.querySelectorAll('path.wr-gap-area')]
      .slice(0, 800).map((el) => [el.getAttribute('class'), getComputedStyle(el).fill])""")
    inside = [f for c, f in fills if "wr-class-" in c]
    assert inside and all(f.startswith("rgb(") for f in inside)
    assert all(f == "rgb(189, 189, 189)" for c, f in fills if "wr-outside" in c)
    assert page.locator("path.wr-class-3-0").count() > 0  # a real "no access" class
    # "Highest need, no there-and-back access" lists only 3-0; "low access" only 3-1
    chips = page.locator("#top-gaps .class-chip").all_inner_texts()
    assert chips and set(chips) == {"3-0"}
    assert set(page.locator("#low-gaps .class-chip").all_inner_texts()) <= {"3-1"}
    expect(page.locator("#region-rule")).to_contain_text("Newark and Sherwood")
    expect(page.locator("#region-rule")).not_to_contain_text("Gedling")
    assert page.locator("a[href='/method#round-trip']").count() >= 1
    expect(page.locator("#round-trip-rule")).to_contain_text("2 buses")
    page.locator("#legend").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "planner-legend.png", full_page=True)
    page.locator("#legend").screenshot(path=artifacts / "planner-legend-only.png")
    assert axe_violations(page) == []


def test_keyboard_only_picker_detail_and_no_area_tab_stops(
        page: Page, gaps_site: dict[str, str], artifacts: Path) -> None:
    open_planner(page, gaps_site["url"], "?level=ward&band=weekday_evening&audience=young")
    assert page.locator("path.wr-gap-area").count() >= 180
    # tabbing through the whole page never lands on an area path
    seen = set()
    page.locator("body").focus()
    for _ in range(120):
        page.keyboard.press("Tab")
        tag = page.evaluate("() => document.activeElement && document.activeElement.tagName")
        seen.add(tag)
    assert "path" not in {t.lower() for t in seen if t}
    # the area picker: type a ward name, press Enter, the detail opens and the area is drawn
    name = page.evaluate("""async () => (await (await fetch('/api/gaps/areas')).json())
      .areas.find((a) => a.level === 'ward' && a.lad_code === 'E07000175').name""")
    page.locator("#area-search").focus()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    expect(page.locator("#detail-heading")).to_have_text(name, timeout=30_000)
    assert page.evaluate("() => document.activeElement.id") == "detail-heading"
    expect(page.locator("path.wr-selected")).to_have_count(1)
    detail = page.locator("#detail")
    expect(detail).to_contain_text("Residents with a round trip (90% range)")
    expect(detail).to_contain_text("postcodes")
    expect(detail.locator("tr.is-current")).to_have_count(1)
    expect(detail.locator("tr.is-current")).to_contain_text("Weekday evening, Young people")
    assert "E2SFCA" not in detail.inner_text() and "origins" not in detail.inner_text().lower()
    assert_swatches_painted(page)
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "planner-detail.png", full_page=True)
    # CSV and GeoPackage links follow the controls; districts show values and ranks
    href = page.locator("#csv-link").get_attribute("href") or ""
    assert "format=csv" in href and "audience=young" in href and "band=weekday_evening" in href
    assert "format=gpkg" in (page.locator("#gpkg-link").get_attribute("href") or "")
    page.locator("#level").select_option("lad")
    expect(page.locator("#map")).to_have_attribute("data-level", "lad", timeout=30_000)
    expect(page.locator("#district-table tbody tr")).to_have_count(3)
    expect(page.locator("#legend")).to_contain_text("no classes")
    assert page.locator("#top-lists").is_hidden()
    # print view: parameters, legend and sources, no controls
    page.emulate_media(media="print")
    expect(page.locator("#print-params")).to_contain_text("45 minutes each way")
    expect(page.locator("#print-params")).to_contain_text("Compared within")
    expect(page.locator("#legend")).to_be_visible()
    expect(page.locator(".controls-panel")).to_be_hidden()
    # on paper the method's address is one a reader can type in, not a bare path
    origin = page.evaluate("location.origin")
    expect(page.locator("#printed-on")).to_contain_text(f"{origin}/method")
    page.screenshot(path=artifacts / "planner-print.png", full_page=True)


def test_region_control_reclassifies_within_the_chosen_districts(
        page: Page, gaps_site: dict[str, str]) -> None:
    open_planner(page, gaps_site["url"], "?level=ward")
    gedling = page.locator("#region-boxes input[value='E07000173']")
    expect(gedling).not_to_be_checked()
    before = page.locator("path.wr-outside").count()
    gedling.check()
    expect(page.locator("#region-rule")).to_contain_text("Gedling", timeout=30_000)
    expect(page.locator("#region-rule")).to_contain_text("chosen on this page")
    assert page.locator("path.wr-outside").count() < before
    assert "region=" in page.url


def test_what_if_by_venue_list_and_optimiser_sites(page: Page, gaps_site: dict[str, str],
                                                    artifacts: Path) -> None:
    open_planner(page, gaps_site["url"], "?level=ward&band=weekday_evening&audience=young")
    expect(page.locator("#wi-venue option")).not_to_have_count(0)
    page.locator("#wi-venue").select_option(label=page.locator("#wi-venue option", has_text=
                                                              "Mansfield Central Library")
                                            .first.inner_text())
    page.locator("#whatif-run").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#whatif-result")).to_contain_text("Nothing is saved", timeout=120_000)
    changed = int(page.locator("#map").get_attribute("data-whatif") or "0")
    assert changed > 0 and page.locator("path.wr-changed").count() == changed
    expect(page.locator("#whatif-result")).to_contain_text("Every other area keeps its class")
    page.locator("#whatif-result details[open] table").first.scroll_into_view_if_needed()
    page.locator("#whatif-result").screenshot(path=artifacts / "planner-whatif.png")
    assert page.locator(".wr-site-marker").count() == 1
    page.locator("#whatif-clear").click()
    expect(page.locator(".wr-site-marker")).to_have_count(0)
    expect(page.locator("path.wr-changed")).to_have_count(0)
    # placing by typed postcode
    page.locator("input[name=where][value=postcode]").check()
    page.locator("#wi-postcode").fill("NG24 1UW")
    page.locator("#whatif-run").click()
    expect(page.locator("#whatif-result")).to_contain_text("postcode NG24 1UW", timeout=120_000)
    # the optimiser shows its top sites on the map
    page.locator("#opt-k").select_option("3")
    page.locator("#opt-run").click()
    expect(page.locator("#opt-result ol li")).to_have_count(3, timeout=180_000)
    expect(page.locator(".wr-site-marker")).to_have_count(3)
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "planner-optimiser.png", full_page=True)


def test_two_runs_compare_on_the_page(page: Page, gaps_site: dict[str, str]) -> None:
    # the evening band: every run of this session computed it (the re-run test recomputes it)
    open_planner(page, gaps_site["url"], "?level=lad&band=weekday_evening")
    page.locator("#runs-box summary").click()
    expect(page.locator("#run-a option")).not_to_have_count(0)
    page.locator("#runs-form button").click()
    expect(page.locator("#runs-result")).to_contain_text("areas changed reach", timeout=30_000)


def test_what_if_by_clicking_the_map(page: Page, gaps_site: dict[str, str]) -> None:
    open_planner(page, gaps_site["url"], "?level=ward&band=weekday_evening&audience=young")
    page.locator("input[name=where][value=map]").check()
    page.locator("#whatif-place").click()
    expect(page.locator("#whatif-place")).to_have_attribute("aria-pressed", "true")
    point = page.evaluate(_POINT_IN_WARD)
    assert point, "no visible point inside an area of the region"
    page.mouse.click(point[0], point[1])
    expect(page.locator("#whatif-result")).to_contain_text("Nothing is saved", timeout=120_000)
    assert page.locator(".wr-site-marker").count() == 1


def test_small_screen_has_no_sideways_scroll(page: Page, gaps_site: dict[str, str]) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    open_planner(page, gaps_site["url"], "?band=weekday_evening")
    assert no_horizontal_overflow(page)
    page.locator("#top-gaps button").first.click()
    expect(page.locator("#detail")).to_contain_text("Share of residents reaching each category")
    assert no_horizontal_overflow(page)
    assert axe_violations(page) == []


_AREA_CLASSES = """() => [...document.querySelectorAll('path.wr-gap-area')]
  .map((el) => el.getAttribute('class').replace(' wr-selected', '')).join('|')"""


def _ward_losing_access(base: str) -> str:
    """Name of a Mansfield or Ashfield ward where older residents lose access before 09:30."""
    import httpx

    for lad in ("E07000174", "E07000170"):
        fc = httpx.get(base + "/api/gaps", params={"level": "ward", "district": lad},
                       timeout=60).json()
        for f in fc["features"]:
            d = httpx.get(base + f"/api/gaps/ward/{f['id']}", params={"free_with_pass": "true"},
                          timeout=60).json()
            if d["bands"]["weekday_day"]["free_with_pass"][
                    "residents_losing_access_before_0930"] > 0:
                return str(d["name"])
    raise AssertionError("no ward loses access before 09:30")


def test_free_with_a_bus_pass_changes_the_older_view_and_says_who_loses_access(
        page: Page, gaps_site: dict[str, str], artifacts: Path) -> None:
    import re

    open_planner(page, gaps_site["url"], "?level=ward&band=weekday_day")
    box = page.locator("#free_with_pass")
    expect(box).not_to_be_checked()
    page.locator("#audience").select_option("older")
    expect(page).to_have_url(re.compile("audience=older"), timeout=30_000)
    page.wait_for_function("() => !document.getElementById('status').textContent"
                           ".startsWith('Loading')", timeout=60_000)
    before = page.evaluate(_AREA_CLASSES)
    # keyboard only: focus the checkbox and press Space
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    expect(page.locator("#status")).to_contain_text("free with a bus pass", timeout=60_000)
    assert "free_with_pass=true" in page.url
    assert "free_with_pass=true" in (page.locator("#csv-link").get_attribute("href") or "")
    after = page.evaluate(_AREA_CLASSES)
    assert after != before  # the older residents' map changes
    # the detail panel says how many lose access because the only bus there is before 09:30
    name = _ward_losing_access(gaps_site["url"])
    page.locator("#area-search").fill(name)
    page.keyboard.press("Enter")
    expect(page.locator("#detail-heading")).to_have_text(name, timeout=30_000)
    detail = page.locator("#detail")
    expect(detail).to_contain_text("Free with a bus pass: older residents who lose access")
    current = detail.locator(".free-pass-list li.is-current")
    expect(current).to_contain_text("because the only way there leaves before 09:30")
    expect(detail).to_contain_text("free with the pass")
    assert axe_violations(page) == []
    # At 1280 px the side panel is too narrow for seven columns: every cell of the access
    # table is still shown whole, with its column's name, inside the panel (no clipping).
    access = detail.locator("table.stack-narrow")
    access.scroll_into_view_if_needed()
    assert page.evaluate(_CELLS_INSIDE_PANEL) == []
    labels = page.evaluate("""() => [...document.querySelectorAll(
      'table.stack-narrow tr.is-current td')]
      .map((td) => getComputedStyle(td, '::before').content)""")
    assert labels[0].startswith('"Residents with a round trip') and len(labels) == 6, labels
    # a tall window shows the whole panel (it scrolls within the screen's height)
    page.set_viewport_size({"width": 1280, "height": 2800})
    page.locator(".detail-panel").screenshot(path=artifacts / "planner-detail-access.png")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.locator("#free_with_pass").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "planner-free-pass.png", full_page=True)
    block = detail.locator(".free-pass")
    block.scroll_into_view_if_needed()
    block.screenshot(path=artifacts / "planner-free-pass-detail.png")
    # choosing everyone unticks the pass view; ticking it again selects older people
    page.locator("#audience").select_option("all")
    expect(box).not_to_be_checked()
    expect(page.locator("#status")).not_to_contain_text("free with a bus pass", timeout=60_000)
    box.check()
    expect(page.locator("#audience")).to_have_value("older")
    expect(page.locator("#status")).to_contain_text("free with a bus pass", timeout=60_000)
    # the view survives a reload from its URL
    open_planner(page, gaps_site["url"], "?level=ward&band=weekday_day&audience=older"
                 "&free_with_pass=true")
    expect(box).to_be_checked()
