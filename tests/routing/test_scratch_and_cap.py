"""Reused scratch, the public time cap (`max_minutes`) and the no-stop short-circuit."""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.routing import raptor
from app.routing import raptor_core as core
from app.routing.errors import RoutingError
from app.routing.feed import Feed
from app.routing.profile import forward_profile, reverse_profile
from app.routing.raptor import INF, QueryParams, Router, SearchResult
from app.routing.timetable import Timetable, compile_timetable
from app.routing.walk import WalkParams

H = 3600
DAY = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def tt(midnotts_feed: Feed) -> Timetable:
    return compile_timetable([midnotts_feed], DAY)


@pytest.fixture(scope="module")
def router(tt: Timetable) -> Router:
    return Router(tt)


def _search(r: Router, reverse: bool, lat: float, lon: float, t: int,
            q: QueryParams) -> SearchResult:
    return (r.latest_departure if reverse else r.earliest_arrival)(lat, lon, t, q)


def _answer(res: SearchResult, tt: Timetable) -> tuple[np.ndarray, ...]:
    k = res.params.max_buses
    return (res.stop_times(), res.bus_times(), res.bus[k], res.walk[k],
            res.at_targets(tt.stop_lat[::7], tt.stop_lon[::7]))


def _scratch_is_clean(r: Router) -> None:
    """Every label of this thread's scratch is INF again and the touched list is empty."""
    for side in (r.forward, r.mirror):
        sc = side._scratch
        if not hasattr(sc, "work"):
            continue
        assert (sc.bus == INF).all() and (sc.walk == INF).all()
        assert not sc.work[8].any() and int(sc.work[10][0]) == 0


@pytest.fixture(params=["dense", "touched"])
def layout(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test on dense labels (small networks) and on the touched-stop scratch."""
    if request.param == "touched":
        monkeypatch.setattr(raptor, "DENSE_MAX_STOPS", 0)
    return str(request.param)


query = st.tuples(st.integers(0, 10_000), st.floats(-0.004, 0.004), st.floats(-0.006, 0.006),
                  st.integers(5 * H, 22 * H), st.integers(1, 4), st.booleans(), st.booleans(),
                  st.sampled_from([None, 20, 45, 90]))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(queries=st.lists(query, min_size=2, max_size=6))
def test_reused_scratch_gives_the_answers_of_fresh_runs(router: Router, tt: Timetable,
                                                         queries: list[tuple],
                                                         layout: str) -> None:
    fresh = Router(tt, router.walker)
    for s, dlat, dlon, t, k, wheelchair, reverse, cap in queries:
        s %= tt.n_stops
        lat, lon = float(tt.stop_lat[s]) + dlat, float(tt.stop_lon[s]) + dlon
        q = QueryParams(max_buses=k, wheelchair=wheelchair, max_minutes=cap,
                        walk=WalkParams(min_change_s=60))
        got = _answer(_search(router, reverse, lat, lon, t, q), tt)
        # A fresh run: scratch allocated anew for this one query.
        fresh.forward._scratch = threading.local()
        fresh.mirror._scratch = threading.local()
        want = _answer(_search(fresh, reverse, lat, lon, t, q), tt)
        for a, b in zip(got, want, strict=True):
            assert np.array_equal(a, b)
        _scratch_is_clean(router)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=query)
def test_dense_and_touched_layouts_give_the_same_answers_and_journeys(
        router: Router, tt: Timetable, monkeypatch: pytest.MonkeyPatch, q: tuple) -> None:
    s, dlat, dlon, t, k, wheelchair, reverse, cap = q
    s %= tt.n_stops
    lat, lon = float(tt.stop_lat[s]) + dlat, float(tt.stop_lon[s]) + dlon
    params = QueryParams(max_buses=k, wheelchair=wheelchair, max_minutes=cap,
                         walk=WalkParams(min_change_s=60))
    targets = tt.stop_lat[::37] + 0.001, tt.stop_lon[::37] - 0.001
    out = {}
    for dense_max in (tt.n_stops, 0):  # dense, then the touched list
        monkeypatch.setattr(raptor, "DENSE_MAX_STOPS", dense_max)
        res = _search(router, reverse, lat, lon, t, params)
        if len(res.access[0]):  # (no stop in reach: nothing was searched)
            assert (res.stops is None) == (dense_max > 0)
        legs = [j.legs if (j := res.journey(float(a), float(b))) else None
                for a, b in zip(*targets, strict=True)]
        out[dense_max > 0] = (_answer(res, tt), sorted(res.reached.tolist()),
                              res.reached_times(), res.bus_ent[k], legs)
    (a1, r1, t1, e1, l1), (a2, r2, t2, e2, l2) = out[True], out[False]
    for x, y in zip((*a1, *t1), (*a2, *t2), strict=True):
        assert np.array_equal(x, y)
    assert r1 == r2 and l1 == l2
    assert np.array_equal(e1 >= 0, e2 >= 0)  # the same stops have a logged bus label
    _scratch_is_clean(router)


def test_reached_lists_exactly_the_labelled_stops(router: Router, tt: Timetable,
                                                  layout: str) -> None:
    rng = np.random.default_rng(3)
    for s in rng.integers(0, tt.n_stops, 10):
        res = router.earliest_arrival(float(tt.stop_lat[s]), float(tt.stop_lon[s]), 9 * H)
        full = res.stop_times()
        stops, times = res.reached_times()
        assert np.array_equal(stops, np.flatnonzero(full < INF))
        assert np.array_equal(times, full[stops])
        assert len(set(res.reached.tolist())) == len(res.reached)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=query)
def test_bus_reached_is_bus_times_without_the_unreached(router: Router, tt: Timetable,
                                                        q: tuple, layout: str) -> None:
    s, dlat, dlon, t, k, wheelchair, reverse, cap = q
    s %= tt.n_stops
    params = QueryParams(max_buses=k, wheelchair=wheelchair, max_minutes=cap,
                         walk=WalkParams(min_change_s=60))
    res = _search(router, reverse, float(tt.stop_lat[s]) + dlat, float(tt.stop_lon[s]) + dlon,
                  t, params)
    row = res.bus_times()
    want = np.flatnonzero(row > -INF if reverse else row < INF)
    stops, times = res.bus_reached()
    assert stops.dtype == np.int32 and times.dtype == np.int64
    assert np.array_equal(stops, want)  # sorted by stop, every bus-reached stop once
    assert np.array_equal(times, row[want])


@pytest.mark.parametrize("reverse", [False, True])
def test_max_minutes_keeps_answers_within_the_cap_and_nothing_beyond(
        router: Router, tt: Timetable, reverse: bool, layout: str) -> None:
    rng = np.random.default_rng(8)
    targets = (tt.stop_lat[::3] + 0.001, tt.stop_lon[::3] - 0.001)
    for s in rng.integers(0, tt.n_stops, 12):
        lat, lon = float(tt.stop_lat[s]) + 0.001, float(tt.stop_lon[s])
        t = int(rng.integers(7 * H, 19 * H))
        for cap in (15, 40, 75):
            base = QueryParams(max_buses=3)
            capped = QueryParams(max_buses=3, max_minutes=cap)
            free = _search(router, reverse, lat, lon, t, base)
            lim = _search(router, reverse, lat, lon, t, capped)
            for a, b in ((free.stop_times(), lim.stop_times()),
                         (free.bus_times(), lim.bus_times()),
                         (free.at_targets(*targets), lim.at_targets(*targets))):
                if reverse:
                    within = a >= t - 60 * cap
                    assert np.array_equal(b[within], a[within])
                    assert (b[~within] == -INF).all()
                else:
                    within = a <= t + 60 * cap
                    assert np.array_equal(b[within], a[within])
                    assert (b[~within] == INF).all()
            # The cap stops the search early: it never reaches more stops.
            assert len(lim.reached) <= len(free.reached)
            j = lim.journey(float(targets[0][5]), float(targets[1][5]))
            if j is not None:
                assert j.arrive_s - j.depart_s <= 60 * cap or reverse


def test_max_minutes_in_profiles(router: Router, tt: Timetable) -> None:
    lat, lon = float(tt.stop_lat[40]), float(tt.stop_lon[40])
    for fn in (forward_profile, reverse_profile):
        free = fn(router, lat, lon, 8 * H, 10 * H, QueryParams(max_buses=3))
        lim = fn(router, lat, lon, 8 * H, 10 * H, QueryParams(max_buses=3, max_minutes=30))
        for s in range(0, tt.n_stops, 5):
            want = [e for e in free.at_stop(s) if e[1] - e[0] <= 30 * 60]
            assert lim.at_stop(s) == want


@pytest.mark.parametrize("bad", [0, -5, 10**6, 1.5, True])
def test_max_minutes_is_validated(bad: object) -> None:
    with pytest.raises(RoutingError) as e:
        QueryParams(max_minutes=bad)  # type: ignore[arg-type]
    assert e.value.field == "max_minutes"


def test_no_stop_nearby_short_circuits(router: Router, tt: Timetable,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    lat, lon = float(tt.stop_lat.max()) + 0.2, float(tt.stop_lon.max()) + 0.2  # ~20 km away

    def no_kernel(*_: object) -> None:
        raise AssertionError("the kernel ran for an origin with no stop in reach")

    monkeypatch.setattr(core, "iterate", no_kernel)
    monkeypatch.setattr(core, "search_times", no_kernel)
    for reverse in (False, True):
        res = _search(router, reverse, lat, lon, 9 * H, QueryParams())
        assert len(res.reached) == 0
        times = res.stop_times()
        assert (times == (-INF if reverse else INF)).all() and len(times) == tt.n_stops
        # One shared read-only answer, not an array filled per query.
        assert not times.flags.writeable and res.stop_times() is times
        # A target within walking distance is still reached on foot, nothing else.
        near = res.at_targets(np.array([lat + 0.002, tt.stop_lat[0]]),
                              np.array([lon, tt.stop_lon[0]]))
        assert abs(int(near[0])) < INF and abs(int(near[1])) == INF
        j = res.journey(lat + 0.002, lon)
        assert j is not None and [leg.mode for leg in j.legs] == ["walk"]
        assert res.journey(float(tt.stop_lat[0]), float(tt.stop_lon[0])) is None
