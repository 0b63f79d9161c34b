"""Listings are bounded in size (422), and radius search is driven by the GiST index."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Engine, event, text

from app.services.directory.filters import ActivityFilters, search_box
from app.services.directory.read import search_activities
from app.services.directory.write import MAX_LOCATIONS, MAX_SCHEDULES
from tests.harden.conftest import login


def _listing(**kw: Any) -> dict[str, Any]:
    return {"name": "Bounded walk", "primary_category": "physical-activity",
            "locations": [{"name": "Hall", "lat": 53.1436, "lon": -1.1948}],
            "schedules": [{"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00",
                           "closes_at": "11:00"}]} | kw


def test_too_many_locations_or_schedules_is_a_422(client: httpx.Client) -> None:
    editor = login(client, "edith")
    venues = [{"name": f"Hall {i}", "lat": 53.0 + i * 1e-4, "lon": -1.2}
              for i in range(MAX_LOCATIONS + 1)]
    r = client.post("/api/activities", headers=editor, json=_listing(locations=venues))
    assert r.status_code == 422 and r.json()["field"] == "locations", r.text
    sessions = [{"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00", "closes_at": "11:00"}
                ] * (MAX_SCHEDULES + 1)
    r = client.post("/api/activities", headers=editor, json=_listing(schedules=sessions))
    assert r.status_code == 422 and r.json()["field"] == "schedules", r.text
    r = client.post("/api/activities", headers=editor, json=_listing(name="x" * 201))
    assert r.status_code == 422 and r.json()["field"] == "name"
    r = client.post("/api/activities", headers=editor, json=_listing(description="y" * 6000))
    assert r.status_code == 422 and r.json()["field"] == "description"
    ok = client.post("/api/activities", headers=editor, json=_listing(locations=venues[:3]))
    assert ok.status_code == 201, ok.text
    # An update cannot grow it past the limit either.
    r = client.patch(f"/api/activities/{ok.json()['id']}", json={"locations": venues},
                     headers={**editor, "If-Match": ok.headers["etag"]})
    assert r.status_code == 422 and r.json()["field"] == "locations"


def _plan(engine: Engine, f: ActivityFilters) -> dict[str, Any]:
    seen: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, params))

    with engine.connect() as conn:
        event.listen(engine, "before_cursor_execute", capture)
        try:
            search_activities(conn, f, 365)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        statement, params = seen[0]
        return conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement,
                                    params).scalar_one()[0]["Plan"]


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    out, stack = [], [plan]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.get("Plans", []))
    return out


def test_radius_search_uses_the_index_and_ignores_far_venues(users_db: Engine,
                                                             client: httpx.Client) -> None:
    editor = login(client, "edith")
    near = client.post("/api/activities", headers=editor, json=_listing(name="Near walk"))
    assert near.status_code == 201
    # One listing with 5,000 venues 20-40 km away (as the old API allowed), loaded directly.
    with users_db.begin() as conn:
        sid = near.json()["id"]
        conn.execute(text(
            "INSERT INTO service (id, name, status, oruk_status, categories, audiences,"
            " accepts_referrals, delivery_mode, version, oruk_extra) VALUES ('far-1', 'Far',"
            " 'active', 'active', '{}', '{}', false, 'in-person', 1, '{}')"))
        conn.execute(text(
            "INSERT INTO location (id, name, location_type, geom) SELECT 'far-' || g, 'Far',"
            " 'physical', ST_SetSRID(ST_MakePoint(-0.85 + (g % 100) * 0.002,"
            " 53.0 + (g / 100) * 0.002), 4326) FROM generate_series(1, 5000) g"))
        conn.execute(text(
            "INSERT INTO service_at_location (id, service_id, location_id) SELECT"
            " 'sal-far-' || g, 'far-1', 'far-' || g FROM generate_series(1, 5000) g"))
        conn.execute(text("ANALYZE location; ANALYZE service_at_location; ANALYZE service"))
    f = ActivityFilters(lat=53.1436, lon=-1.1948, radius_m=3000)
    with users_db.connect() as conn:
        _, rows = search_activities(conn, f, 365)
    assert sid in {r["id"] for r in rows} and "far-1" not in {r["id"] for r in rows}
    nodes = _nodes(_plan(users_db, f))
    assert any(n.get("Index Name") == "idx_location_geom" for n in nodes), nodes
    # Nothing in the plan walks the 5,000 far venues or their links.
    for n in nodes:
        if n.get("Relation Name") in ("location", "service_at_location"):
            assert n["Actual Rows"] * n.get("Actual Loops", 1) < 100, n
            assert n["Node Type"] != "Seq Scan", n


def test_search_box_holds_the_circle() -> None:
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    for lat, lon, radius in ((53.14, -1.19, 3000), (60.8, -0.9, 100000), (49.9, -6.3, 50)):
        w, s, e, n = search_box(lat, lon, radius)
        for az in range(0, 360, 5):
            x, y, _ = geod.fwd(lon, lat, az, radius)
            assert w <= x <= e and s <= y <= n
