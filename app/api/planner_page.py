"""The planner's gap map page (/planner) and the method note as HTML (/method)."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse
from markdown_it import MarkdownIt

from app.api.pages import page, page_headers
from app.settings import PROJECT_ROOT

router = APIRouter()
METHOD_MD = PROJECT_ROOT / "docs" / "method.md"


def slug(heading: str) -> str:
    """Anchor of a heading: lower case, a leading section number dropped, dashes."""
    text = re.sub(r"^\s*\d+(\.\d+)*\.?\s*", "", heading).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@lru_cache(maxsize=4)
def method_html(mtime: float) -> str:
    """docs/method.md rendered once per file version, every heading with an id anchor."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(METHOD_MD.read_text(encoding="utf-8"))
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and i + 1 < len(tokens):
            tok.attrSet("id", slug(tokens[i + 1].content))
    body = md.renderer.render(tokens, md.options, {})
    return f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{html.escape("Within Reach: how the planner's figures are calculated")}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/css/base.css">
<link rel="stylesheet" href="/static/css/planner.css">
</head>
<body class="method-page">
<a class="skip-link" href="#main">Skip to the method</a>
<header class="site-header">
  <p class="brand"><a href="/planner">Within Reach: planner</a> · <a href="/">finder</a></p>
</header>
<main id="main" class="method">
{body}
</main>
</body>
</html>"""


@router.get("/planner", include_in_schema=False)
def planner_page() -> FileResponse:
    """The planner's gap map, with the same security headers as the finder."""
    return page("planner.html")


@router.get("/method", include_in_schema=False)
def method_page() -> HTMLResponse:
    """docs/method.md as HTML; the round-trip definition is at /method#round-trip."""
    return HTMLResponse(method_html(METHOD_MD.stat().st_mtime), headers=page_headers())


@router.get("/planner/method.md", include_in_schema=False)
def planner_method() -> FileResponse:
    """docs/method.md as Markdown (the source of /method)."""
    return FileResponse(METHOD_MD, media_type="text/markdown")
