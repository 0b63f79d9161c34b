"""/docs and /redoc render from our own vendored copies with every outside request blocked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.server import running_server

pytestmark = pytest.mark.browser

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="module")
def docs_site(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a live uvicorn (the docs need no data, only the migrated schema)."""
    with running_server(db_url, tmp_path_factory.mktemp("docs")) as srv:
        yield srv["url"]


def offline(page: Page) -> list[str]:
    """Abort every request that leaves the machine; return the list of those attempted."""
    outside: list[str] = []

    def handle(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.hostname in LOOPBACK:
            route.continue_()
        else:
            outside.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", handle)
    return outside


def test_swagger_ui_renders_offline(page: Page, docs_site: str, artifacts: Path) -> None:
    outside = offline(page)
    page.goto(docs_site + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Within Reach",
                                                                      timeout=30_000)
    # Every operation of the API is listed; opening one shows its parameters.
    ops = page.locator(".opblock")
    expect(ops.first).to_be_visible()
    assert ops.count() >= 20
    health = page.locator(".opblock-summary-path", has_text="/api/health").first
    health.click()
    expect(page.locator(".opblock.is-open")).to_be_visible()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    page.screenshot(path=artifacts / "docs-swagger.png", full_page=False)
    assert outside == []
    assert page.errors == []  # type: ignore[attr-defined]
    assert not page.locator(".errors-wrapper").count()  # no "failed to load API definition"


def test_redoc_renders_offline(page: Page, docs_site: str, artifacts: Path) -> None:
    outside = offline(page)
    page.goto(docs_site + "/redoc")
    expect(page.locator("h1")).to_contain_text("Within Reach", timeout=30_000)
    # The side menu lists the resources and the middle column documents every operation.
    expect(page.get_by_role("menuitem").first).to_be_visible()
    assert page.get_by_role("menuitem").count() >= 5
    assert page.locator('[data-section-id*="operation/"]').count() >= 20
    expect(page.locator("h2", has_text="Page Config").first).to_be_attached()
    page.screenshot(path=artifacts / "docs-redoc.png", full_page=False)
    assert outside == []
    assert page.errors == []  # type: ignore[attr-defined]
    # System fonts only: no @font-face was fetched from anywhere.
    assert not [u for u in page.requests if "font" in u.lower()]  # type: ignore[attr-defined]


def test_docs_pages_send_a_strict_script_policy(docs_site: str) -> None:
    for path in ("/docs", "/redoc"):
        r = httpx.get(docs_site + path)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-eval" not in csp
        assert "<script>" not in r.text  # init code is a file, not inline
    # The OpenAPI document itself no longer points anywhere outside.
    schema = httpx.get(docs_site + "/openapi.json").text
    assert "cdn.jsdelivr" not in schema and "fonts.googleapis" not in schema
