"""The web pages and the small config document they read at start-up."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy.orm import Session

from app.api.deps import SessionDep, TypedRoute
from app.directory.vocab import AUDIENCES, CATEGORIES
from app.schemas.health import PageConfig
from app.services.datasets import attributions, sample_region_loaded
from app.services.examples import example_postcode
from app.services.notices import data_notices
from app.services.region import region_label
from app.settings import PROJECT_ROOT, get_settings

router = APIRouter(route_class=TypedRoute)
STATIC = PROJECT_ROOT / "static"


def tile_origin(tile_url: str) -> str | None:
    """The scheme://host[:port] of the basemap tiles ({s} subdomains become a wildcard)."""
    parts = urlsplit(tile_url.replace("{s}", "tiles-subdomain"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.replace('tiles-subdomain', '*')}"


def page_headers() -> dict[str, str]:
    """Security headers for our pages: only our own scripts, styles and API; tiles from the
    configured basemap host only; no referrer sent anywhere."""
    tiles = tile_origin(get_settings().tile_url or "")
    img = "'self' data:" + (f" {tiles}" if tiles else "")
    csp = ("default-src 'self'; script-src 'self'; style-src 'self'; "
           f"img-src {img}; connect-src 'self'; font-src 'self'; object-src 'none'; "
           "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
    return {"Content-Security-Policy": csp, "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}


def page(name: str) -> FileResponse:
    """Serve one of our static HTML pages with the security headers."""
    return FileResponse(STATIC / name, media_type="text/html", headers=page_headers())


# The directory-upkeep pages (report a change, confirm a listing, moderation) share one head;
# each page's body is a file in static/pages/.
UPKEEP_HEAD = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title} · Within Reach</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/css/base.css">
<link rel="stylesheet" href="/static/css/review.css">
<script type="module" src="/static/js/{script}"></script>
</head>
<body>
"""


def upkeep_page(name: str, title: str) -> HTMLResponse:
    """One of the upkeep pages: the shared head, static/pages/<name>.html, its module."""
    body = (STATIC / "pages" / f"{name}.html").read_text(encoding="utf-8")
    head = UPKEEP_HEAD.format(title=html.escape(title), script=f"{name}.js")
    return HTMLResponse(head + body + "</body>\n</html>\n", headers=page_headers())


@router.get("/", include_in_schema=False)
def finder_page() -> FileResponse:
    """The link worker's finder."""
    return page("index.html")


@router.get("/api/config", tags=["health"], response_model=PageConfig)
def page_config(session: SessionDep) -> dict[str, Any]:
    """Basemap settings, region label and data attributions for the web pages."""
    settings = get_settings()
    sample = sample_region_loaded(session)
    return {
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
        "sample_region": bool(sample),
        "region_label": "Fictional sample region (not real places)" if sample else
        region_label(session.connection()),
        "attributions": attributions(session),
        # A postcode that exists in what is loaded, for the finder's hint and placeholder.
        "example_postcode": _example(session, sample_region=bool(sample)),
        "categories": [{"code": t.code, "label": t.name} for t in CATEGORIES],
        "audiences": [{"code": t.code, "label": t.name} for t in AUDIENCES],
        # Synthetic timetables, illustrative listings, the fictional region: from the data.
        "notices": data_notices(session.connection()),
    }


def _example(session: Session, *, sample_region: bool) -> dict[str, str] | None:
    """A loaded postcode amid the listings, and its outward code, for the finder's hint."""
    found = example_postcode(session, sample_region=sample_region)
    return None if found is None else {"postcode": found, "outward": found.split(" ")[0]}
