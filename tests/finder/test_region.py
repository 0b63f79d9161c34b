"""The served region (SERVED_REGION): the finder refuses origins elsewhere with the true message.

Real data: a postcode inside (Mansfield), one in another Notts district (Nottingham), one
outside Nottinghamshire (Grantham, South Kesteven) and one outside the loaded directory.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine

from app.services.gaps.compute import GapParams, build_context
from app.services.gaps.query import comparison_region
from app.settings import get_settings
from tests.browser.helpers import open_finder
from tests.finder.support import running_server

pytestmark = pytest.mark.realdata

SERVED = "Mansfield, E07000170, newark and sherwood"  # names or codes, any case
COVERS = "the area this service covers (Ashfield, Mansfield, Newark and Sherwood)"
URL = "/api/reachable-activities"


@pytest.fixture(scope="module")
def served_site(finder_db: str, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[dict[str, str]]:
    """The app serving three Mid-Notts districts only."""
    with running_server(finder_db, tmp_path_factory.mktemp("served"), TILE_URL="",
                        SERVED_REGION=SERVED) as srv:
        yield srv


def ask(site: dict[str, str], **origin: object) -> httpx.Response:
    return httpx.post(site["url"] + URL, json={"origin": origin, "dates": ["2026-12-09"]},
                      timeout=120)


def test_origins_outside_the_served_region_are_refused_truly(
        served_site: dict[str, str]) -> None:
    inside = ask(served_site, postcode="NG18 1AA")
    assert inside.status_code == 200, inside.text
    cases = {
        ("postcode", "ng1 1aa"): f"NG1 1AA is in Nottingham, outside {COVERS}",
        ("postcode", "NG1"): f"NG1 is in Nottingham, outside {COVERS}",
        ("postcode", "NG31 0AD"): f"NG31 0AD is outside {COVERS}",  # Grantham, Lincolnshire
        ("postcode", "SW1A 1AA"): f"SW1A 1AA is outside {COVERS}",
    }
    for (key, value), message in cases.items():
        r = ask(served_site, **{key: value})
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["message"] == message
        assert body["field"] == "origin.postcode"
        assert [d["name"] for d in body["covered_districts"]] == [
            "Ashfield", "Mansfield", "Newark and Sherwood"]
    point = ask(served_site, lat=52.9540, lon=-1.1500)  # Nottingham city centre
    assert point.status_code == 422
    assert point.json()["message"] == f"That location is in Nottingham, outside {COVERS}"
    config = httpx.get(served_site["url"] + "/api/config", timeout=30).json()
    assert config["region_label"] == "Ashfield, Mansfield, Newark and Sherwood"
    log = Path(served_site["log"]).read_text()
    for pc in ("NG1 1AA", "NG11AA", "NG31 0AD", "SW1A 1AA", "NG18 1AA"):
        assert pc not in log.upper()  # postcodes are never logged


@pytest.mark.browser
def test_finder_page_shows_the_served_region_message(page: Page, served_site: dict[str, str],
                                                     artifacts: Path) -> None:
    open_finder(page, served_site["url"])
    expect(page.locator("#region-label")).to_have_text(
        "Region: Ashfield, Mansfield, Newark and Sherwood")
    page.get_by_label("Client's postcode").fill("NG1 1AA")
    page.locator("#date-from").fill("2026-12-09")
    page.locator("#date-to").fill("2026-12-09")
    page.get_by_role("button", name="Find activities").click()
    status = page.locator("#form-status")
    expect(status).to_contain_text(f"NG1 1AA is in Nottingham, outside {COVERS}",
                                   timeout=30_000)
    expect(page.locator("#postcode-error")).to_contain_text("is in Nottingham, outside")
    page.screenshot(path=artifacts / "finder-served-region.png")


def test_the_gap_batch_and_classes_follow_the_served_region(
        finder_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    eng = create_engine(finder_db)
    ref = dt.date(2026, 11, 22)
    try:
        with eng.connect() as conn:
            every = build_context(conn, GapParams(reference=ref))
            monkeypatch.setenv("SERVED_REGION", SERVED)
            get_settings.cache_clear()
            served = build_context(conn, GapParams(reference=ref))
    finally:
        get_settings.cache_clear()
        eng.dispose()
    assert every.params.region == ()
    assert served.params.region == ("E07000170", "E07000174", "E07000175")
    assert set(served.areas.lad_codes) == set(served.params.region)
    assert len(set(every.areas.lad_codes)) > 3
    assert 0 < len(served.origins) < len(every.origins)
    assert set(served.origins.area_codes.tolist()) <= set(served.areas.codes)
    # the stored run's region bounds the planner's comparison region
    st = {"params": served.params.as_dict() | {"district_listings": {"E07000174": 90,
                                                                     "E06000018": 40}}}
    assert os.environ.get("PLANNER_REGION") is None
    assert comparison_region(st, None)[0] == ["E07000174"]
