"""The gap batch's task pieces: partitions of the map and of the venues, timetables by URL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.analysis.trip_tasks import (
    TimetableRef,
    area_parts,
    index_task,
    load_router,
    search_task,
    venue_groups,
)
from app.routing.cache import TimetableCache
from app.routing.gtfs_reader import read_gtfs
from app.routing.raptor import QueryParams, Router
from app.routing.roundtrip_venue import (
    NO_ARR,
    NO_DEP,
    VenueSearches,
    candidate_sessions,
    capped,
    origin_access,
    part_round_trips,
    session_direct_walks,
    session_minutes,
    session_searches,
    sparse_searches,
    stop_index,
    walk_reach_m,
)
from app.routing.timetable import compile_timetable
from app.routing.venue_session import VenueSession
from app.routing.walk import CrowFlyWalker
from app.services.gaps.batch import publish_file
from tests.routing.wr_gtfs_builder import STOP_ROWS, basic_files, trip_rows, write_feed

DAY = dt.date(2026, 12, 8)
H = 3600
XY = {sid: (lat, lon) for sid, lat, lon in STOP_ROWS}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 11), min_size=1, max_size=80), st.integers(1, 9))
def test_area_parts_cover_every_origin_once_without_splitting_areas(areas: list[int],
                                                                   size: int) -> None:
    area_of = np.sort(np.array(areas, dtype=np.int64))  # origins come grouped by area
    district = [f"D{a % 3}" for a in range(12)]
    parts = area_parts(area_of, district, size)
    joined = np.sort(np.concatenate(parts))
    assert joined.tolist() == list(range(len(area_of)))
    seen: dict[int, int] = {}
    for k, idx in enumerate(parts):
        assert len({district[a] for a in area_of[idx]}) == 1  # one district per part
        for a in set(area_of[idx].tolist()):
            assert seen.setdefault(a, k) == k  # an area is never split across parts
        assert len(idx) <= size or len(set(area_of[idx].tolist())) == 1


def test_venue_groups_keep_a_venue_together() -> None:
    s = [VenueSession(52.0 + (k % 4) / 100, -1.0, DAY, 10 * H + k, 11 * H) for k in range(11)]
    groups = venue_groups(s, 3)
    assert sorted(k for g in groups for k in g) == list(range(11))
    for g in groups:
        assert len({(s[k].lat, s[k].lon) for k in g}) == len({s[k].lat for k in g})
    venues_in = [{s[k].lat for k in g} for g in groups]
    assert sum(len(v) for v in venues_in) == 4  # no venue in two groups


def _router(tmp_path: Path) -> Router:
    rows, trips = [], []
    for h in range(8, 20):
        rows += trip_rows(f"O{h}", ["S1", "S2", "S3"], h * H)
        rows += trip_rows(f"B{h}", ["S3", "S2", "S1"], h * H + 1800)
        trips += [(f"O{h}", "R1", "ALL", 1), (f"B{h}", "R2", "ALL", 1)]
    feed, _ = read_gtfs(write_feed(tmp_path, basic_files(trips, rows)), name="t")
    tt = compile_timetable([feed], DAY)
    return Router(tt, CrowFlyWalker(tt.stop_lat, tt.stop_lon))


def _dense(vs: VenueSearches, n_stops: int, side: str) -> np.ndarray:
    """(sessions x stops) times of the sparse index, with the dense path's sentinels."""
    ix, of, none = ((vs.latest, vs.rev_of, NO_DEP) if side == "latest"
                    else (vs.earliest, vs.fwd_of, NO_ARR))
    by_search = np.full((max(vs.n_rev, vs.n_fwd), n_stops), none, np.int64)
    stop = np.repeat(np.arange(n_stops), np.diff(ix.ptr))
    by_search[ix.search, stop] = ix.time
    return by_search[of]


def test_tasks_read_the_timetable_from_an_fsspec_url(tmp_path: Path) -> None:
    """A worker maps the published timetable (here memory://); its sparse searches and the
    per-part join answer exactly as the dense in-process computation."""
    router = _router(tmp_path)
    cache = tmp_path / "cache"
    path = TimetableCache(cache / "timetables").save("k" * 32, router.tt)
    url = "memory://within-reach-test-cache"
    ref = TimetableRef(url, publish_file(path, cache, url))
    publish_file(path.with_suffix(".names"), cache, url)
    assert ref.timetable == f"timetables/{'k' * 32}.npz"
    q = QueryParams(max_buses=2)
    sessions = [VenueSession(*XY["S3"], DAY, 13 * H, 14 * H),
                VenueSession(*XY["S3"], DAY, 10 * H, 12 * H),
                VenueSession(*XY["S2"], DAY, 17 * H, 18 * H),
                VenueSession(*XY["S3"], DAY, 13 * H, 15 * H)]  # shares a reverse search
    part = search_task(ref, sessions, q, 300, None)
    assert part.searches == 7  # 3 distinct (venue, start) + 4 distinct (venue, end)
    vs = index_task(ref, [part], sessions).searches
    latest, earliest = session_searches(router, sessions, q, 300)
    n = router.tt.n_stops
    assert np.array_equal(_dense(vs, n, "latest"), np.maximum(latest, NO_DEP))
    assert np.array_equal(_dense(vs, n, "earliest"), np.minimum(earliest, NO_ARR))
    assert load_router(ref) is load_router(ref)  # mapped once per process
    lat = np.array([XY["S1"][0], XY["S1"][0] + 0.001, XY["S1"][0] + 0.5])
    lon = np.array([XY["S1"][1], XY["S1"][1], XY["S1"][1]])
    access = origin_access(router, lat, lon, q)
    direct = session_direct_walks(router, sessions, lat, lon, q)
    out, back = session_minutes(sessions, latest, earliest, access, direct, 300)
    cand, near = candidate_sessions(vs, access, lat, lon, walk_reach_m(router, q))
    assert not np.isfinite(direct[:, np.setdiff1d(np.arange(len(sessions)), cand[near])]).any()
    got = part_round_trips(vs, access, direct[:, cand], cand, 300)
    for dense, part_m in ((out, got.out), (back, got.back), (out, got.free_out),
                          (back, got.free_back)):  # no mask: every trip counts as free
        full = np.full(dense.shape, np.inf)
        full[:, cand] = part_m
        assert np.array_equal(full, dense)
    assert np.isfinite(out).any() and not np.isfinite(out[2]).any()  # far origin: nothing


def test_a_time_cap_drops_only_legs_longer_than_the_cap(tmp_path: Path) -> None:
    """Capped sparse searches give the uncapped legs wherever a leg is within the cap."""
    router = _router(tmp_path)
    q = QueryParams(max_buses=2)
    sessions = [VenueSession(*XY["S3"], DAY, 13 * H, 14 * H),
                VenueSession(*XY["S1"], DAY, 9 * H, 10 * H)]
    lat = np.array([XY["S1"][0], XY["S3"][0]])
    lon = np.array([XY["S1"][1], XY["S3"][1]])
    access = origin_access(router, lat, lon, q)
    direct = session_direct_walks(router, sessions, lat, lon, q)
    latest, earliest = session_searches(router, sessions, q, 300)
    out, back = session_minutes(sessions, latest, earliest, access, direct, 300)
    for cap in (20, 45, 120):
        rev, fwd, rev_of, fwd_of, _, _ = sparse_searches(router, sessions, capped(q, cap), 300)
        vs = VenueSearches(stop_index([rev], router.tt.n_stops),
                           stop_index([fwd], router.tt.n_stops), rev_of, fwd_of,
                           np.array([s.start_s for s in sessions]),
                           np.array([s.end_s for s in sessions]),
                           np.array([s.lat for s in sessions]),
                           np.array([s.lon for s in sessions]), len(rev.ptr) - 1,
                           len(fwd.ptr) - 1)
        cand = np.arange(len(sessions))
        got = part_round_trips(vs, access, direct, cand, 300)
        for dense, part_m in ((out, got.out), (back, got.back)):
            ok = dense <= cap
            assert np.array_equal(part_m[ok], dense[ok])
            assert (part_m[~ok] > cap).all()


def test_part_results_cross_the_wire_in_one_buffer_and_come_back_equal() -> None:
    """A part's per-LSOA values and scores pickle as one buffer, not one frame an array."""
    from distributed.protocol import deserialize, serialize

    from app.analysis.gap_parts import PartMetrics
    from app.analysis.trip_tasks import PartScores

    rng = np.random.default_rng(3)
    keys = [("weekday_day", "main", 45, aud, cat) for aud in ("all", "young")
            for cat in ("food", "learning", "all")]
    values = {k: {m: rng.random(200) for m in ("activities_share", "nearest_min")}
              for k in keys}
    details = {"weekday_day": [{"45": {"nearest": [(1, 0.5, 12.0)]}}]}
    demand = {k[:4]: (np.arange(3), rng.random(3)) for k in keys}
    metrics = PartMetrics(values, demand, details, {})
    scores = PartScores(4, {k: rng.random(200) for k in keys}, "w", 1.5, 1.0)
    for obj, arrays in ((metrics, [a for per in values.values() for a in per.values()]),
                        (scores, list(scores.values.values()))):
        header, frames = serialize(obj, serializers=("dask", "pickle"))
        # the same arrays shipped one by one take a frame each; packed, one buffer
        one_by_one = serialize(arrays, serializers=("dask", "pickle"))[1]
        assert len(one_by_one) >= len(arrays) > len(frames), (len(one_by_one), len(frames))
        back = deserialize(header, frames)
        assert type(back) is type(obj)
        if isinstance(obj, PartMetrics):
            assert list(back.values) == keys and back.details == details
            for k in keys:
                for m, a in values[k].items():
                    np.testing.assert_array_equal(back.values[k][m], a)
            np.testing.assert_array_equal(back.demand[keys[0][:4]][1], demand[keys[0][:4]][1])
            # as rows in any order: from the one buffer, and as built in process
            order = [(k, m) for k in keys[::-1] for m in ("nearest_min", "activities_share")]
            want = np.stack([values[k][m] for k, m in order])
            np.testing.assert_array_equal(back.local_rows(order), want)
            np.testing.assert_array_equal(metrics.local_rows(order), want)
            assert back._rows is not None and "_rows" not in back.__getstate__()
            # keys asked for in packing order (as the assembly does): a slice of the buffer
            run = [(k, m) for k in keys[1:4] for m in ("activities_share", "nearest_min")]
            rows = back.local_rows(run)
            np.testing.assert_array_equal(rows, np.stack([values[k][m] for k, m in run]))
            assert np.shares_memory(rows, back._rows[2])
        else:
            assert back.part == 4 and list(back.values) == keys
            for k in keys:
                np.testing.assert_array_equal(back.values[k], obj.values[k])
            want = np.stack([obj.values[k] for k in keys[::-1]])
            np.testing.assert_array_equal(back.score_rows(keys[::-1]), want)
            np.testing.assert_array_equal(obj.score_rows(keys[::-1]), want)
