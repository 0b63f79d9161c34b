"""Finder page fixtures: live servers with and without a (local) tile server.

The browser itself (`browser`, `page`, `artifacts`) comes from tests/fixtures_browser.py.
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.finder.support import ensure_finder_data, free_port, running_server


def _png() -> bytes:
    """A valid 1x1 light-grey PNG, built by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"\x00\xdd\xdd\xdd"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class _Tiles(BaseHTTPRequestHandler):
    """A stand-in basemap tile server on localhost: every tile is the same grey PNG."""

    body = _png()
    served = 0

    def do_GET(self) -> None:
        type(self).served += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture(scope="session")
def tile_server() -> Iterator[str]:
    """URL template of a local tile server."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    httpd.shutdown()


@pytest.fixture(scope="session")
def finder_data(loaded_db: str, geodata: Path) -> str:
    """The session database with areas, the synthetic timetable and the sample directory."""
    ensure_finder_data(loaded_db, geodata)
    return loaded_db


@pytest.fixture(scope="session")
def site(finder_data: str, tile_server: str, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[dict[str, str]]:
    """The app on a live uvicorn with a working (local) basemap."""
    with running_server(finder_data, tmp_path_factory.mktemp("site"),
                        TILE_URL=tile_server) as srv:
        yield {**srv, "tiles": tile_server}


@pytest.fixture(scope="session")
def site_no_tiles(finder_data: str, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[dict[str, str]]:
    """The app with its basemap pointing at a local port where nothing listens."""
    dead = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"
    with running_server(finder_data, tmp_path_factory.mktemp("site-no-tiles"),
                        TILE_URL=dead) as srv:
        yield {**srv, "tiles": dead}
