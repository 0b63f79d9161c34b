"""Query-parameter helpers shared by the journey and isochrone endpoints."""

from __future__ import annotations

import re
from typing import Any

from app.errors import InvalidInput
from app.routing.errors import RoutingError
from app.routing.raptor import QueryParams
from app.routing.walk import WalkParams
from app.services.transit.router import TransitRouter

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_clock(raw: str, *, field: str) -> int:
    """HH:MM (00:00-23:59) -> seconds after midnight, or 422 naming the field."""
    m = _CLOCK.match(raw or "")
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InvalidInput("expected a time as HH:MM, e.g. 09:30", field=field)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60


def query_params(max_buses: int, walk_speed_kmh: float, max_walk_m: float,
                 wheelchair: bool) -> QueryParams:
    """Engine query parameters; engine range errors become 422s naming the field."""
    try:
        walk = WalkParams(speed_kmh=walk_speed_kmh, max_walk_m=max_walk_m)
        return QueryParams(max_buses=max_buses, wheelchair=wheelchair, walk=walk)
    except RoutingError as exc:
        raise InvalidInput(str(exc), field=exc.field) from None


def timetable_info(tr: TransitRouter) -> dict[str, Any]:
    """Which feeds answered, their validity and how walking was measured."""
    out: dict[str, Any] = {
        "feeds": [{"name": f.name, "version": f.version, "synthetic": f.synthetic,
                   "valid_from": str(f.valid_from), "valid_to": str(f.valid_to)}
                  for f in tr.feeds],
        "walking": tr.walker_kind,
    }
    if any(f.synthetic for f in tr.feeds):
        out["warning"] = ("SYNTHETIC timetable: these are made-up test times, not real bus "
                          "times. Do not use them to plan a real journey.")
    return out
