"""ORUK ids are UUIDs: ids of ours that are not (a CSV's 'svc-4') are published as a stable
UUID made from them, and mapped back when a consumer asks for one; pure."""

from __future__ import annotations

import re
import uuid
from typing import Any

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")
_NS = uuid.UUID("6f1c2d47-3b8e-4d5a-9c1f-2e7b8a9d0c13")
ID_KEYS = frozenset({"id", "service_id", "location_id", "organization_id",
                     "service_at_location_id", "link_id", "contact_id", "taxonomy_term_id",
                     "taxonomy_id", "parent_id", "parent_organization_id"})
# Keys whose values are our own extensions, not ORUK objects (left as stored).
_SKIP = frozenset({"sources"})
# The SQL form of "not a UUID", to find the few stored ids that need mapping back.
NOT_UUID_SQL = "!~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'"


def is_uuid(raw: str) -> bool:
    """True when `raw` is already a UUID."""
    return bool(_UUID.match(raw))


def public_id(raw: str) -> str:
    """The UUID an id is published under (itself when it is one)."""
    return raw if is_uuid(raw) else str(uuid.uuid5(_NS, raw))


def public_ids(doc: Any) -> Any:
    """A copy of an ORUK document with every id field a UUID."""
    if isinstance(doc, dict):
        return {k: (public_id(v) if k in ID_KEYS and isinstance(v, str) else
                    v if k in _SKIP else public_ids(v)) for k, v in doc.items()}
    if isinstance(doc, list):
        return [public_ids(v) for v in doc]
    return doc


def stored_id(given: str, candidates: list[str]) -> str:
    """The stored id a published one stands for: itself, or the candidate that maps to it."""
    for raw in candidates:
        if public_id(raw) == given:
            return raw
    return given
