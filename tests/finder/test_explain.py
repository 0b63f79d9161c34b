"""Pure checks of sorting, per-activity summaries and explanations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.schemas.reachable import Activity, Journey, LastBus, Row, Venue
from app.services.reachable.explain import Context, explain, sort_rows, summarise
from app.services.reachable.rows import cost_note

WED, FRI = dt.date(2026, 11, 25), dt.date(2026, 11, 27)


def journey(minutes: int) -> Journey:
    return Journey(depart_time="10:00", arrive_time="10:30", minutes=minutes, buses=1, walk_m=400,
                   legs=[])


def row(act: str, day: dt.date, status: str, *, starts: str = "10:00", minutes: int = 20,
        last: str | None = None, code: str | None = None) -> Row:
    kw: dict[str, Any] = {}
    if status != "unreachable":
        kw["outbound"] = journey(minutes)
    if status == "feasible":
        kw["return"] = journey(minutes)
        kw["travel_minutes"] = 2 * minutes
    return Row(id=f"{act}:{day}", activity=Activity(id=act, name=f"Group {act}"),
               venue=Venue(id=f"v{act}", name=f"Hall {act}", lat=53.1, lon=-1.2), date=day,
               weekday=day.strftime("%A"), start_time=starts, end_time="21:00", feasibility=status,
               reason=None if status == "feasible" else "why", reason_code=code,
               last_bus_home=LastBus(leave_venue_by=last) if last else None, **kw)


CTX = Context(max_minutes=45, hours_from="09:00", hours_to="22:00",
              sessions_before_filters=10, outside_hours=0, no_location=0)


def test_feasible_first_then_by_travel_time() -> None:
    rows = [row("a", WED, "unreachable"), row("b", WED, "feasible", minutes=30),
            row("c", WED, "outbound_only"), row("d", WED, "feasible", minutes=10)]
    assert [r.activity.id for r in sort_rows(rows)] == ["d", "b", "c", "a"]


def test_summary_per_activity_and_weekday() -> None:
    rows = [row("a", WED, "feasible"),
            row("a", FRI, "outbound_only", last="18:40", code="no_bus_back")]
    (s,) = summarise(rows)
    assert s.text == "Wednesdays: works; Fridays: can get there, but no bus back after 18:40"
    assert s.best == "feasible"


def test_evening_cut_off_is_explained() -> None:
    rows = [row(x, WED, "outbound_only", starts="19:00", last="18:55", code="no_bus_back")
            for x in "abcd"]
    notes = explain(rows, CTX)
    assert "4 evening activities are reachable but there is no bus home after 18:55." in notes


def test_home_too_late_is_told_apart() -> None:
    rows = [row("a", WED, "outbound_only", starts="19:30", code="home_too_late")]
    assert explain(rows, CTX) == [
        "1 evening activity is reachable but the way home gets back after 22:00."]


def test_nothing_within_the_limit_names_the_nearest() -> None:
    ctx = Context(**{**CTX.__dict__, "nearest": (52, "Group x (Wednesday 10:00)")})
    notes = explain([row("a", WED, "unreachable")], ctx)
    assert notes[0] == ("Nothing can be reached there and back within 45 min each way in "
                        "those hours.")
    assert "takes 52 min each way: Group x (Wednesday 10:00)" in notes[1]


def test_empty_results_explain_why() -> None:
    none_listed = Context(**{**CTX.__dict__, "sessions_before_filters": 0})
    assert "No activity sessions" in explain([], none_listed)[0]
    all_outside = Context(**{**CTX.__dict__, "outside_hours": 3})
    assert "3 sessions" in explain([], all_outside)[0]
    no_stop = Context(**{**CTX.__dict__, "no_stop_within_m": 800})
    assert "no bus stop within 800 m" in explain([], no_stop)[0]


def test_cost_text() -> None:
    assert cost_note("Free £0.00 free, confidential", True) == "confidential"
    assert cost_note("Free £0.00 free", True) is None
    assert cost_note("Per session £2.5 per session, tea included", False) == \
        "£2.50 per session, tea included"
