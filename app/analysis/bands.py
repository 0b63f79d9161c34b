"""Time bands of the gap analysis and the representative week they are measured on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    """A time band: which weekdays (0=Mon) and which session start times belong to it."""

    name: str
    label: str
    weekdays: tuple[int, ...]
    start_from_s: int  # a session belongs to the band if it STARTS in [start_from_s, start_to_s)
    start_to_s: int

    def contains(self, weekday: int, start_s: int) -> bool:
        """True if a session on `weekday` starting at `start_s` belongs to this band."""
        return weekday in self.weekdays and self.start_from_s <= start_s < self.start_to_s


H = 3600
BANDS: dict[str, Band] = {
    "weekday_day": Band("weekday_day", "Weekday daytime (09:00–17:00)", (0, 1, 2, 3, 4),
                        9 * H, 17 * H),
    "weekday_evening": Band("weekday_evening", "Weekday evening (17:00–22:00)", (0, 1, 2, 3, 4),
                            17 * H, 22 * H),
    "weekend": Band("weekend", "Weekend (Saturday and Sunday, 09:00–22:00)", (5, 6),
                    9 * H, 22 * H),
}
BAND_NAMES: tuple[str, ...] = tuple(BANDS)


def band_of(weekday: int, start_s: int) -> str | None:
    """Name of the band a session falls in, or None (e.g. before 09:00 on a weekday)."""
    for band in BANDS.values():
        if band.contains(weekday, start_s):
            return band.name
    return None


def representative_week(valid_from: dt.date, valid_to: dt.date, reference: dt.date,
                        is_ordinary: Callable[[dt.date], bool]) -> list[dt.date]:
    """The 7 dates (Mon..Sun) of the first ordinary week starting on/after `reference`.

    A week is ordinary when all 7 dates are inside the timetable's validity and
    `is_ordinary(date)` holds for each (the caller rejects bank holidays and other
    calendar exceptions). Falls back to searching from `valid_from` if nothing
    after `reference` qualifies; raises ValueError when no ordinary week exists.
    """
    for start in (reference, valid_from):
        monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        while monday + dt.timedelta(days=6) <= valid_to:
            week = [monday + dt.timedelta(days=i) for i in range(7)]
            if week[0] >= valid_from and all(is_ordinary(d) for d in week):
                return week
            monday += dt.timedelta(days=7)
    raise ValueError(f"no ordinary Mon–Sun week between {valid_from} and {valid_to}")
