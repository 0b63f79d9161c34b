"""Fast start: cached numba kernels, memory-mapped timetables, a query path without pandas."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.routing import aot
from app.routing import kernels as jit
from app.routing import raptor_core as core
from app.routing.cache import TimetableCache
from app.routing.feed import Feed
from app.routing.names import Names
from app.routing.raptor import QueryParams, Router
from app.routing.timetable import Timetable, compile_timetable

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def tt(midnotts_feed: Feed) -> Timetable:
    return compile_timetable([midnotts_feed], DAY)


def test_cache_maps_instead_of_reading(tt: Timetable, tmp_path: Path) -> None:
    cache = TimetableCache(tmp_path)
    cache.save("k", tt)
    again = cache.load("k")
    assert again is not None
    for name in ("arr", "dep", "pat_stops", "stop_lat"):
        got, want = getattr(again, name), getattr(tt, name)
        assert np.array_equal(got, want) and got.dtype == want.dtype
        assert isinstance(got.base, np.memmap)  # a view on the file, not a copy
        assert not got.flags.writeable  # shared read-only by every process
        assert got.flags.aligned and got.ctypes.data % 64 == 0
    for name in ("stop_ids", "stop_names", "trip_ids", "trip_route_ids", "trip_headsign"):
        got, want = getattr(again, name), getattr(tt, name)
        assert list(got) == list(want)  # ids and names as UTF-8 tables, mapped too
        table = got if isinstance(got, Names) else got.table
        assert isinstance(table.data.base, np.memmap)
    # The mirror comes from the file as well (nothing rebuilt per process).
    m, want_m = again.time_reversed(), tt.time_reversed()
    for name in ("arr", "dep", "pat_stops", "stop_pat_pos"):
        assert np.array_equal(getattr(m, name), getattr(want_m, name))
        assert isinstance(getattr(m, name).base, np.memmap)
    assert again.service_date == tt.service_date and again.reversed is False
    # Compact dtypes: int32 times and indices.
    for name in ("arr", "dep", "pat_stop_ptr", "pat_trip_ptr", "trip_time_off", "stop_pat_ptr"):
        assert getattr(again, name).dtype == np.int32
    # A damaged file is a cache miss, never an exception.
    path = cache.path("k")
    path.write_bytes(path.read_bytes()[:1000])
    assert cache.load("k") is None


def test_aot_kernels_agree_with_the_jit(tt: Timetable) -> None:
    aot.ensure_built()  # the install step; a C compiler is installed here
    k = aot.load_aot()
    assert k is not None
    router = Router(tt)
    side = router.forward
    pack = side.pack(QueryParams())
    rng = np.random.default_rng(2)
    for s in rng.integers(0, tt.n_stops, 20):
        acc, dist = side.access(float(tt.stop_lat[s]), float(tt.stop_lon[s]), 800.0)
        acc = acc.astype(np.int32)
        acc_t = np.ceil(dist * 3.6 / 4.8 - 1e-9).astype(np.int32)
        t0 = int(rng.integers(6 * 3600, 20 * 3600))
        out = []
        for mod in (k, jit):
            labels = core.new_time_labels(4, tt.n_stops)
            work = core.new_work(tt.n_stops, tt.n_patterns)
            mod.run_times_flat(*pack, 4, 0, t0, int(core.INF), acc, acc_t, *labels, *work,
                               np.zeros(0, np.int32))
            out.append(labels)
        assert np.array_equal(out[0][0], out[1][0]) and np.array_equal(out[0][1], out[1][1])
        # The one-call query, on both label layouts and with a time cap.
        for dense, limit in ((True, int(core.INF)), (False, int(core.INF)), (False, t0 + 2400)):
            got = []
            for mod in (k, jit):
                bus, walk = core.new_time_labels(4, tt.n_stops)
                work = core.new_work(tt.n_stops, tt.n_patterns)
                block = np.empty((2, 4, tt.n_stops), np.int32)
                m = mod.search_times_flat(*pack, 3, 60, t0, limit, acc, acc_t, bus, walk,
                                          *work, dense, block)
                if dense:
                    got.append((block[0], block[1]))
                else:
                    got.append(core.collect_touched(bus, walk, None, 4, work)[:3])
                    assert m == len(got[-1][0])
                assert (bus == core.INF).all() and (walk == core.INF).all()  # left clean
            assert all(np.array_equal(x, y) for x, y in zip(*got, strict=True))
    q = np.array([53.14]), np.array([-1.2])
    a = k.near_many(*_walker_args(router), q[0], q[1], 800.0, 1.3, 60.0)
    b = jit.near_many(*_walker_args(router), q[0], q[1], 800.0, 1.3, 60.0)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def _walker_args(router: Router) -> tuple[np.ndarray, ...]:
    w = router.walker
    return w._sorted_lat, w._order, w.lat, w.lon  # type: ignore[attr-defined]


def _python(code: str, env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


def test_fresh_process_answers_without_pandas_or_numba(tt: Timetable, tmp_path: Path) -> None:
    aot.ensure_built()  # built once into the shared cache (install step or first run)
    TimetableCache(tmp_path).save("k", tt)
    code = (
        "import sys\n"
        "from app.routing.cache import TimetableCache\n"
        "from app.routing.raptor import Router\n"
        f"tt = TimetableCache({str(tmp_path)!r}).load('k')\n"
        "r = Router(tt)\n"
        "res = r.earliest_arrival(float(tt.stop_lat[3]), float(tt.stop_lon[3]), 8 * 3600)\n"
        "print(int((res.stop_times() < (1 << 30)).sum()), 'pandas' in sys.modules,"
        " 'numba' in sys.modules)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    reached, pandas, numba = _python(code, env).split()
    want = Router(tt).earliest_arrival(float(tt.stop_lat[3]), float(tt.stop_lon[3]), 8 * 3600)
    assert int(reached) == int((want.stop_times() < core.INF).sum()) > 1
    assert (pandas, numba) == ("False", "False")


def test_numba_cache_dir_defaults_under_the_cache_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(PYTHONPATH=str(ROOT), CACHE_DIR=str(tmp_path))
    code = "import os, app.routing; print(os.environ['NUMBA_CACHE_DIR'])"
    assert _python(code, env) == str(tmp_path / "numba")
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "mine")  # an explicit setting wins
    assert _python(code, env) == str(tmp_path / "mine")


def test_query_modules_do_not_import_pandas() -> None:
    code = ("import sys\n"
            "import app.routing.cache, app.routing.raptor, app.routing.profile\n"
            "import app.routing.roundtrip, app.routing.matrix, app.routing.journey\n"
            "print('pandas' in sys.modules)")
    assert _python(code, dict(os.environ, PYTHONPATH=str(ROOT))) == "False"
