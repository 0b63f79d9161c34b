"""The finder's national-size shortcuts give the answers of the plain search (Mid-Notts data).

- The profiles stop at the time limit; "over N min" versus "no bus" is told by two plain
  searches. Every answer is compared with the uncapped profiles (the previous method).
- FINDER_LIST_KM keeps every session the client can reach; only sessions that cannot be
  reached and lie beyond the radius are left out, and the answer says so.
- The directory's box filter and the start-up warm-up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

import app.api  # noqa: F401  (loaded first, as the app does)
from app.routing import roundtrip
from app.routing.geo import haversine_m
from app.schemas.reachable import ReachableRequest
from app.services.directory.sessions import sessions_between
from app.services.reachable.service import find_reachable
from app.services.transit import router as transit_router
from app.settings import get_settings

pytestmark = pytest.mark.realdata

WEEK = {"date_from": "2026-11-23", "date_to": "2026-11-29"}
CASES: list[dict[str, Any]] = [
    {**WEEK},
    {**WEEK, "max_minutes": 15, "max_walk_m": 400, "hours_from": "10:00", "hours_to": "15:00"},
    {**WEEK, "walk_speed": "slow", "max_buses": 1, "hours_to": "22:00", "max_minutes": 30},
    {"date_from": "2026-11-25", "date_to": "2026-11-25", "bus_pass": "older",
     "max_visit_cost_gbp": 5},
    {"dates": ["2026-11-24", "2026-12-03"], "hours_from": "07:00", "hours_to": "23:30",
     "max_minutes": 90, "max_buses": 3, "wheelchair": True},
]


@pytest.fixture(scope="module")
def postcodes(db: Session) -> list[str]:
    """Postcodes all over the loaded county, in a fixed pseudo-random order."""
    return [r[0] for r in db.execute(text(
        "SELECT p.pcds FROM postcode p JOIN lad ON lad.code = p.lad_code"
        " ORDER BY md5(p.pcd || 'national') LIMIT 24"))]


def answer(db: Session, postcode: str, case: dict[str, Any]) -> dict[str, Any]:
    """The finder's answer as JSON-ready data."""
    req = ReachableRequest.model_validate({"origin": {"postcode": postcode}, **case})
    return find_reachable(db, req).model_dump(mode="json")


def test_capped_profiles_answer_as_the_uncapped_ones(
        db: Session, postcodes: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    new = [answer(db, pc, case) for pc in postcodes[:12] for case in CASES]
    with monkeypatch.context() as m:
        m.setattr(roundtrip, "_cap_minutes", lambda _max_j: None)  # the previous method
        old = [answer(db, pc, case) for pc in postcodes[:12] for case in CASES]
    assert new == old
    # The comparison covers what the shortcut changes: reasons told by the plain searches.
    reasons = {r["reason"] for a in new for r in a["rows"] if r["reason"]}
    assert any(x.startswith("over ") for x in reasons)
    assert any(x.startswith("no bus there by") for x in reasons)
    assert any(a["counts"]["feasible"] for a in new)


def test_list_radius_keeps_everything_reachable(
        db: Session, postcodes: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    everything = {(pc, i): answer(db, pc, case) for pc in postcodes[12:]
                  for i, case in enumerate(CASES[:3])}
    monkeypatch.setenv("FINDER_LIST_KM", "8")
    get_settings.cache_clear()
    try:
        near = {k: answer(db, k[0], CASES[k[1]]) for k in everything}
    finally:
        monkeypatch.delenv("FINDER_LIST_KM")
        get_settings.cache_clear()
    dropped = 0
    for key, full in everything.items():
        part = near[key]
        kept = {r["id"]: r for r in part["rows"]}
        note = next(e for e in part["explanations"] if e.startswith("Only sessions within"))
        radius_km = float(note.split("within ")[1].split(" km")[0])
        assert radius_km >= 8
        for row in full["rows"]:
            if row["id"] in kept:
                assert kept[row["id"]] == row  # the same row, word for word
                continue
            dropped += 1
            assert row["feasibility"] == "unreachable"
            assert row["distance_km"] >= radius_km - 0.1
        assert set(kept) <= {r["id"] for r in full["rows"]}
        assert part["counts"]["feasible"] == full["counts"]["feasible"]
        assert part["counts"]["outbound_only"] == full["counts"]["outbound_only"]
    assert dropped  # the radius did leave distant sessions out


def test_box_filter_keeps_the_sessions_held_in_the_box(db: Session) -> None:
    start, end = dt.date(2026, 11, 23), dt.date(2026, 11, 29)
    conn = db.connection()
    everything = sessions_between(conn, start, end)
    lat, lon = 53.14, -1.2  # Mansfield
    box = (lon - 0.15, lat - 0.09, lon + 0.15, lat + 0.09)
    inside = sessions_between(conn, start, end, bbox=box)
    expected = [s for s in everything if s.lat is None or s.lon is None or (
        box[0] <= s.lon <= box[2] and box[1] <= s.lat <= box[3])]
    assert [(s.activity_id, s.schedule_id, s.date) for s in inside] == \
        [(s.activity_id, s.schedule_id, s.date) for s in expected]
    assert 0 < len(inside) < len(everything)
    far = haversine_m(lat, lon, [s.lat for s in inside if s.lat is not None],
                      [s.lon for s in inside if s.lon is not None])
    assert float(far.max()) < 20_000


def test_warm_up_loads_the_next_dates(db: Session) -> None:
    transit_router.clear_memory_cache()
    assert transit_router.warm_up(3, today=dt.date(2026, 11, 23)) == 3
    conn = db.connection()
    with transit_router._STATE.lock:
        warmed = {r.day for r in transit_router._STATE.routers.values()}
    assert {dt.date(2026, 11, 23), dt.date(2026, 11, 24), dt.date(2026, 11, 25)} <= warmed
    first = transit_router.get_transit_router(conn, dt.date(2026, 11, 24))
    assert transit_router.get_transit_router(conn, dt.date(2026, 11, 24)) is first
    # Outside the feeds' validity nothing is compiled.
    assert transit_router.warm_up(2, today=dt.date(2031, 1, 1)) == 0
