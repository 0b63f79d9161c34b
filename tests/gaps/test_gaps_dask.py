"""The gap batch by parts on Dask: in process, on 2 workers and dense give the same results."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

import numpy as np
import pytest
from sqlalchemy import create_engine

from app.analysis.bands import BAND_NAMES
from app.services.gaps.batch import local_cluster, prepare, resolve_scheduler, run_batch
from app.services.gaps.compute import BandResult, GapParams, compute_band
from app.settings import get_settings

pytestmark = pytest.mark.realdata


def _same_blocks(a: BandResult, b: BandResult, close: frozenset[str] = frozenset()) -> None:
    """Every block equal; metrics in `close` (sums over sessions) to 1e-12, others exactly."""
    assert len(a.blocks) == len(b.blocks)
    for x, y in zip(a.blocks, b.blocks, strict=True):
        assert (x.budget, x.level, x.category, x.audience) == (
            y.budget, y.level, y.category, y.audience)
        assert list(x.codes) == list(y.codes)
        assert np.array_equal(x.population, y.population, equal_nan=True)
        assert x.values.keys() == y.values.keys()
        for m in x.values:
            u, v = np.asarray(x.values[m], float), np.asarray(y.values[m], float)
            if m in close:
                np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-12, equal_nan=True,
                                           err_msg=m)
            else:
                assert np.array_equal(u, v, equal_nan=True), m


@pytest.fixture(scope="module")
def runs(gaps_db: str) -> dict[str, Any]:
    """The Notts run three ways: dense in one pass, by parts in process, on 2 workers."""
    eng = create_engine(gaps_db)
    try:
        params = GapParams(reference=dt.date(2026, 11, 22))
        prep = prepare(eng, params)
        td = time.perf_counter()
        with eng.connect() as conn:
            dense = [compute_band(conn, prep.ctx, b) for b in BAND_NAMES]
        t0 = time.perf_counter()
        inline = run_batch(params, scheduler="inline", store=False, progress=False,
                           engine=eng, prepared=prep)
        t1 = time.perf_counter()
        local = run_batch(params, scheduler="local", workers=2, store=False, progress=False,
                          engine=eng, prepared=prep)
        t2 = time.perf_counter()
    finally:
        eng.dispose()
    print(f"\n{len(prep.ctx.origins)} origins: dense {t0 - td:.1f} s, by parts inline "
          f"{t1 - t0:.1f} s, LocalCluster(2) {t2 - t1:.1f} s")
    print("\n".join(local.routing.lines()))
    return {"prep": prep, "dense": dense, "inline": inline, "local": local}


def test_local_cluster_matches_the_in_process_batch(runs: dict[str, Any]) -> None:
    """Every band, matrix, metric and detail: bit-identical in process and on 2 workers."""
    inline, local, prep = runs["inline"], runs["local"], runs["prep"]
    n = len(prep.ctx.origins)
    assert inline.run_id is None and local.run_id is None  # store=False wrote nothing
    assert [r.band for r in inline.results] == [r.band for r in local.results] == [
        "weekday_day", "weekday_evening", "weekend"]
    for a, b in zip(inline.results, local.results, strict=True):
        assert a.slots == b.slots
        assert a.rt_min is not None and b.rt_min is not None  # Notts keeps its matrices
        assert np.array_equal(a.rt_min, b.rt_min)
        assert np.isfinite(a.rt_min).any()
        assert a.details == b.details
        _same_blocks(a, b)
    # two worker processes shared the work, and each did some of the origins
    assert len(local.routing.workers) == 2
    assert all(w.origins > 0 for w in local.routing.workers.values())
    days = len({s.weekday for s in prep.ctx.listings.slots})
    assert sum(w.origins for w in local.routing.workers.values()) == n * days


def test_parts_give_the_dense_results(runs: dict[str, Any]) -> None:
    """By parts (sparse capped searches, reachable sessions only, reduced per part) the
    run equals the dense one-pass computation: every detail, count, share, nearest time
    and interval exactly; sums over sessions and E2SFCA to 1e-12; every round trip within
    the largest budget exactly (longer ones are dropped by the time cap)."""
    top = max(runs["prep"].ctx.params.budgets)
    for a, d in zip(runs["inline"].results, runs["dense"], strict=True):
        assert a.band == d.band and a.slots == d.slots
        assert a.details == d.details
        _same_blocks(a, d, close=frozenset({"sessions_mean", "e2sfca"}))
        within = d.rt_min <= top
        assert within.any()
        assert np.array_equal(a.rt_min[within], d.rt_min[within].astype(np.float32))
        assert (a.rt_min[~within] > top).all()


def test_local_workers_keep_the_default_allocator() -> None:
    """Dask's MALLOC_TRIM_THRESHOLD_ made every temporary array fault its pages in again."""
    import os

    from distributed import Client

    with local_cluster(1) as cluster, Client(cluster) as client:
        env = client.run(lambda: {k: os.environ.get(k) for k in (
            "MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS")})
    (got,) = env.values()
    assert got == {"MALLOC_TRIM_THRESHOLD_": None, "OMP_NUM_THREADS": "1"}


def test_the_local_client_gathers_straight_from_the_workers() -> None:
    """Through the scheduler, this process would read every part's summary twice."""
    from app.services.gaps.batch import dask_client

    with dask_client("local", 1) as client:
        assert client is not None and client.direct_to_workers is True
        fut = client.submit(sum, [1, 2])
        assert fut.result() == 3


def test_scheduler_choice_follows_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAPS_SCHEDULER", "local")
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://10.0.0.5:8786")
    get_settings.cache_clear()
    try:
        assert resolve_scheduler() == "tcp://10.0.0.5:8786"
        assert resolve_scheduler("inline") == "inline"
        assert resolve_scheduler("local") == "local"  # asked for explicitly
        monkeypatch.delenv("DASK_SCHEDULER_ADDRESS")
        get_settings.cache_clear()
        assert resolve_scheduler() == "local"
        with pytest.raises(Exception, match="scheduler must be"):
            resolve_scheduler("everywhere")
    finally:
        get_settings.cache_clear()


def test_every_postcode_is_an_origin_unless_a_setting_says_otherwise(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ingest.commands.gaps import _params

    args = argparse.Namespace(budget=None, max_origins=None, decay="stepped", date=None,
                              workers=None)
    get_settings.cache_clear()
    try:
        assert _params(args).max_origins == 0  # 0 = every postcode of each LSOA
        monkeypatch.setenv("GAPS_MAX_ORIGINS", "10")
        get_settings.cache_clear()
        assert _params(args).max_origins == 10
        args.max_origins = 0  # the flag wins over the setting
        assert _params(args).max_origins == 0
    finally:
        get_settings.cache_clear()
