"""Interactive API documentation (/docs, Swagger UI) and the reference (/redoc, ReDoc).

FastAPI's defaults load both from a CDN and fonts from a font service; these pages use the
copies vendored from npm into static/vendor, so the docs work offline and call no one.
"""

from __future__ import annotations

import threading
from html import escape
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
OPENAPI_URL = "/openapi.json"

# Scripts only from us (each page's start-up code is a file in static/docs); both libraries set
# inline styles (React style props, ReDoc's styled-components) and ReDoc indexes its search in
# a blob: worker.
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": DOCS_CSP, "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}


def docs_page(title: str, root_id: str, styles: tuple[str, ...], scripts: tuple[str, ...]
              ) -> HTMLResponse:
    """An HTML shell that loads the given styles and scripts and names the OpenAPI URL."""
    links = "".join(f'<link rel="stylesheet" href="{escape(s)}">\n' for s in styles)
    tags = "".join(f'<script src="{escape(s)}" defer></script>\n' for s in scripts)
    html = f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="icon" href="data:,">
{links}{tags}</head>
<body>
<div id="{root_id}" data-openapi="{OPENAPI_URL}"></div>
<noscript>This page needs JavaScript; the OpenAPI document itself is at
<a href="{OPENAPI_URL}">{OPENAPI_URL}</a>.</noscript>
</body>
</html>
"""
    return HTMLResponse(html, headers=HEADERS)


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    """Swagger UI on /openapi.json, from the vendored swagger-ui-dist."""
    return docs_page("Within Reach API: interactive documentation", "swagger-ui",
                     ("/static/vendor/swagger-ui/swagger-ui.css",),
                     ("/static/vendor/swagger-ui/swagger-ui-bundle.js",
                      "/static/docs/swagger-init.js"))


@router.get("/redoc")
def redoc() -> HTMLResponse:
    """ReDoc on /openapi.json, from the vendored redoc bundle."""
    return docs_page("Within Reach API: reference", "redoc", ("/static/docs/redoc.css",),
                     ("/static/vendor/redoc/redoc.standalone.js", "/static/docs/redoc-init.js"))


def warm_openapi(app: FastAPI) -> None:
    """Build the OpenAPI document in the background at start-up, once.

    It takes seconds (FastAPI builds a schema for every field of every response model);
    a request for /openapi.json or /docs meanwhile waits for that one build to finish
    instead of starting its own.
    """
    build = app.openapi
    lock = threading.Lock()

    def openapi() -> dict[str, Any]:
        with lock:
            return build()

    app.openapi = openapi  # type: ignore[method-assign]
    threading.Thread(target=openapi, name="openapi-warm", daemon=True).start()
