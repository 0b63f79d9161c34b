"""What every router shares: the request's database session and the typed route class."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute

from app.db import SessionDep
from app.schemas.base import Open

__all__ = ["SessionDep", "TypedRoute"]


class TypedRoute(APIRoute):
    """A route whose response model documents and checks a dict body without adding to it.

    Most services build their answers as dicts; with an `Open` model a field they leave
    out stays out (instead of appearing as null), so declaring the model never changes
    what a client receives. Models built as objects (the finder's) serialise as declared.
    """

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        model = kwargs.get("response_model")
        if isinstance(model, type) and issubclass(model, Open):
            kwargs["response_model_exclude_unset"] = True
        super().__init__(path, endpoint, **kwargs)
