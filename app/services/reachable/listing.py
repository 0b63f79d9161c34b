"""Listing details the session query does not carry: categories, description, how to join."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, text

from app.directory.occurrences import DatedSession, describe, make_rule


@dataclass
class Extras:
    """Extra fields per listing, schedule and venue id (three small queries in all)."""

    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    venues: dict[str, dict[str, Any]] = field(default_factory=dict)


_RULE_FIELDS = ("freq", "interval", "byday", "bymonthday", "dtstart", "valid_from", "valid_to",
                "opens_at", "closes_at")


def _pattern(r: Any) -> str | None:
    """'Every Wednesday, 10:00-12:00' for a stored schedule (None if it cannot be read)."""
    return _describe(*(r[k] for k in _RULE_FIELDS))


@lru_cache(maxsize=1 << 16)
def _describe(*fields: Any) -> str | None:
    """The words for one set of schedule fields (memoised: few distinct rules, many rows)."""
    try:
        return describe(make_rule(**dict(zip(_RULE_FIELDS, fields, strict=True))))
    except ValueError:
        return None


def listing_extras(conn: Connection, sessions: list[DatedSession]) -> Extras:
    """Fetch the listing fields the session query lacks (description, how to join, ...)."""
    out = Extras()
    sids = sorted({s.activity_id for s in sessions})
    if not sids:
        return out
    for r in conn.execute(text(
            "SELECT id, primary_category, categories, audiences, description, url,"
            " referral_route, last_verified_at FROM service WHERE id = ANY(:ids)"),
            {"ids": sids}).mappings():
        out.services[r["id"]] = dict(r)
    sched = sorted({s.schedule_id for s in sessions})
    for r in conn.execute(text(
            "SELECT id, attending_type, notes, freq, interval, byday, bymonthday, dtstart,"
            " valid_from, valid_to, opens_at, closes_at FROM schedule WHERE id = ANY(:ids)"),
            {"ids": sched}).mappings():
        out.schedules[r["id"]] = {**r, "pattern": _pattern(r)}
    locs = sorted({s.location_id for s in sessions if s.location_id})
    for r in conn.execute(text(
            "SELECT id, accessibility_notes FROM location WHERE id = ANY(:ids)"),
            {"ids": locs}).mappings():
        out.venues[r["id"]] = dict(r)
    return out
