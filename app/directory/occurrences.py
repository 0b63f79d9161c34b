"""Expand ORUK-style schedules (weekly, fortnightly, monthly) into dated sessions; pure Python."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.routing.venue_session import VenueSession

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
             "friday": "FR", "saturday": "SA", "sunday": "SU", "mon": "MO", "tue": "TU",
             "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
# Anchor for weekly rules with no dtstart/valid_from: a Monday, so interval-1 rules are unaffected.
_EPOCH_MONDAY = date(2000, 1, 3)


class ScheduleError(ValueError):
    """A schedule field that cannot be understood; `field` names it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class ByDay:
    """One BYDAY item: a weekday (0=Monday) and, for monthly rules, its ordinal (1..5 or -1..-5)."""

    weekday: int
    ordinal: int | None = None


@dataclass(frozen=True)
class Rule:
    """A parsed schedule: the recurrence and the validity window."""

    freq: str  # "WEEKLY" or "MONTHLY"
    interval: int = 1
    byday: tuple[ByDay, ...] = ()
    bymonthday: tuple[int, ...] = ()
    dtstart: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    opens_at: time | None = None
    closes_at: time | None = None


@dataclass(frozen=True)
class Occurrence:
    """One dated session in Europe/London local time."""

    date: date
    start: time | None
    end: time | None

    @property
    def start_at(self) -> datetime | None:
        """Timezone-aware start (Europe/London), or None if the time is unknown."""
        return None if self.start is None else datetime.combine(self.date, self.start, LONDON)

    @property
    def end_at(self) -> datetime | None:
        """Timezone-aware end (Europe/London), or None if the time is unknown."""
        return None if self.end is None else datetime.combine(self.date, self.end, LONDON)


@dataclass
class DatedSession:
    """A dated session of an activity at a place, as the directory lists it.

    `venue_session()` turns it into the routing engine's `VenueSession` (the one place
    where directory sessions become engine input).
    """

    activity_id: str
    schedule_id: str
    date: date
    start: time | None
    end: time | None
    location_id: str | None
    lat: float | None
    lon: float | None
    details: dict[str, object] = field(default_factory=dict)

    @property
    def start_at(self) -> datetime | None:
        """Timezone-aware start (Europe/London)."""
        return None if self.start is None else datetime.combine(self.date, self.start, LONDON)

    @property
    def end_at(self) -> datetime | None:
        """Timezone-aware end (Europe/London)."""
        return None if self.end is None else datetime.combine(self.date, self.end, LONDON)

    def routable(self) -> bool:
        """True when the session has a venue point and both times, so travel can be planned."""
        return (self.lat is not None and self.lon is not None and self.start is not None
                and self.end is not None)

    def venue_session(self) -> VenueSession:
        """The engine's view: venue point, date, start and end in service-day seconds.

        Only for a session with a venue point and times (see `routable`).
        """
        if not self.routable():
            raise ValueError("a session needs a venue point, a start and an end to be routed")
        assert self.lat is not None and self.lon is not None and self.start and self.end
        return VenueSession(float(self.lat), float(self.lon), self.date,
                            _day_seconds(self.start), _day_seconds(self.end),
                            key=self.schedule_id,
                            name=str(self.details.get("venue_name") or "venue"))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: ISO date, HH:MM times, aware ISO datetimes."""
        return {
            "activity_id": self.activity_id, "schedule_id": self.schedule_id,
            "date": self.date.isoformat(), "weekday": WEEKDAYS[self.date.weekday()],
            "start": _hhmm(self.start), "end": _hhmm(self.end),
            "start_at": self.start_at.isoformat() if self.start_at else None,
            "end_at": self.end_at.isoformat() if self.end_at else None,
            "location_id": self.location_id, "lat": self.lat, "lon": self.lon, **self.details,
        }


def _day_seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _hhmm(t: time | None) -> str | None:
    return None if t is None else t.strftime("%H:%M")


def parse_weekday(raw: str, *, field_name: str = "day") -> int:
    """Parse 'wed', 'Wednesday' or 'WE' into 0..6 (Monday = 0)."""
    key = (raw or "").strip()
    code = key.upper() if key.upper() in WEEKDAYS else DAY_NAMES.get(key.lower())
    if code is None:
        raise ScheduleError(field_name, f"unknown weekday {raw!r}; use mon..sun or MO..SU")
    return WEEKDAYS.index(code)


def parse_byday(raw: str | None, freq: str) -> tuple[ByDay, ...]:
    """Parse 'TU', 'MO,TH', '1TU' or '-1FR'; ordinals are only allowed for monthly rules."""
    if raw is None or not raw.strip():
        return ()
    items = []
    for part in raw.upper().replace(" ", "").split(","):
        match = _BYDAY.match(part)
        if not match:
            raise ScheduleError("byday", f"unknown weekday {part!r}; use MO..SU, "
                                         "with an ordinal for monthly rules (1TU, -1FR)")
        ordinal = int(match.group(1)) if match.group(1) else None
        if ordinal is not None and freq != "MONTHLY":
            raise ScheduleError("byday", f"{part!r}: an ordinal weekday needs freq MONTHLY")
        items.append(ByDay(WEEKDAYS.index(match.group(2)), ordinal))
    return tuple(items)


def parse_bymonthday(raw: str | int | None) -> tuple[int, ...]:
    """Parse '15', '1,15' or '-1' (last day of the month)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ()
    values = []
    for part in str(raw).split(","):
        try:
            value = int(part)
        except ValueError:
            raise ScheduleError("bymonthday", f"{part!r} is not a day of the month") from None
        if value == 0 or not -31 <= value <= 31:
            raise ScheduleError("bymonthday", f"{value} is not a day of the month (1..31 or -1)")
        values.append(value)
    return tuple(values)


def make_rule(*, freq: str, interval: int | None = 1, byday: str | None = None,
              bymonthday: str | int | None = None, dtstart: date | None = None,
              valid_from: date | None = None, valid_to: date | None = None,
              opens_at: time | None = None, closes_at: time | None = None) -> Rule:
    """Build and check a Rule from ORUK schedule fields (raises ScheduleError naming the field)."""
    freq_u = (freq or "").strip().upper()
    if freq_u not in ("WEEKLY", "MONTHLY"):
        raise ScheduleError("freq", f"freq must be WEEKLY or MONTHLY, not {freq!r}")
    interval = 1 if interval is None else int(interval)
    if not 1 <= interval <= 12:
        raise ScheduleError("interval", "interval must be between 1 and 12")
    days = parse_byday(byday, freq_u)
    monthdays = parse_bymonthday(bymonthday)
    if freq_u == "WEEKLY" and monthdays:
        raise ScheduleError("bymonthday", "bymonthday needs freq MONTHLY")
    if valid_from and valid_to and valid_to < valid_from:
        raise ScheduleError("valid_to", "valid_to is before valid_from")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ScheduleError("closes_at", "the session ends before it starts")
    if not days and not monthdays and dtstart is None and valid_from is None:
        raise ScheduleError("byday", "say which day: byday, bymonthday or dtstart")
    return Rule(freq_u, interval, days, monthdays, dtstart, valid_from, valid_to,
                opens_at, closes_at)


def occurrences(rule: Rule, start: date, end: date, *, status: str = "active"
                ) -> list[Occurrence]:
    """All sessions of `rule` on dates in [start, end] (inclusive), honouring validity and status.

    Paused and ended listings have no sessions. The first session is never before
    dtstart or valid_from; weekly intervals count whole weeks from that anchor.
    """
    if status != "active" or end < start:
        return []
    lower = max(d for d in (start, rule.valid_from, rule.dtstart) if d is not None)
    upper = min(d for d in (end, rule.valid_to) if d is not None)
    if upper < lower:
        return []
    dates = _weekly(rule, lower, upper) if rule.freq == "WEEKLY" else _monthly(rule, lower, upper)
    return [Occurrence(d, rule.opens_at, rule.closes_at) for d in dates]


def _anchor(rule: Rule) -> date:
    return rule.dtstart or rule.valid_from or _EPOCH_MONDAY


def _weekly(rule: Rule, lower: date, upper: date) -> Iterator[date]:
    anchor = _anchor(rule)
    weekdays = sorted({b.weekday for b in rule.byday}) or [anchor.weekday()]
    if rule.dtstart is None and rule.valid_from is not None:
        # Without dtstart the first session is the first listed weekday on/after valid_from;
        # its week is the anchor, as if that date had been given as dtstart.
        anchor += timedelta(days=min((wd - anchor.weekday()) % 7 for wd in weekdays))
    anchor_monday = anchor - timedelta(days=anchor.weekday())
    day = lower
    while day <= upper:
        monday = day - timedelta(days=day.weekday())
        weeks = (monday - anchor_monday).days // 7
        if weeks % rule.interval == 0:
            for wd in weekdays:
                candidate = monday + timedelta(days=wd)
                if lower <= candidate <= upper:
                    yield candidate
        day = monday + timedelta(days=7)


def _monthly(rule: Rule, lower: date, upper: date) -> Iterator[date]:
    anchor = _anchor(rule)
    year, month = lower.year, lower.month
    while (year, month) <= (upper.year, upper.month):
        months = (year - anchor.year) * 12 + (month - anchor.month)
        if months % rule.interval == 0:
            for d in sorted(set(_month_dates(rule, anchor, year, month))):
                if lower <= d <= upper:
                    yield d
        month += 1
        if month > 12:
            year, month = year + 1, 1


def _month_dates(rule: Rule, anchor: date, year: int, month: int) -> Iterator[date]:
    last = calendar.monthrange(year, month)[1]
    for md in rule.bymonthday:
        day = md if md > 0 else last + md + 1
        if 1 <= day <= last:  # the 31st does not happen in 30-day months
            yield date(year, month, day)
    for b in rule.byday:
        same = [d for d in range(1, last + 1) if date(year, month, d).weekday() == b.weekday]
        if b.ordinal is None:
            yield from (date(year, month, d) for d in same)
        elif -len(same) <= b.ordinal <= len(same):  # a 5th Tuesday only in some months
            yield date(year, month, same[b.ordinal - 1 if b.ordinal > 0 else b.ordinal])
    if not rule.bymonthday and not rule.byday and anchor.day <= last:
        yield date(year, month, anchor.day)


def describe(rule: Rule) -> str:
    """A short English description, e.g. 'Every other Wednesday, 18:30-20:00'."""
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    ordinals = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last",
                -2: "second-last"}
    if rule.freq == "WEEKLY":
        days = " and ".join(names[b.weekday] for b in rule.byday) or "week"
        prefix = {1: "Every", 2: "Every other"}.get(rule.interval,
                                                     f"Every {rule.interval} weeks on")
        text = f"{prefix} {days}"
    elif rule.byday:
        text = "The " + " and ".join(
            f"{ordinals.get(b.ordinal or 0, str(b.ordinal))} {names[b.weekday]}"
            for b in rule.byday) + " of the month"
    else:
        text = "Monthly on day " + ", ".join(str(d) for d in rule.bymonthday)
    if rule.opens_at and rule.closes_at:
        text += f", {_hhmm(rule.opens_at)}-{_hhmm(rule.closes_at)}"
    return text
