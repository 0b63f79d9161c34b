"""The compiled timetable on disk: compact columns, the key, shared read-only mapping."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.routing.cache import TimetableCache
from app.routing.feed import Feed
from app.routing.names import Coded, Names
from app.routing.raptor import Router
from app.routing.timetable import BuildParams, Timetable, compile_timetable

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def tt(midnotts_feed: Feed) -> Timetable:
    return compile_timetable([midnotts_feed], DAY)


def test_strings_are_compact_tables(tt: Timetable, midnotts_feed: Feed) -> None:
    assert isinstance(tt.stop_ids, Names) and isinstance(tt.trip_ids, Names)
    for col in (tt.trip_route_ids, tt.trip_route_short, tt.trip_headsign):
        assert isinstance(col, Coded) and col.codes.dtype == np.int32
        assert len(col.table) < len(col)  # one entry per distinct value
    stops = midnotts_feed.stops
    ids = sorted(stops.loc[stops["location_type"] == 0, "stop_id"])
    assert list(tt.stop_ids) == ids
    for i in (0, 7, len(ids) - 1):
        assert tt.stop_index(ids[i]) == i and tt.stop_ids[i] == ids[i]
    with pytest.raises(KeyError):
        tt.stop_index("no such stop")
    assert np.array_equal(np.asarray(tt.stop_ids), np.array(ids))
    names = Names.of(["", "Ünïcode stop", "x"])
    assert list(names) == ["", "Ünïcode stop", "x"] and names[-1] == "x"
    assert list(names[1:]) == ["Ünïcode stop", "x"]


def test_key_follows_every_input(midnotts_feed: Feed) -> None:
    base = TimetableCache.key([midnotts_feed], DAY, BuildParams())
    assert base == TimetableCache.key([midnotts_feed], DAY, BuildParams())  # stable
    changed = [
        TimetableCache.key([midnotts_feed], DAY + dt.timedelta(days=1), BuildParams()),
        TimetableCache.key([midnotts_feed], DAY, BuildParams(include_previous_day=False)),
        TimetableCache.key([dataclasses.replace(midnotts_feed, version="other")], DAY,
                           BuildParams()),
        TimetableCache.key([dataclasses.replace(midnotts_feed, name="renamed")], DAY,
                           BuildParams()),
        TimetableCache.key([dataclasses.replace(
            midnotts_feed, stop_times=midnotts_feed.stop_times.iloc[:-1])], DAY, BuildParams()),
    ]
    assert len({base, *changed}) == len(changed) + 1


CHILD = """
import sys
from app.routing.cache import TimetableCache
from app.routing.raptor import Router
tt = TimetableCache(sys.argv[1]).load("k")
r = Router(tt)
res = r.earliest_arrival(float(tt.stop_lat[5]), float(tt.stop_lon[5]), 8 * 3600)
rev = r.latest_departure(float(tt.stop_lat[9]), float(tt.stop_lon[9]), 18 * 3600)
maps = [line.split() for line in open("/proc/self/maps") if sys.argv[1] in line]
perms = sorted({m[1] for m in maps})
print(int(res.stop_times().sum()), int(rev.stop_times().sum()), tt.arr.flags.writeable,
      ",".join(perms), len(maps), flush=True)
sys.stdin.readline()  # hold the mapping until the parent has heard from both processes
"""


def test_two_processes_map_the_same_file_read_only(tt: Timetable, tmp_path: Path) -> None:
    cache = TimetableCache(tmp_path)
    cache.save("k", tt)
    before = {p: p.read_bytes() for p in (cache.path("k"), cache.names_path("k"))}
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], cwd=ROOT, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    try:
        lines = [p.stdout.readline().split() for p in procs if p.stdout is not None]
    finally:
        for p in procs:
            p.communicate("\n", timeout=60)
    r = Router(tt)
    want_f = int(r.earliest_arrival(float(tt.stop_lat[5]), float(tt.stop_lon[5]),
                                    8 * 3600).stop_times().sum())
    want_r = int(r.latest_departure(float(tt.stop_lat[9]), float(tt.stop_lon[9]),
                                    18 * 3600).stop_times().sum())
    for out in lines:
        f, rev, writeable, perms, n_maps = out
        assert (int(f), int(rev), writeable) == (want_f, want_r, "False")
        # Both files, mapped read-only and shared (r--s): one copy in the page cache.
        assert perms == "r--s" and int(n_maps) >= 2
    assert all(p.returncode == 0 for p in procs)
    assert all(p.read_bytes() == b for p, b in before.items())  # nobody wrote to them


def test_missing_names_file_is_a_cache_miss(tt: Timetable, tmp_path: Path) -> None:
    cache = TimetableCache(tmp_path)
    cache.save("k", tt)
    cache.names_path("k").unlink()
    assert cache.load("k") is None


def test_from_gtfs_maps_a_compiled_day_without_reading_the_feed(
        midnotts_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = TimetableCache(tmp_path / "c")
    first = cache.from_gtfs([midnotts_path], DAY, names=["midnotts"])
    import app.routing.gtfs_reader as reader

    def no_read(*_: object, **__: object) -> None:
        raise AssertionError("a warm cache read the feed")

    monkeypatch.setattr(reader, "read_gtfs", no_read)
    again = cache.from_gtfs([midnotts_path], DAY, names=["midnotts"])
    assert np.array_equal(again.dep, first.dep) and list(again.trip_ids) == list(first.trip_ids)
    assert isinstance(again.arr.base, np.memmap)
    # The key follows the file's bytes, the date and the names.
    copy = tmp_path / "copy.zip"
    copy.write_bytes(midnotts_path.read_bytes())
    k = TimetableCache.file_key([midnotts_path], DAY, BuildParams(), ["midnotts"])
    assert TimetableCache.file_key([copy], DAY, BuildParams(), ["midnotts"]) == k
    copy.write_bytes(midnotts_path.read_bytes() + b"\0")
    assert TimetableCache.file_key([copy], DAY, BuildParams(), ["midnotts"]) != k
    assert TimetableCache.file_key([midnotts_path], DAY, BuildParams(), ["other"]) != k
    assert TimetableCache.file_key([midnotts_path], DAY + dt.timedelta(days=1), BuildParams(),
                                   ["midnotts"]) != k


def test_stored_transfers_equal_built_ones_and_answers_are_unchanged(
        tt: Timetable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.routing.raptor import QueryParams
    from app.routing.walk import CrowFlyWalker, WalkParams, search_transfers

    TimetableCache(tmp_path).save("k", tt)
    loaded = TimetableCache(tmp_path).load("k")
    assert loaded is not None and loaded.stored_transfers
    built = Router(compile_timetable_again(tt))
    want = [side.transfers(400.0) for side in (built.forward, built.mirror)]
    ref = [search_transfers(*CrowFlyWalker(tt.stop_lat, tt.stop_lon).transfers(400.0), m)
           for m in (False, True)]
    # A fresh process's router maps them: the walker never builds the default transfers.
    fresh = Router(loaded)

    def no_build(*_: object) -> None:
        raise AssertionError("default transfers were built, not read from the store")

    monkeypatch.setattr(CrowFlyWalker, "transfers", no_build)
    for side, w, r in zip((fresh.forward, fresh.mirror), want, ref, strict=True):
        got = side.transfers(400.0)
        for a, b, c in zip(got, r, w, strict=True):
            assert np.array_equal(a, b) and np.array_equal(a, c) and a.dtype == b.dtype
        assert isinstance(got[1].base, np.memmap)  # mapped from the file, not rebuilt
    monkeypatch.undo()
    rng = np.random.default_rng(4)
    for s in rng.integers(0, tt.n_stops, 8):
        lat, lon = float(tt.stop_lat[s]) + 0.001, float(tt.stop_lon[s])
        for q in (QueryParams(), QueryParams(max_buses=2, walk=WalkParams(speed_kmh=3.2))):
            for a, b in ((fresh.earliest_arrival(lat, lon, 9 * 3600, q),
                          built.earliest_arrival(lat, lon, 9 * 3600, q)),
                         (fresh.latest_departure(lat, lon, 17 * 3600, q),
                          built.latest_departure(lat, lon, 17 * 3600, q))):
                assert np.array_equal(a.stop_times(), b.stop_times())
                j1, j2 = a.journey(lat + 0.01, lon), b.journey(lat + 0.01, lon)
                assert (j1.legs if j1 else None) == (j2.legs if j2 else None)


def test_stored_transfers_serve_only_the_walk_they_were_built_for(
        tt: Timetable, tmp_path: Path) -> None:
    from app.routing import walk
    from app.routing.walk import CrowFlyWalker, search_transfers

    TimetableCache(tmp_path).save("k", tt)
    loaded = TimetableCache(tmp_path).load("k")
    assert loaded is not None
    # Another radius, another detour or another version: built, not read.
    for router, radius in ((Router(loaded), 300.0),
                           (Router(loaded, CrowFlyWalker(tt.stop_lat, tt.stop_lon, 1.5)), 400.0)):
        got = router.forward.transfers(radius)
        want = search_transfers(*router.walker.transfers(radius), False)
        assert not isinstance(got[1].base, np.memmap)
        for a, b in zip(got, want, strict=True):
            assert np.array_equal(a, b)
    stale = dict(loaded.stored_transfers)
    stale["transfers.meta"] = stale["transfers.meta"].copy()
    stale["transfers.meta"][0] = walk.TRANSFER_VERSION + 1
    assert walk.adopt_stored_transfers(stale, CrowFlyWalker(tt.stop_lat, tt.stop_lon),
                                       tt.n_stops, 400.0, False) is None


def compile_timetable_again(tt: Timetable) -> Timetable:
    """The same timetable without stored transfers (as compiled in a process)."""
    return Timetable.from_arrays(tt.to_arrays())
