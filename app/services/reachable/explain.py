"""Sorting, per-activity summaries and plain-English explanations of finder results."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from app.directory import vocab
from app.schemas.reachable import Feasibility, Filters, Row, Summary

_RANK: dict[str, int] = {"feasible": 0, "outbound_only": 1, "unreachable": 2}
_DAY_PLURAL = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays",
               "Sundays")
EVENING = "17:00"


def visit_fares(r: Row) -> int | None:
    """The fares of the row's cheapest way (the free option when there is one)."""
    if r.free_option is not None and r.free_option.fare_total_pence is not None:
        return min(r.free_option.fare_total_pence, r.fare_total_pence or 0) \
            if r.fare_total_pence is not None else r.free_option.fare_total_pence
    return r.fare_total_pence


def sort_rows(rows: list[Row], by_cost: bool = False) -> list[Row]:
    """Feasible first, then there-only, then unreachable; each by travel time, then date.

    by_cost (the client prefers what the bus pass makes free): within each group the
    cheapest fares come first, then travel time.
    """
    big = 10**6

    def fares(r: Row) -> int:
        pence = visit_fares(r)
        return (pence if pence is not None else big) if by_cost else 0

    return sorted(rows, key=lambda r: (
        _RANK[r.feasibility], fares(r),
        r.travel_minutes if r.travel_minutes is not None else big,
        r.date, r.start_time, r.activity.name))


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _day_text(rows: list[Row]) -> tuple[str, Feasibility]:
    """How one weekday works out over its dated sessions."""
    states = {r.feasibility for r in rows}
    if states == {"feasible"}:
        return "works", "feasible"
    if "feasible" in states:
        n = sum(r.feasibility == "feasible" for r in rows)
        return f"works on {n} of {len(rows)} dates", "feasible"
    reason = next((r.reason for r in rows if r.reason), None)
    if all(r.reason_code == "over_cost_limit" for r in rows):
        return f"over the cost limit ({reason})", "unreachable"
    if "outbound_only" in states:
        last = _latest_last_bus(rows)
        if last:
            return f"can get there, but no bus back after {last}", "outbound_only"
        text = f"can get there, but not back ({reason})" if reason else \
            "can get there, but not back"
        return text, "outbound_only"
    return (f"cannot get there ({reason})" if reason else "cannot get there"), "unreachable"


def _latest_last_bus(rows: Sequence[Row]) -> str | None:
    times = [r.last_bus_home.leave_venue_by for r in rows if r.last_bus_home is not None]
    return max(times) if times else None


def summarise(rows: list[Row]) -> list[Summary]:
    """One line per activity at a venue: 'Wednesdays: works; Fridays: no bus back after 18:40'."""
    groups: OrderedDict[tuple[str, str], list[Row]] = OrderedDict()
    for row in rows:
        groups.setdefault((row.activity.id, row.venue.id or row.venue.name), []).append(row)
    out: list[Summary] = []
    for group in groups.values():
        by_day: dict[int, list[Row]] = {}
        for r in group:
            by_day.setdefault(r.date.weekday(), []).append(r)
        parts: list[str] = []
        states: list[Feasibility] = []
        for wd in sorted(by_day):
            text, state = _day_text(by_day[wd])
            parts.append(f"{_DAY_PLURAL[wd]}: {text}")
            states.append(state)
        best = min(states, key=lambda s: _RANK[s])
        first = group[0]
        out.append(Summary(activity_id=first.activity.id, name=first.activity.name,
                           venue=first.venue.name, text="; ".join(parts), best=best))
    out.sort(key=lambda s: (_RANK[s.best], s.name))
    return out


_NAMES = {t.code: t.name for t in (*vocab.CATEGORIES, *vocab.AUDIENCES)}


def filter_words(f: Filters) -> list[str]:
    """The listing filters in force, in words ('age 18', 'free only')."""
    words = []
    if f.age is not None:
        words.append(f"age {f.age}")
    if f.audience:
        codes = [vocab.audience_code(a) for a in f.audience]
        words.append("aimed at " + " or ".join(_NAMES.get(c or "", str(c)) for c in codes))
    if f.category:
        words.append(" or ".join(_NAMES.get(c, c) for c in f.category))
    if f.free_only:
        words.append("free only")
    if f.max_cost_gbp is not None:
        words.append(f"at most £{f.max_cost_gbp:.2f}")
    if f.accepts_referrals:
        words.append("takes referrals")
    if f.drop_in:
        words.append("drop-in")
    return words


@dataclass(frozen=True)
class Context:
    """What the explanations need to know about the query and what was left out."""

    max_minutes: int
    hours_from: str
    hours_to: str
    sessions_before_filters: int  # sessions on the chosen dates before the hours filter
    outside_hours: int  # sessions dropped because they are outside the client's hours
    no_location: int  # sessions without a mappable venue
    nearest: tuple[int, str] | None = None  # (minutes each way, label) ignoring the time limit
    no_stop_within_m: int | None = None  # set when no bus stop is within walking distance
    unserved_stops: int = 0  # stops near home that the loaded timetable has no buses at
    timetable: str = "the bus timetable"  # the loaded timetables' names
    walk_m: int = 800
    removed_by_filters: int = 0  # sessions on the dates that the listing filters leave out
    removed_not_step_free: int = 0  # further sessions left out for not being step-free
    wheelchair: bool = False
    filter_words: tuple[str, ...] | list[str] = ()
    approximate: bool = False  # only an outward code was given
    outward: str = ""
    unlisted: str | None = None  # set when no listing is held in the client's district
    cost_limit_gbp: float | None = None  # the client's limit per visit, when given
    listed_within_km: float | None = None  # set when farther sessions were not looked at


def _activities(rows: Sequence[Row]) -> int:
    return len({(r.activity.id, r.venue.id) for r in rows})


def _what(rows: list[Row]) -> str:
    """'4 evening activities are' / '1 activity is': evening when every session starts late."""
    n = _activities(rows)
    evening = all(r.start_time >= EVENING for r in rows)
    noun = _plural(n, "evening activity", "evening activities") if evening else \
        _plural(n, "activity", "activities")
    return f"{noun} {'is' if n == 1 else 'are'}"


def _removed(ctx: Context) -> list[str]:
    """How many sessions the filters and wheelchair mode leave out, and why."""
    notes = []
    if ctx.removed_by_filters:
        what = "; ".join(ctx.filter_words) or "the chosen filters"
        tip = (" 'Aimed at' keeps only activities aimed at that group: to include "
               "activities open to all ages, clear it and enter the client's age instead."
               if any(w.startswith("aimed at") for w in ctx.filter_words) else "")
        notes.append(f"The filters ({what}) leave out "
                     f"{_plural(ctx.removed_by_filters, 'session')} on those days.{tip}")
    if ctx.removed_not_step_free:
        who = "For a wheelchair user, " if ctx.wheelchair else "Step-free only: "
        n = ctx.removed_not_step_free
        notes.append(f"{who}{_plural(n, 'session')} at venues not listed as step-free "
                     f"{'is' if n == 1 else 'are'} not shown.")
    return notes


def _free_later(rows: list[Row]) -> list[str]:
    """How many sessions the bus pass makes free by catching a later bus."""
    later = [r for r in rows if r.free_option is not None and r.feasibility != "unreachable"]
    if not later:
        return []
    return [f"With the bus pass, {_plural(len(later), 'session')} can also be reached free "
            "by a later bus, once the pass is valid; each shows that bus next to the paid one "
            "that arrives on time."]


def _costs(rows: list[Row], ctx: Context) -> list[str]:
    """How many sessions the cost limit removes, and how many the pass keeps in."""
    if ctx.cost_limit_gbp is None:
        return []
    limit = f"£{ctx.cost_limit_gbp:.2f}".replace(".00", "")
    notes = []
    over = [r for r in rows if r.reason_code == "over_cost_limit"]
    if over:
        n = len(over)
        notes.append(f"Your {limit} limit per visit (activity plus bus fares there and back) "
                     f"removes {_plural(n, 'session')} that could otherwise be reached there "
                     f"and back; {'its' if n == 1 else 'each'} reason says what it costs.")
    unknown = [r for r in rows if r.feasibility == "feasible" and r.cost_within_limit is None]
    if unknown:
        notes.append(f"{_plural(len(unknown), 'session')} could not be checked against your "
                     f"{limit} limit because a price is not known.")
    if any(r.fare_upper_bound for r in rows):
        notes.append("The timetable has no fares, so each bus ride is counted at the £3 fare "
                     "cap, the most it can cost; the operator's own fare may be lower.")
    return notes


def explain(rows: list[Row], ctx: Context) -> list[str]:
    """Sentences that make an empty or disappointing result understandable."""
    notes: list[str] = []
    feasible = [r for r in rows if r.feasibility == "feasible"]
    there_only = [r for r in rows if r.feasibility == "outbound_only"]
    if ctx.approximate:
        notes.append(f"Only the first part of the postcode ({ctx.outward}) was given, so "
                     "journeys start from the middle of that area: walks and times are "
                     "approximate. Enter the full postcode for an exact plan.")
    if ctx.no_stop_within_m is not None:
        notes.append(f"There is no bus stop within {ctx.no_stop_within_m} m walk of the "
                     "client's home, so only places within walking distance can be reached. "
                     "A longer walk to the stop may help.")
    elif ctx.unserved_stops:
        notes.append(f"There {'is' if ctx.unserved_stops == 1 else 'are'} "
                     f"{_plural(ctx.unserved_stops, 'bus stop')} within {ctx.walk_m} m of the "
                     f"client's home, but the loaded timetable ({ctx.timetable}) has no buses "
                     "at them, so only places within walking distance can be reached. The "
                     "timetable may not cover this area.")
    if ctx.unlisted:
        notes.append(ctx.unlisted)
    notes.extend(_removed(ctx))
    if ctx.listed_within_km is not None:
        notes.append(f"Only sessions within {ctx.listed_within_km:g} km of home are listed: "
                     f"nothing farther can be reached within {ctx.max_minutes} min.")
    if not rows:
        if ctx.sessions_before_filters == 0:
            notes.append("No activity sessions matching the filters are listed on the chosen "
                         "days.")
        elif ctx.outside_hours:
            notes.append(f"None of the matching sessions fits between {ctx.hours_from} and "
                         f"{ctx.hours_to}: {_plural(ctx.outside_hours, 'session')} on those "
                         "days are outside those hours.")
        else:
            notes.append("No sessions match on those days; try fewer filters or more days.")
        return notes
    if feasible:
        notes.append(f"{_plural(len(feasible), 'session')} of "
                     f"{_plural(_activities(feasible), 'activity', 'activities')} can be "
                     "reached there and back.")
    if there_only:
        late = [r for r in there_only if r.reason_code == "home_too_late"]
        no_bus = [r for r in there_only if r.reason_code != "home_too_late"]
        if no_bus:
            last = _latest_last_bus(no_bus)
            tail = f"there is no bus home after {last}" if last else \
                "there is no way home that day within the limits"
            notes.append(f"{_what(no_bus)} reachable but {tail}.")
        if late:
            notes.append(f"{_what(late)} reachable but the way home gets back after "
                         f"{ctx.hours_to}.")
    notes.extend(_free_later(rows))
    notes.extend(_costs(rows, ctx))
    if not feasible and not there_only:
        notes.append(f"Nothing can be reached there and back within {ctx.max_minutes} min "
                     "each way in those hours.")
    if not feasible and ctx.nearest is not None:
        notes.append(f"The nearest activity that works there and back takes {ctx.nearest[0]} "
                     f"min each way: {ctx.nearest[1]}.")
    if ctx.outside_hours:
        notes.append(f"{_plural(ctx.outside_hours, 'other session')} on those days "
                     f"{'is' if ctx.outside_hours == 1 else 'are'} outside {ctx.hours_from}"
                     f"–{ctx.hours_to} and not shown.")
    if ctx.no_location:
        notes.append(f"{_plural(ctx.no_location, 'session')} without a mapped venue "
                     f"{'is' if ctx.no_location == 1 else 'are'} not shown.")
    return notes
