"""Which service dates a finder query covers, with the limits that keep a request fast."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from app.errors import InvalidInput
from app.schemas.reachable import WEEKDAY_CODES, ReachableRequest

LONDON = ZoneInfo("Europe/London")
DEFAULT_SPAN_DAYS = 7
MAX_SPAN_DAYS = 14  # each service date costs one forward + one reverse search
MAX_SERVICE_DATES = 14


def today_london() -> dt.date:
    """Today's date in England (the timetable's time zone)."""
    return dt.datetime.now(LONDON).date()


def service_dates(req: ReachableRequest, *, today: dt.date | None = None) -> list[dt.date]:
    """The dates to search: explicit `dates`, or the range, filtered by `days`.

    Raises InvalidInput (422) naming the limits when the request spans too many days.
    """
    if req.dates:
        chosen = sorted(set(req.dates))
        span = (chosen[-1] - chosen[0]).days + 1
        field = "dates"
    else:
        start = req.date_from or today or today_london()
        end = req.date_to or start + dt.timedelta(days=DEFAULT_SPAN_DAYS - 1)
        if end < start:
            raise InvalidInput("date_to is before date_from", field="date_to")
        span = (end - start).days + 1
        chosen = [start + dt.timedelta(days=i) for i in range(min(span, MAX_SPAN_DAYS + 1))]
        field = "date_to"
    if span > MAX_SPAN_DAYS:
        raise InvalidInput(
            f"the dates span {span} days; search at most {MAX_SPAN_DAYS} days at a time "
            f"(and at most {MAX_SERVICE_DATES} dates)", field=field,
            limits={"max_span_days": MAX_SPAN_DAYS, "max_dates": MAX_SERVICE_DATES})
    if req.days:
        wanted = {WEEKDAY_CODES.index(d) for d in req.days}
        chosen = [d for d in chosen if d.weekday() in wanted]
    if not chosen:
        raise InvalidInput("none of the chosen days falls within the dates; widen the dates "
                           "or tick more days", field="days")
    return chosen
