"""The one error hierarchy of the app, and the single table that maps it to HTTP codes."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base of every error the app reports to a user; never carries a traceback to them."""

    status_code = 500
    code = "internal_error"
    headers: dict[str, str] | None = None  # extra response headers (e.g. Retry-After)

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        """Serialise for a JSON error body."""
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class InvalidInput(AppError):
    """A request parameter or body field is malformed or out of range."""

    status_code = 422
    code = "invalid_input"


class OutOfCoverage(InvalidInput):
    """The input is well-formed but outside the loaded region or timetable validity."""

    code = "out_of_coverage"


class NotFound(AppError):
    """The thing asked for does not exist."""

    status_code = 404
    code = "not_found"


class Unauthorized(AppError):
    """No valid credentials were given."""

    status_code = 401
    code = "unauthorized"


class Forbidden(AppError):
    """The credentials are valid but the role does not allow this."""

    status_code = 403
    code = "forbidden"


class Conflict(AppError):
    """The write was based on a stale version (optimistic locking)."""

    status_code = 409
    code = "conflict"


class PreconditionRequired(AppError):
    """A write needs an If-Match / version and none was given."""

    status_code = 428
    code = "precondition_required"


class TooManyRequests(AppError):
    """Too many attempts (sign-in throttling); `Retry-After` says when to try again."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, **extra: Any) -> None:
        super().__init__(message, retry_after=retry_after, **extra)
        self.headers = {"Retry-After": str(retry_after)}


class DatabaseUnavailable(AppError):
    """The database stopped answering (outage, restart); the request can be retried."""

    status_code = 503
    code = "database_unavailable"


class DataNotLoaded(AppError):
    """The dataset a request needs has not been loaded yet."""

    status_code = 503
    code = "data_not_loaded"


class IngestError(AppError):
    """A dataset could not be loaded; the message says file, line, column and reason."""

    status_code = 422
    code = "ingest_error"


# The one place where errors become HTTP status codes (documented in the README).
ERROR_STATUS: dict[type[AppError], int] = {
    cls: cls.status_code
    for cls in (
        AppError,
        InvalidInput,
        OutOfCoverage,
        NotFound,
        Unauthorized,
        Forbidden,
        Conflict,
        PreconditionRequired,
        TooManyRequests,
        DatabaseUnavailable,
        DataNotLoaded,
        IngestError,
    )
}


def status_for(exc: AppError) -> int:
    """Return the HTTP status for an error, walking up the class hierarchy."""
    for cls in type(exc).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 500
