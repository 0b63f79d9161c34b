"""Editing listings: create, update with optimistic locking, status changes, verify; all audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from app.auth.users import User
from app.directory.validation import Problem, build_activity
from app.errors import Conflict, InvalidInput, NotFound, PreconditionRequired
from app.services.directory.audit import record_change
from app.services.directory.read import get_activity
from app.services.directory.venues import save_access
from app.services.directory.write import bound_problems, save_activity

# Fields of the stored listing that an edit body may set (the rest are system-managed).
_EDITABLE = (
    "name", "description", "url", "email", "status", "alert", "primary_category",
    "categories", "audiences", "activity_type", "minimum_age", "maximum_age",
    "eligibility_criteria", "accepts_referrals", "referral_route", "drop_in", "capacity",
    "delivery_mode", "what_to_bring", "contact_name", "contact_email", "contact_phone",
    "organization", "locations", "schedules", "cost_options")


_IF_MATCH = re.compile(r'(?:W/)?(?:"v?([0-9]{1,9})"|v?([0-9]{1,9}))', re.ASCII)


def etag(version: int) -> str:
    """The ETag of a listing version."""
    return f'"v{version}"'


def parse_if_match(raw: str | None) -> int | None:
    """The version named by an If-Match header ("v3", W/"v3" or 3), or None if absent."""
    if raw is None or not raw.strip():
        return None
    # ASCII digits only: str.isdigit() also accepts '²', which int() then refuses.
    m = _IF_MATCH.fullmatch(raw.strip())
    if m is None:
        raise InvalidInput('If-Match must be one ETag from a GET, e.g. "v3"', field="If-Match")
    return int(m.group(1) or m.group(2))


def problems_error(problems: list[Problem]) -> InvalidInput:
    """One 422 that lists every problem, shaped like the app's request-validation errors."""
    first = problems[0]
    return InvalidInput(f"{first.field}: {first.message}", field=first.field,
                        problems=[p.as_dict() for p in problems])


def stored_to_input(a: dict[str, Any]) -> dict[str, Any]:
    """Turn a stored listing (get_activity) back into the editable input shape."""
    raw = {k: a.get(k) for k in _EDITABLE if k in a}
    # The primary category is already first in `categories`.
    raw["primary_category"] = None
    raw["cost_options"] = a.get("costs") or []
    raw["locations"] = a.get("locations") or []
    raw["schedules"] = a.get("schedules") or []
    raw["id"] = a["id"]
    raw["last_verified_at"] = a.get("last_verified_at")
    raw["verified_by"] = a.get("verified_by")
    raw["status"] = a.get("status")
    raw["oruk_extra"] = a.get("oruk_extra") or {}
    return raw


def _fill_venues(conn: Connection, raw: dict[str, Any]) -> None:
    """A location given only by id means an existing venue: fill in its stored details."""
    for loc in raw.get("locations") or []:
        if isinstance(loc, dict) and loc.get("id") and not loc.get("name"):
            row = conn.execute(text(
                "SELECT id, name, description, venue_type, address_1, city, postcode, lad_code,"
                " ST_Y(geom) AS lat, ST_X(geom) AS lon, external_identifier,"
                " external_identifier_type, step_free, accessible_toilet, hearing_loop,"
                " dementia_friendly, guide_dog_friendly,"
                " accessibility_notes FROM location WHERE id = :id"), {"id": loc["id"]}
            ).mappings().first()
            if row is not None:
                loc.update({k: v for k, v in row.items() if loc.get(k) is None})


def create_activity(conn: Connection, user: User, body: dict[str, Any], stale_days: int
                    ) -> dict[str, Any]:
    """Create a listing from an API body; 422 listing every problem."""
    raw = dict(body)
    raw.pop("id", None)
    # The editor who creates a listing has just checked it.
    raw["last_verified_at"] = datetime.now(UTC)
    raw["verified_by"] = user.username
    _fill_venues(conn, raw)
    record, problems = build_activity(raw)
    if record is None:
        raise problems_error(problems)
    if too_big := bound_problems(record):
        raise problems_error(too_big)
    save_activity(conn, record, f"api:{user.username}")
    save_access(conn, record.locations)
    after = get_activity(conn, record.id, stale_days)
    record_change(conn, username=user.username, action="create", entity="service",
                  entity_id=record.id, before=None, after=after)
    return after


def _locked(conn: Connection, activity_id: str, if_match: int | None, *, required: bool
            ) -> int:
    row = conn.execute(text("SELECT version FROM service WHERE id = :id FOR UPDATE"),
                       {"id": activity_id}).first()
    if row is None:
        raise NotFound(f"no activity with id {activity_id!r}", field="id")
    if if_match is None and required:
        raise PreconditionRequired("send If-Match with the ETag from GET /api/activities/{id} "
                                   "so a concurrent edit is not overwritten", field="If-Match")
    if if_match is not None and if_match != row.version:
        raise Conflict(f"the listing changed since you read it (now version {row.version}, "
                       f"you sent {if_match}); reload it and apply your change again",
                       field="If-Match", current_version=row.version)
    return int(row.version)


def update_activity(conn: Connection, user: User, activity_id: str, patch: dict[str, Any],
                    if_match: int | None, stale_days: int, *, action: str = "update",
                    require_match: bool = True) -> dict[str, Any]:
    """Apply a partial update (fields given replace stored ones) under optimistic locking."""
    _locked(conn, activity_id, if_match, required=require_match)
    before = get_activity(conn, activity_id, stale_days)
    raw = stored_to_input(before)
    raw.update({k: v for k, v in patch.items() if k != "id"})
    if "categories" in patch and "primary_category" not in patch:
        raw["primary_category"] = None
    _fill_venues(conn, raw)
    record, problems = build_activity(raw)
    if record is None:
        raise problems_error(problems)
    if too_big := bound_problems(record):
        raise problems_error(too_big)
    save_activity(conn, record, f"api:{user.username}")
    save_access(conn, record.locations)
    after = get_activity(conn, activity_id, stale_days)
    record_change(conn, username=user.username, action=action, entity="service",
                  entity_id=activity_id, before=before, after=after)
    return after


def verify_activity(conn: Connection, user: User, activity_id: str, if_match: int | None,
                    stale_days: int) -> dict[str, Any]:
    """Mark a listing as checked now by `user`; nothing else changes (the version moves on)."""
    _locked(conn, activity_id, if_match, required=False)
    before = get_activity(conn, activity_id, stale_days)
    conn.execute(text("UPDATE service SET last_verified_at = :now, verified_by = :who,"
                      " version = version + 1 WHERE id = :id"),
                 {"now": datetime.now(UTC), "who": user.username, "id": activity_id})
    after = get_activity(conn, activity_id, stale_days)
    record_change(conn, username=user.username, action="verify", entity="service",
                  entity_id=activity_id, before=before, after=after)
    return after
