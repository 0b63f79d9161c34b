"""The planner's "free with a bus pass" view: only round trips the older person's pass makes free.

The ENCTS rules are not re-encoded here: the fare model (`app.fares`, with its policy file and
bank holidays) says when boarding is free on each date of the representative week, and the
venue-side searches are masked with it (docs/method.md#free-with-a-bus-pass).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from app.errors import DataNotLoaded
from app.fares import BusPass, FareModel, FaresDataError
from app.holidays import BankHolidayError
from app.routing.roundtrip_venue import NO_ARR, NO_DEP
from app.settings import get_settings

OLDER_PASS = BusPass("older")  # issuer unknown: the national concession only (bus, not tram)
FREE_AUDIENCE = "older_free"  # stored audience of the free view (the `older` residents)
BASE_AUDIENCE = "older"


@lru_cache(maxsize=1)
def fare_model() -> FareModel:
    """The process's fare model, from the configured policy and bank-holiday files."""
    s = get_settings()
    try:
        return FareModel.from_files(s.fare_policy_file or None, s.bank_holidays_file or None)
    except (FaresDataError, BankHolidayError) as exc:
        raise DataNotLoaded(f"the fare policy could not be read: {exc}") from exc


@dataclass(frozen=True)
class FreeRule:
    """When boarding is free with the older person's pass on one service date."""

    model: FareModel
    day: dt.date

    def free(self, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Journeys whose first and last boardings (service seconds) are both free.

        GTFS service seconds ("noon minus 12 h") equal the local clock from 03:00 even on
        clock-change days, and every free window here starts later; times past 24:00 fall
        outside the day's windows, so they are never counted free.
        """
        return self.model.free_journey_mask(self.day, first, last, OLDER_PASS)

    def free_from(self) -> str | None:
        """The first free boarding time of the day as HH:MM; None when free all day."""
        t = self.model.earliest_free_boarding(self.day, OLDER_PASS)
        if t is None:
            return None
        return None if t == 0 else f"{t // 3600:02d}:{t % 3600 // 60:02d}"


def free_searches(rule: FreeRule, latest: np.ndarray, earliest: np.ndarray,
                  start_s: np.ndarray, end_s: np.ndarray, buffer_s: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The venue-side search results keeping only journeys free with the pass.

    Outward: `latest[k, i]` is the latest first boarding at stop i that still reaches the
    venue by start - buffer; every later boarding of that journey is before the arrival, so
    the journey is free when both the first boarding and start - buffer are in one free
    window. No journey from stop i boards later, so if that one is not free, none is (exact).
    Return: the first boarding is at or after end + buffer and the last before the arrival
    at stop i, so end + buffer and that arrival in one free window is sufficient
    (cautious: a bus boarded at 22:50 arriving at 23:10 is counted as not free).
    """
    s = np.asarray(start_s, dtype=np.int64)[:, None] - buffer_s
    e = np.asarray(end_s, dtype=np.int64)[:, None] + buffer_s
    lat = np.asarray(latest, dtype=np.int64)
    ear = np.asarray(earliest, dtype=np.int64)
    lat_ok = (lat > NO_DEP) & rule.free(lat, np.broadcast_to(s, lat.shape))
    ear_ok = (ear < NO_ARR) & rule.free(np.broadcast_to(e, ear.shape), ear)
    return np.where(lat_ok, lat, NO_DEP), np.where(ear_ok, ear, NO_ARR)


def _clock(s: int) -> str:
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def _windows_text(model: FareModel, day: dt.date) -> str:
    """When boarding is free on `day`, in words ("from 09:30, before 23:00"; "all day")."""
    wins = model.free_windows(day, OLDER_PASS)
    if not wins:
        return "never"
    parts = []
    for w in wins:
        if w.start_s <= 0 and w.end_s >= 86_400:
            return "all day"
        end = f"until {_clock(w.end_s)}" if w.end_inclusive else f"before {_clock(w.end_s)}"
        parts.append(f"from {_clock(w.start_s)} {end}" if w.start_s > 0 else end)
    return " or ".join(parts)


def rule_text(week: list[dt.date]) -> str:
    """The free-with-a-bus-pass rule of a run's week in one sentence, from the fare policy."""
    model = fare_model()
    weekday = next((d for d in week if d.weekday() < 5), None)
    weekend = next((d for d in week if d.weekday() >= 5), None)
    when = []
    if weekday:
        when.append(f"every bus boarded {_windows_text(model, weekday)} on weekdays")
    if weekend:
        when.append(f"{_windows_text(model, weekend)} at weekends")
    return ("Free with a bus pass: only round trips the older person's bus pass makes free "
            f"count: {' and '.join(when)} (bank holidays as weekends), under the "
            f"{model.policy.concession.name} as the fare policy states it.")
