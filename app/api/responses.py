"""OpenAPI documentation of the app's error responses (the shape of AppError.to_dict)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Problem(BaseModel):
    """One problem with a request: the field and what is wrong with it."""

    field: str
    message: str


class ErrorBody(BaseModel):
    """Every error the API returns: a code, a message, and the field it concerns."""

    model_config = ConfigDict(extra="allow")
    error: str
    message: str
    field: str | None = None
    problems: list[Problem] | None = None


_WHY = {
    401: "No valid login token (missing, expired, revoked or forged).",
    403: "Signed in, but the role does not allow this.",
    404: "No such listing.",
    409: "The listing changed since it was read (stale If-Match); reload and apply again.",
    422: "Invalid fields (every problem listed, each naming its field).",
    428: "If-Match is required: send the ETag from GET /api/activities/{id}.",
    429: "Too many attempts; the Retry-After header says how many seconds to wait.",
}


def error_responses(*codes: int, **why: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the given error codes, with the app's error body."""
    text = {int(k.removeprefix("e")): v for k, v in why.items()}
    return {code: {"model": ErrorBody, "description": text.get(code, _WHY[code])}
            for code in codes}
