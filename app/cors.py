"""CORS for public reads only: `Access-Control-Allow-Origin: *` on GET/HEAD of the open API.

Sign-in, the admin API and every write get no CORS headers at all, so a page on another
origin cannot read a login response or script an editor's browser into writing.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

_PRIVATE_PREFIXES = ("/api/auth", "/api/admin")
_READ_METHODS = ("GET", "HEAD")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1")).strip().upper()
    return ""


def is_public_read(scope: Scope) -> bool:
    """True for a GET/HEAD (or its preflight) outside the sign-in and admin API."""
    path = scope.get("path", "")
    if any(path == p or path.startswith(p + "/") for p in _PRIVATE_PREFIXES):
        return False
    method = scope.get("method", "")
    if method == "OPTIONS":
        return _header(scope, b"access-control-request-method") in _READ_METHODS
    return method in _READ_METHODS


class PublicReadCORS:
    """Send public reads through Starlette's CORS middleware, everything else around it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=["*"], allow_methods=list(_READ_METHODS),
                                   allow_headers=["*"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch on method and path."""
        if scope["type"] == "http" and is_public_read(scope):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
