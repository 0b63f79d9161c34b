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


# A coordinate as a client's location would appear in an error: a decimal with 3+ places.
_COORDINATE = re.compile(r"(?<![\w.])-?\d{1,3}\.\d{3,}(?![\w.])")
# SQLAlchemy appends bound values to a statement error: '[parameters: {...}]'.
_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\n|\(Background|$))", re.DOTALL)


def redact_error_text(text: str) -> str:
    """Redact an error message or traceback: bound parameters, postcodes and coordinates."""
    text = _PARAMETERS.sub("[parameters: " + REDACTED + "]", text)
    return _COORDINATE.sub(REDACTED, redact_text(text))


def redact_record(record: logging.LogRecord) -> None:
    """Rewrite a log record in place so no postcode, coordinate or SQL parameter survives.

    uvicorn's access records keep their argument tuple (its formatter reads it) with the
    request target redacted; any other record is flattened to its redacted message, and
    exception text and stack are formatted once, redacted, and kept as `exc_text`.
    """
    args = record.args
    if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) >= 3 \
            and isinstance(args[2], str):
        record.args = (*args[:2], redact_target(args[2]), *args[3:])
    else:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: keep what can be kept
            message = str(record.msg)
        record.msg, record.args = redact_error_text(message), None
    if record.exc_info:
        if record.exc_info[0] is not None:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        record.exc_info = None
    if record.exc_text:
        record.exc_text = redact_error_text(record.exc_text)
    if record.stack_info:
        record.stack_info = redact_error_text(record.stack_info)


_FORMATTER = logging.Formatter()


class RedactingFilter(logging.Filter):
    """Logging filter that redacts a record (see redact_record); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place and keep the record."""
        redact_record(record)
        return True


_BASE_FACTORY = logging.getLogRecordFactory()


def _redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _BASE_FACTORY(*args, **kwargs)
    redact_record(record)
    return record


def install_log_redaction() -> None:
    """Redact every log record of the process at creation (idempotent).

    A record factory covers every logger (uvicorn, SQLAlchemy's pool, the app, libraries)
    whatever handlers are configured; filters on uvicorn's loggers stay as a second line.
    """
    if logging.getLogRecordFactory() is not _redacting_factory:
        logging.setLogRecordFactory(_redacting_factory)
    for name in ("uvicorn.access", "uvicorn.error", "uvicorn", "app"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
