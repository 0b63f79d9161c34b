"""Keep client postcodes and locations out of logs: redaction for paths, queries and messages."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

# A full or partial UK postcode, allowing the URL-encoded forms of the space.
_POSTCODE = re.compile(
    r"\b[A-Z]{1,2}[0-9][A-Z0-9]?(?:\s|%20|\+)*[0-9][A-Z]{2}\b", re.IGNORECASE
)
# Path segments that always carry a place the user typed.
_PLACE_SEGMENT = re.compile(r"(/api/postcodes/)[^/?#]+", re.IGNORECASE)
REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    """Replace anything shaped like a postcode in free text."""
    return _POSTCODE.sub(REDACTED, text)


def redact_target(target: str) -> str:
    """Redact a request target: place path segments, every query value, and stray postcodes.

    Query values are all dropped because a near=, from= or q= value can locate a person;
    the keys stay so the log remains useful.
    """
    path, sep, query = target.partition("?")
    path = _PLACE_SEGMENT.sub(lambda m: m.group(1) + REDACTED, path)
    path = redact_text(unquote_plus(path)) if _POSTCODE.search(unquote_plus(path)) else path
    if not sep:
        return path
    keys = [part.split("=", 1)[0] for part in query.split("&") if part]
    return path + "?" + "&".join(f"{redact_text(k)}={REDACTED}" for k in keys)


class RedactingFilter(logging.Filter):
    """Logging filter for uvicorn's access log (args: client, method, target, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the request target in place; never drops a record."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_target(args[2]), *args[3:])
        elif isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        return True


def install_log_redaction() -> None:
    """Attach the redacting filter to the access and error loggers (idempotent)."""
    for name in ("uvicorn.access", "uvicorn.error", "uvicorn", "app"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
