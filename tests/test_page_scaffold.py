"""Every page shares one head pattern and the scaffolding in static/js/page.js (issue 15)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"
PAGES = sorted(STATIC.glob("*.html"))
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


def test_there_are_pages() -> None:
    assert {p.name for p in PAGES} >= {"index.html", "planner.html", "report.html",
                                       "moderation.html", "confirm.html"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_follows_the_shared_pattern(page: Path) -> None:
    parsed = _Head()
    parsed.feed(page.read_text(encoding="utf-8"))
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
