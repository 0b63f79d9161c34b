"""The engine's one idea of "a session at a venue": where, which date, start and end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class VenueSession:
    """One activity session: venue point, service date, start and end (service-day seconds).

    Both round-trip strategies take it: from the client's home (`roundtrip`) and from the
    venue (`roundtrip_venue`). `key` and `name` only label answers and plans.
    """

    lat: float
    lon: float
    date: dt.date
    start_s: int
    end_s: int
    key: str = ""
    name: str = "activity"
