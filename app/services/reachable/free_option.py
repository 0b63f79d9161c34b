"""The way there that a bus pass makes free, when the usual one boards before the pass works.

A weekday older person's pass is valid from 09:30, so a 10:00 session's usual plan (the
latest bus that arrives in time) often boards at 09:1x and costs a fare. This finds the
earliest-arriving way there whose first bus boards once the pass is valid, so a row can
show both: the paid plan that arrives on time and the free one that may arrive later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.fares import BusPass, FareModel
from app.routing.journey import Journey
from app.routing.raptor import QueryParams, Router, SearchResult
from app.routing.venue_session import VenueSession
from app.routing.walk import WalkParams
from app.services.reachable.evaluate import HOME, EvalParams, minutes_of, tidy
from app.services.reachable.fares import fare_legs


def first_bus(j: Journey) -> tuple[int, str] | None:
    """(boarding second, stop id) of the journey's first bus, or None for a walk."""
    leg = next((leg for leg in j.legs if leg.mode == "bus"), None)
    return None if leg is None else (leg.depart_s, leg.start.stop_id or "")


@dataclass
class FreeSearch:
    """Earliest-arrival searches from home on one date, shared by that date's sessions.

    Each search depends only on the home, the date, its start time and the limits, so a
    session's free option is the same whatever other sessions are searched with it.
    """

    engine: Router
    day: dt.date
    home_lat: float
    home_lon: float
    p: EvalParams
    _runs: dict[int, SearchResult] = field(default_factory=dict)

    def _from(self, start_s: int) -> SearchResult:
        if start_s not in self._runs:
            q = QueryParams(max_buses=self.p.bus_limit, wheelchair=self.p.wheelchair,
                            walk=WalkParams(speed_kmh=self.p.speed_kmh,
                                            max_walk_m=self.p.max_walk_m))
            self._runs[start_s] = self.engine.earliest_arrival(self.home_lat, self.home_lon,
                                                               start_s, q, name=HOME)
        return self._runs[start_s]

    def way_there(self, t: VenueSession, paid: Journey, model: FareModel,
                  holder: BusPass) -> Journey | None:
        """The earliest way there that the pass makes free, or None.

        None when the pass does not help: the paid plan is already free, the pass is not
        valid again that day, no such journey arrives before the session ends, or it
        breaks the client's limits (hours, buses, minutes each way).
        """
        board = first_bus(paid)
        if board is None:
            return None
        t0 = model.earliest_free_boarding(self.day, holder, board_stop_id=board[1],
                                          not_before_s=board[0] + 1)
        if t0 is None:
            return None
        # Leave home in time to walk to the same stop as the paid plan by t0; if the
        # quickest way then still boards too early (another stop), leave at t0 itself.
        lead = board[0] - paid.depart_s
        for start in (max(t0 - lead, self.p.hours_from_s), max(t0, self.p.hours_from_s)):
            j = tidy(self._from(start).journey(t.lat, t.lon, t.name))
            got = first_bus(j) if j is not None else None
            if j is not None and got is not None and got[0] >= t0:
                return j if self._fits(j, t, model, holder) else None
        return None

    def _fits(self, j: Journey, t: VenueSession, model: FareModel, holder: BusPass) -> bool:
        """Within the limits, there before the session ends, and free with the pass."""
        if self.p.max_minutes is not None and minutes_of(j) > self.p.max_minutes:
            return False
        if j.depart_s < self.p.hours_from_s or j.arrive_s >= t.end_s:
            return False
        return model.price_journey(fare_legs(model, self.day, j), holder).free_with_pass
