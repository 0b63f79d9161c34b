"""ASGI guards around the app: refuse unusable text early, and never end a request without JSON.

`InputGuard` refuses NUL bytes, lone UTF-16 surrogates and invalid UTF-8 in the path, the
query string and JSON or form bodies (PostgreSQL cannot store them, so they used to end in a
500), with a 422 naming the field; malformed JSON and oversized bodies get the app's error
shape too. `SafetyNet` turns any exception that escapes the app into a JSON 500 (or a 503 when
the database went away), and swallows errors raised after a response was completely sent
(e.g. session teardown on a dead connection) so the keep-alive connection stays usable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import DatabaseUnavailable

log = logging.getLogger("app")

MAX_BODY_BYTES = 1_000_000
_JSON_TYPES = ("application/json", "application/merge-patch+json", "application/geo+json")
_FORM_TYPE = "application/x-www-form-urlencoded"


class Refusal(Exception):
    """A request refused before the app sees it: status, error code, field and message."""

    def __init__(self, status: int, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.field, self.message = status, code, field, message

    def body(self) -> dict[str, Any]:
        """The app's error shape (as AppError.to_dict)."""
        problems = [{"field": self.field, "message": self.message}]
        return {"error": self.code, "message": f"{self.field}: {self.message}",
                "field": self.field, "problems": problems}


def bad_text(value: str) -> str | None:
    """Why a string cannot be stored (NUL byte, lone surrogate), or None if it is fine."""
    if "\x00" in value:
        return "must not contain NUL (\\u0000) characters"
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        return "contains a lone UTF-16 surrogate (not valid Unicode text)"
    return None


def check_json(raw: bytes) -> None:
    """Refuse a JSON body that is not UTF-8, malformed, or holds unstorable text."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal(422, "invalid_input", "body",
                      f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        return  # an empty body: the route decides whether one is required
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise Refusal(422, "invalid_input", "body",
                      f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
                      ) from None
    except (ValueError, RecursionError) as exc:
        raise Refusal(422, "invalid_input", "body", f"malformed JSON: {exc}") from None
    _walk(doc)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _walk(doc: Any) -> None:
    """Check every key and string value, naming the first bad one as a dotted field path."""
    stack: list[tuple[tuple[str, ...], Any]] = [((), doc)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            why = bad_text(value)
            if why:
                raise Refusal(422, "invalid_input", ".".join(path) or "body", why)
        elif isinstance(value, dict):
            for key, item in value.items():
                why = bad_text(key)
                if why:
                    raise Refusal(422, "invalid_input", ".".join(path) or "body",
                                  f"a key {why}")
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, str(i)), item) for i, item in enumerate(value))


def check_pairs(raw: str, where: str) -> None:
    """Check `a=b&c=d` (a query string or a form body): each name and value must be text."""
    for part in raw.split("&"):
        if not part:
            continue
        key_raw, _, value_raw = part.partition("=")
        try:
            key = unquote_plus(key_raw, errors="strict")
        except UnicodeDecodeError:
            raise Refusal(422, "invalid_input", where, "a name is not UTF-8 text") from None
        field = key if key and bad_text(key) is None else where
        try:
            value = unquote_plus(value_raw, errors="strict")
        except UnicodeDecodeError:
            raise Refusal(422, "invalid_input", field, "is not UTF-8 text") from None
        why = bad_text(key) or bad_text(value)
        if why:
            raise Refusal(422, "invalid_input", field, why)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


async def _reply(send: Send, status: int, body: dict[str, Any],
                 headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


class InputGuard:
    """Refuse NUL bytes, lone surrogates, bad UTF-8 and malformed JSON with a 422 (see module)."""

    def __init__(self, app: ASGIApp, routes: Callable[[], list[Any]] | None = None,
                 max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.routes = routes
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check path, query and body, then pass the (replayed) request on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            self._check_path(scope)
            check_pairs(scope.get("query_string", b"").decode("latin-1"), "query")
            body = await self._body(scope, receive)
        except Refusal as no:
            await _reply(send, no.status, no.body())
            return
        if body is not None:
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _check_path(self, scope: Scope) -> None:
        path = scope.get("path", "")
        why = bad_text(path) or ("is not UTF-8 text" if "\ufffd" in path else None)
        if not why:
            return
        field = "path"
        for route in self.routes() if self.routes else []:
            regex = getattr(route, "path_regex", None)
            match = regex.match(path) if regex is not None else None
            if match:
                bad = [k for k, v in match.groupdict().items()
                       if bad_text(v) or "\ufffd" in v]
                field = bad[0] if bad else field
                break
        raise Refusal(422, "invalid_input", field, why)

    async def _body(self, scope: Scope, receive: Receive) -> bytes | None:
        """Read and check the body of a write; None when the request has no body to check."""
        if scope.get("method") not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_body:
            raise Refusal(413, "payload_too_large", "body",
                          f"larger than {self.max_body:,} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise Refusal(413, "payload_too_large", "body",
                              f"larger than {self.max_body:,} bytes")
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        ctype = _header(scope, b"content-type").split(";")[0].strip().lower()
        if ctype in _JSON_TYPES or ctype.endswith("+json"):
            check_json(body)
        elif ctype == _FORM_TYPE:
            check_pairs(body.decode("latin-1"), "body")
        elif b"\x00" in body:
            raise Refusal(422, "invalid_input", "body", "must not contain NUL bytes")
        return body


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def database_gone(exc: BaseException) -> bool:
    """True for errors that mean the database is unreachable rather than a bug."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def route_of(scope: Scope) -> str:
    """The route template of a request (never the concrete path, which may hold a postcode)."""
    return str(getattr(scope.get("route"), "path", "request"))


DB_DOWN_BODY = DatabaseUnavailable("the database is not reachable; try again in a moment"
                                   ).to_dict()


class SafetyNet:
    """The outermost guard: every request ends in a JSON response, the connection stays open."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; answer 500/503 JSON for escaped errors, or swallow late ones."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = finished = False

        async def tracking(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            gone = database_gone(exc)
            # The privacy log filter strips parameters and places from the exception text.
            if gone:
                log.error("database unavailable during %s %s: %s", scope.get("method"),
                          route_of(scope), type(exc).__name__)
            else:
                log.exception("unhandled error in %s request", scope.get("method"))
            if finished:
                return  # the client has its whole answer; keep the connection alive
            if started:
                raise  # half a response: closing the connection is all that is left
            if gone:
                await _reply(send, 503, DB_DOWN_BODY, {"Retry-After": "5"})
            else:
                await _reply(send, 500, {"error": "internal_error",
                                         "message": "unexpected server error; it was logged"})
