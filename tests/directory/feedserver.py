"""A loopback HTTP server on a free port that plays directory feeds from a dict of routes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.server import free_port

# A route answers (status, body) for the query it was asked with.
Route = Callable[[dict[str, str]], tuple[int, Any]]


@dataclass
class FeedServer:
    """Routes by path (editable while running) and every request seen (path, query)."""

    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def json(self, path: str, body: Any, status: int = 200) -> None:
        """Serve a fixed JSON body at `path`."""
        self.routes[path] = lambda _q: (status, body)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        """Queries of every request made to `path`."""
        return [q for p, q in self.seen if p == path]


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    """Start the server on 127.0.0.1 and stop it afterwards."""
    port = free_port()
    state = FeedServer(f"http://127.0.0.1:{port}")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            state.seen.append((parts.path, query))
            route = state.routes.get(parts.path)
            status, body = route(query) if route else (404, {"error": "not found"})
            raw = body if isinstance(body, bytes) else (
                body.encode() if isinstance(body, str) else json.dumps(body).encode())
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
