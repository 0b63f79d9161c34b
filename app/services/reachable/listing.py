"""Listing details the session query does not carry: categories, description, how to join."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from app.directory.occurrences import Session as DirSession


@dataclass
class Extras:
    """Extra fields per listing, schedule and venue id (three small queries in all)."""

    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    venues: dict[str, dict[str, Any]] = field(default_factory=dict)


def listing_extras(conn: Connection, sessions: list[DirSession]) -> Extras:
    """Fetch categories, audiences, description, web address, how to join and access notes."""
    out = Extras()
    sids = sorted({s.activity_id for s in sessions})
    if not sids:
        return out
    for r in conn.execute(text(
            "SELECT id, primary_category, categories, audiences, description, url,"
            " referral_route FROM service WHERE id = ANY(:ids)"), {"ids": sids}).mappings():
        out.services[r["id"]] = dict(r)
    sched = sorted({s.schedule_id for s in sessions})
    for r in conn.execute(text(
            "SELECT id, attending_type, notes FROM schedule WHERE id = ANY(:ids)"),
            {"ids": sched}).mappings():
        out.schedules[r["id"]] = dict(r)
    locs = sorted({s.location_id for s in sessions if s.location_id})
    for r in conn.execute(text(
            "SELECT id, accessibility_notes FROM location WHERE id = ANY(:ids)"),
            {"ids": locs}).mappings():
        out.venues[r["id"]] = dict(r)
    return out
