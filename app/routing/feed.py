"""The Feed contract: one GTFS feed as typed pandas DataFrames.

Both the pure GTFS reader (`gtfs_reader.read_gtfs`) and the database loader build
this same object, so the timetable compiler never cares where a feed came from.

Column contract (dtypes after `Feed.normalised()`):

- stops: stop_id (str), stop_code (str), stop_name (str), lat, lon (float64, NaN if
  unknown), location_type (int64; 0 stop/platform, 1 station, 2 entrance, 3 node,
  4 boarding area), parent_station (str or None), wheelchair_boarding (int64 0/1/2)
- routes: route_id, agency_id, route_short_name, route_long_name (str), route_type (int64)
- trips: trip_id, route_id, service_id, trip_headsign (str), direction_id (int64, -1 if
  unknown), wheelchair_accessible (int64 0/1/2)
- stop_times: trip_id, stop_id (categorical over the sorted trip and stop ids: int32 codes
  rather than one Python string per row, which is what lets a national feed fit),
  stop_sequence (int64), arrival_s,
  departure_s (int64 seconds after service-day midnight, may be >= 86400),
  interpolated (bool: time filled in by the reader, not given by the feed)
- calendar: service_id (str), monday..sunday (bool), start_date, end_date (datetime.date)
- calendar_dates: service_id (str), date (datetime.date), exception_type (int64 1 added,
  2 removed)
- agency, feed_info: optional, raw string columns as in the file.

Frequency-based trips are already expanded into concrete trips (see the reader).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

CALENDAR_DATE_COLUMNS = ("service_id", "date", "exception_type")

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ValidationIssue:
    """One finding of the validator, pointing at a file position where possible."""

    severity: Severity
    file: str
    line: int | None  # 1-based, the header is line 1
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return f"{self.severity}: {where}: {self.message}"


@dataclass
class ValidationReport:
    """All issues found while reading one feed."""

    issues: list[ValidationIssue] = field(default_factory=list)

    def error(self, file: str, line: int | None, column: str | None, message: str) -> None:
        """Record an issue that refuses the feed."""
        self.issues.append(ValidationIssue("error", file, line, column, message))

    def warning(self, file: str, line: int | None, column: str | None, message: str) -> None:
        """Record an issue that is reported but lets the feed load."""
        self.issues.append(ValidationIssue("warning", file, line, column, message))

    @property
    def errors(self) -> list[ValidationIssue]:
        """Issues that refuse the feed."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[ValidationIssue]:
        """Issues that do not refuse the feed."""
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when the feed has no errors."""
        return not self.errors


class FeedError(Exception):
    """Base class of all feed problems raised by the routing package."""


class FeedRefusedError(FeedError):
    """The feed has validation errors; nothing should be loaded from it."""

    def __init__(self, report: ValidationReport, source: str = "") -> None:
        self.report = report
        self.source = source
        errs = report.errors
        head = "; ".join(str(e) for e in errs[:5])
        more = f" (+{len(errs) - 5} more)" if len(errs) > 5 else ""
        super().__init__(f"feed {source!r} refused: {len(errs)} error(s): {head}{more}")


@dataclass
class Feed:
    """One GTFS feed as DataFrames following the column contract in this module's docstring."""

    name: str
    version: str
    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    agency: pd.DataFrame | None = None
    feed_info: pd.DataFrame | None = None

    def validity(self) -> tuple[dt.date, dt.date] | None:
        """First and last date on which any service of this feed may run (None if no dates)."""
        starts: list[dt.date] = []
        ends: list[dt.date] = []
        if len(self.calendar):
            starts.append(min(self.calendar["start_date"]))
            ends.append(max(self.calendar["end_date"]))
        added = self.calendar_dates[self.calendar_dates["exception_type"] == 1]
        if len(added):
            starts.append(min(added["date"]))
            ends.append(max(added["date"]))
        if not starts:
            return None
        return min(starts), max(ends)

    def active_services(self, day: dt.date) -> set[str]:
        """Service ids running on `day` after applying calendar and calendar_dates."""
        active: set[str] = set()
        cal = self.calendar
        if len(cal):
            wd = WEEKDAYS[day.weekday()]
            mask = cal[wd].astype(bool) & (cal["start_date"] <= day) & (cal["end_date"] >= day)
            active.update(cal.loc[mask, "service_id"].tolist())
        cd = self.calendar_dates
        if len(cd):
            today = cd[cd["date"] == day]
            active.update(today.loc[today["exception_type"] == 1, "service_id"].tolist())
            active.difference_update(today.loc[today["exception_type"] == 2, "service_id"].tolist())
        return active


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    """An empty DataFrame with the given columns (used for absent optional files)."""
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
