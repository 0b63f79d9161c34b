"""The base of every response model: documented fields, unknown ones passed through."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Open(BaseModel):
    """A response body: its documented fields, and any others the service adds, unchanged."""

    # Responses are built by the services as dicts; the model documents and checks them,
    # and must never drop a field a client already reads.
    model_config = ConfigDict(extra="allow", populate_by_name=True)
