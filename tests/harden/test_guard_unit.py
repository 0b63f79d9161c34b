"""The ASGI guards on their own: late errors are swallowed, early ones become JSON."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from typing import Any

from sqlalchemy.exc import OperationalError

from app.guard import Refusal, SafetyNet, bad_text, check_pairs


def _run(app: Any) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    call = SafetyNet(app)({"type": "http", "method": "GET", "path": "/x"}, receive, send)
    # A thread of its own: the browser tests keep an event loop running in the main thread.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, call).result()
    return sent


def test_error_after_a_complete_response_is_swallowed() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})
        # e.g. closing the session on a connection the database dropped
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection"))

    sent = _run(app)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200


def test_database_loss_before_the_response_is_a_json_503() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    sent = _run(app)
    assert sent[0]["status"] == 503
    assert json.loads(sent[1]["body"])["error"] == "database_unavailable"


def test_any_other_escape_is_a_json_500() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise TypeError("can't compare offset-naive and offset-aware times")

    sent = _run(app)
    assert sent[0]["status"] == 500
    assert json.loads(sent[1]["body"])["error"] == "internal_error"


def test_text_checks() -> None:
    assert bad_text("ok") is None and bad_text("a\x00") and bad_text("\ud800")
    assert bad_text("😀") is None
    for raw, field in (("q=a%00b", "q"), ("near=%ED%A0%80", "near"), ("x=%ff", "x")):
        try:
            check_pairs(raw, "query")
        except Refusal as no:
            assert no.field == field and no.status == 422
        else:
            raise AssertionError(raw)
    check_pairs("q=caf%C3%A9&near=NG18+1AA&&", "query")
