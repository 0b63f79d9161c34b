"""Times-only searches: the same times as logged ones, journeys rebuilt on demand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from app.routing.feed import Feed
from app.routing.journey import Place
from app.routing.raptor import INF, QueryParams, Router, SearchResult
from app.routing.timetable import compile_timetable
from app.routing.walk import WalkParams, walk_seconds

H = 3600


@pytest.fixture(scope="module")
def router(midnotts_feed: Feed) -> Router:
    return Router(compile_timetable([midnotts_feed], dt.date(2026, 12, 2)))


def _cases(router: Router, n: int, seed: int) -> list[tuple[float, float, int]]:
    rng = np.random.default_rng(seed)
    tt = router.tt
    out = []
    for s in rng.integers(0, tt.n_stops, n):
        out.append((float(tt.stop_lat[s]) + rng.normal(0, 0.002),
                    float(tt.stop_lon[s]) + rng.normal(0, 0.003), int(rng.integers(6 * H, 20 * H))))
    return out


def _legs(res: SearchResult, lat: float, lon: float) -> list[tuple[object, ...]] | None:
    j = res.journey(lat, lon)
    if j is None:
        return None
    return [(leg.mode, leg.start.stop_id, leg.end.stop_id, leg.depart_s, leg.arrive_s,
             round(leg.walk_m, 6), leg.trip_id) for leg in j.legs]


@pytest.mark.parametrize("reverse", [False, True])
def test_times_only_equals_logged_search(router: Router, reverse: bool) -> None:
    tt = router.tt
    q = QueryParams(max_buses=3, walk=WalkParams(min_change_s=60))
    targets = _cases(router, 8, seed=5)
    for lat, lon, t in _cases(router, 12, seed=4):
        search = router.latest_departure if reverse else router.earliest_arrival
        lean = search(lat, lon, t, q)
        full = search(lat, lon, t, q, journeys=True)
        assert lean.log is None and full.log is not None
        assert np.array_equal(lean.stop_times(), full.stop_times())
        assert np.array_equal(lean.bus_times(), full.bus_times())
        rides = 0
        for tlat, tlon, _ in targets:
            legs = _legs(lean, tlat, tlon)
            assert legs == _legs(full, tlat, tlon)
            rides += sum(1 for leg in legs or [] if leg[0] == "bus")
        # The log is recorded by the first journey that needs one (a ride), and only then.
        assert (lean.log is not None) == (rides > 0)
        stops = np.arange(0, tt.n_stops, 37)
        assert np.array_equal(lean.at_targets(tt.stop_lat[stops], tt.stop_lon[stops]),
                              full.at_targets(tt.stop_lat[stops], tt.stop_lon[stops]))


def _targets_by_loop(res: SearchResult, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """The per-target rule written out plainly: best egress from a bus, or the direct walk."""
    wp = res.params.walk
    walker = res.side.walker
    k = res.params.max_buses
    out = np.full(len(lats), INF, np.int64)
    for j in range(len(lats)):
        idx, dist = walker.egress(float(lats[j]), float(lons[j]), wp.max_walk_m)
        for s, d in zip(idx, dist, strict=True):
            b = int(res.bus[k, s])
            if b < INF:
                out[j] = min(out[j], b + walk_seconds(float(d), wp.speed_kmh))
        direct = walker.direct(res.origin.lat, res.origin.lon, float(lats[j]), float(lons[j]))
        if direct <= wp.max_walk_m:
            out[j] = min(out[j], res.depart_s + walk_seconds(direct, wp.speed_kmh))
    return out


def test_at_targets_matches_the_rule_target_by_target(router: Router) -> None:
    pts = np.array([(a, b) for a, b, _ in _cases(router, 300, seed=9)])
    for lat, lon, t in _cases(router, 5, seed=8):
        res = router.earliest_arrival(lat, lon, t)
        got = res.at_targets(pts[:, 0], pts[:, 1])
        assert np.array_equal(got, _targets_by_loop(res, pts[:, 0], pts[:, 1]))
        # Asked again for the same targets (the egress memo): the same answer.
        assert np.array_equal(res.at_targets(pts[:, 0], pts[:, 1]), got)


def test_transfer_rows_sorted_by_walk_time(router: Router) -> None:
    for side in (router.forward, router.mirror):
        pack = side.pack(QueryParams())
        ptr, to, secs = pack[11], pack[12], pack[13]
        for s in range(router.tt.n_stops):
            row = secs[ptr[s]:ptr[s + 1]]
            assert np.all(np.diff(row) >= 0)
        assert to.dtype == np.int32 and secs.dtype == np.int32


@pytest.mark.parametrize("reverse", [False, True])
def test_times_only_profiles_equal_logged_ones(router: Router, reverse: bool) -> None:
    from app.routing.profile import forward_profile, reverse_profile

    fn = reverse_profile if reverse else forward_profile
    q = QueryParams(max_buses=3, walk=WalkParams(min_change_s=60))
    targets = _cases(router, 6, seed=12)
    for lat, lon, _ in _cases(router, 6, seed=11):
        lean = fn(router, lat, lon, 8 * H, 11 * H, q)
        full = fn(router, lat, lon, 8 * H, 11 * H, q, journeys=True)
        assert not lean.journeys and full.journeys
        for name in ("ptr", "dep", "arr", "n_buses"):
            assert np.array_equal(getattr(lean, name), getattr(full, name))
        # The lean log has bus entries only, with the trips the round trips read.
        assert (lean.log[0] == 1).all() and (lean.log[8] == -1).all()
        assert np.array_equal(lean.log[5][lean.entry], full.log[5][full.entry])
        assert lean._full is None  # nothing re-run until a journey is asked for
        picks = np.linspace(0, len(lean.entry) - 1, 8).astype(int) if len(lean.entry) else []
        for i in picks:
            tlat, tlon, _ = targets[int(i) % len(targets)]
            a = lean.legs(int(i), Place("t", tlat, tlon), 120.0)
            b = full.legs(int(i), Place("t", tlat, tlon), 120.0)
            assert a == b
        assert len(picks) == 0 or lean._full is not None


def test_egress_memo_follows_the_coordinates_not_the_array(router: Router) -> None:
    side = router.forward
    lats = router.tt.stop_lat[::5].copy()
    lons = router.tt.stop_lon[::5].copy()
    first = side.egress_times(lats, lons, 800.0, 4.8)
    again = side.egress_times(lats.copy(), lons.copy(), 800.0, 4.8)  # equal values: a hit
    assert all(a is b for a, b in zip(first, again, strict=True))
    lats += 0.01  # the same array moved in place: a new answer, never the remembered one
    moved = side.egress_times(lats, lons, 800.0, 4.8)
    want = side.egress_many(lats, lons, 800.0)
    for a, b in zip(moved, want, strict=False):
        assert np.array_equal(a, b)
    assert not np.array_equal(moved[1], first[1])
    assert side.egress_times(lats, lons, 600.0, 4.8)[0][-1] <= moved[0][-1]  # other radius
