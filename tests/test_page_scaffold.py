"""Every page shares one head pattern and the scaffolding in static/js/page.js (issue 15).

The pages are read as the app serves them (the upkeep pages are a shared head around a body
in static/pages/), so no database is needed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import app
from app.settings import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"
PAGES = ["/", "/planner", "/report", "/confirm", "/moderation"]
IMPORT = re.compile(r"""^import\s[^;]*?from\s+["']([^"']+)["']""", re.M)


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script = False
        self.data_in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.data_in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.data_in and self.data_in[-1] == tag:
            self.data_in.pop()

    def handle_data(self, data: str) -> None:
        if self.data_in and self.data_in[-1] == "script" and data.strip():
            self.inline_script = True


def _imports(module: Path, seen: set[Path]) -> set[Path]:
    """Every static/js module `module` imports, transitively."""
    for spec in IMPORT.findall(module.read_text(encoding="utf-8")):
        if "/vendor/" in spec:
            continue
        target = (PROJECT_ROOT / spec.lstrip("/")) if spec.startswith("/") else \
            (module.parent / spec).resolve()
        if target not in seen:
            seen.add(target)
            _imports(target, seen)
    return seen


def test_every_page_is_checked() -> None:
    """Each full page in static/ is served at one of PAGES (the upkeep bodies are not pages)."""
    assert {p.name for p in STATIC.glob("*.html")} == {"index.html", "planner.html"}
    assert {p.stem for p in (STATIC / "pages").glob("*.html")} == {"report", "confirm",
                                                                     "moderation"}


@pytest.mark.parametrize("path", PAGES)
def test_page_follows_the_shared_pattern(path: str) -> None:
    response = TestClient(app).get(path)
    assert response.status_code == 200
    assert "script-src 'self';" in response.headers["content-security-policy"]
    parsed = _Head()
    parsed.feed(response.text)
    tags = parsed.tags
    # Strict CSP: no inline scripts, style elements or style attributes.
    assert not parsed.inline_script
    assert not any(t == "style" or "style" in a for t, a in tags)
    metas = [a for t, a in tags if t == "meta"]
    assert {"charset": "utf-8"} in metas
    assert any(a.get("name") == "viewport" for a in metas)
    assert {"name": "referrer", "content": "no-referrer"} in metas
    sheets = [a["href"] for t, a in tags if t == "link" and a.get("rel") == "stylesheet"]
    assert "/static/css/base.css" in sheets
    # A skip link first, to an element that exists.
    skip = next(a for t, a in tags if t == "a")
    assert "skip-link" in (skip.get("class") or "")
    assert any(a.get("id") == (skip["href"] or "").lstrip("#") for _, a in tags)
    # The page's module uses the shared scaffolding.
    scripts = [a for t, a in tags if t == "script"]
    assert scripts and all(a.get("type") == "module" and a.get("src") for a in scripts)
    entry = PROJECT_ROOT / scripts[0]["src"].lstrip("/")  # type: ignore[union-attr]
    assert STATIC / "js" / "page.js" in _imports(entry, set())
