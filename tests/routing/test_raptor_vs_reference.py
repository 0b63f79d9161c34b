"""RAPTOR earliest arrival vs the reference Dijkstra on both real feeds (500 queries each).

Every stop's earliest arrival must be identical, for max_buses 1..4, with and without
wheelchair mode, over random origins, times, walking speeds and change margins.
Arrivals are compared up to a horizon after departure (the reference stops there).
Each query runs on both label layouts (dense rows and the touched-stop scratch).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wr_reference_router import RefNetwork, build_network, reference_earliest

from app.routing import raptor
from app.routing.feed import Feed
from app.routing.raptor import QueryParams, Router
from app.routing.timetable import compile_timetable
from app.routing.walk import WalkParams

CASES = settings(max_examples=500, derandomize=True, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _setup(feed: Feed, day: dt.date) -> tuple[Router, RefNetwork]:
    tt = compile_timetable([feed], day)
    return Router(tt), build_network(feed, day, 400.0)


@pytest.fixture(scope="module")
def midnotts(midnotts_feed: Feed) -> tuple[Router, RefNetwork]:
    return _setup(midnotts_feed, dt.date(2026, 12, 2))  # a Wednesday, with Tuesday's late trips


@pytest.fixture(scope="module")
def poa(poa_feed: Feed) -> tuple[Router, RefNetwork]:
    return _setup(poa_feed, dt.date(2019, 5, 13))


def _query() -> Any:
    return st.fixed_dictionaries({
        "stop": st.integers(0, 10**6),
        "dlat": st.floats(-0.006, 0.006),
        "dlon": st.floats(-0.009, 0.009),
        "t0": st.integers(0, 26 * 3600),
        "wheelchair": st.booleans(),
        "min_change": st.sampled_from([0, 0, 60, 120]),
        "speed": st.sampled_from([4.8, 4.8, 3.2, 2.0]),
    })


@contextlib.contextmanager
def _dense_max(n: int) -> Iterator[None]:
    """Run queries with `raptor.DENSE_MAX_STOPS` set to n (0: always the touched list)."""
    old = raptor.DENSE_MAX_STOPS
    raptor.DENSE_MAX_STOPS = n
    try:
        yield
    finally:
        raptor.DENSE_MAX_STOPS = old


def _check(setup: tuple[Router, RefNetwork], q: dict[str, Any], horizon: int) -> None:
    router, net = setup
    tt = router.tt
    s = q["stop"] % tt.n_stops
    lat = float(tt.stop_lat[s]) + q["dlat"]
    lon = float(tt.stop_lon[s]) + q["dlon"]
    ref = reference_earliest(net, lat, lon, q["t0"], 4, q["speed"], 800.0, q["min_change"],
                             q["wheelchair"], horizon)
    walk = WalkParams(speed_kmh=q["speed"], min_change_s=q["min_change"])
    for k, dense_max in itertools.product(range(1, 5), (raptor.DENSE_MAX_STOPS, 0)):
        # Both label layouts: dense rows (small networks) and the touched-stop scratch.
        with _dense_max(dense_max):
            res = router.earliest_arrival(lat, lon, q["t0"],
                                          QueryParams(k, q["wheelchair"], walk))
        if len(res.access[0]):  # (no stop in reach: nothing was searched)
            assert (res.stops is None) == (dense_max > 0)
        times = res.stop_times()
        within = np.flatnonzero(times <= q["t0"] + horizon)
        got = {str(tt.stop_ids[i]): int(times[i]) for i in within}
        if got != ref[k]:
            diff = sorted((sid, got.get(sid), ref[k].get(sid))
                          for sid in set(got) | set(ref[k]) if got.get(sid) != ref[k].get(sid))
            raise AssertionError(f"max_buses={k}: {len(diff)} stops differ, e.g. {diff[:5]}")


@CASES
@given(q=_query())
def test_midnotts_matches_reference(midnotts: tuple[Router, RefNetwork], q: dict[str, Any]) -> None:
    _check(midnotts, q, horizon=3 * 3600)


@CASES
@given(q=_query())
def test_poa_matches_reference(poa: tuple[Router, RefNetwork], q: dict[str, Any]) -> None:
    _check(poa, q, horizon=90 * 60)
