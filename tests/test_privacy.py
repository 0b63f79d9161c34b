"""Redaction of postcodes and locations from request targets and log messages."""

from __future__ import annotations

import logging

import pytest

from app.privacy import RedactingFilter, redact_target, redact_text


@pytest.mark.parametrize("target", [
    "/api/postcodes/NG18%201AA", "/api/postcodes/ng181aa", "/api/postcodes/NG18",
    "/api/activities?near=NG18+1AA&radius_m=500", "/x?postcode=ng18%201aa",
    "/api/journeys?from=53.14,-1.19&to=53.1,-1.2",
])
def test_targets_lose_places(target: str) -> None:
    out = redact_target(target)
    for secret in ("NG18", "ng18", "53.14", "1AA", "1aa"):
        assert secret not in out


def test_free_text() -> None:
    assert "NG18" not in redact_text("lookup for NG18 1AA failed")


def test_filter_rewrites_uvicorn_access_record() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/api/postcodes/NG18%201AA", "1.1", 200),
                               None)
    RedactingFilter().filter(record)
    assert "NG18" not in record.getMessage()
