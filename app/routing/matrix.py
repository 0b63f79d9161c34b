"""Travel-time matrices over a departure window (r5r-style), parallel over origins.

For each origin, range RAPTOR runs once per departure minute from the latest to the
earliest, reusing labels (an earlier departure can always wait), so later minutes make
earlier ones cheap. Destinations are updated only from stops whose arrival improved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from app.routing import kernels
from app.routing import raptor_core as core
from app.routing.raptor import QueryParams, Router
from app.routing.walk import walk_seconds_array

UNREACHED = -1


@dataclass
class MatrixResult:
    """Travel-time percentiles in seconds, shape (n_origins, n_destinations, n_percentiles);
    UNREACHED (-1) where the percentile trip is longer than max_travel_s or impossible."""

    percentiles: tuple[int, ...]
    seconds: np.ndarray


@nb.njit(cache=True)
def _percentile_index(p: int, n: int) -> int:
    """Nearest-rank index: the smallest sample covering p percent of n sorted samples."""
    k = (p * n + 99) // 100 - 1
    return min(max(k, 0), n - 1)


@nb.njit(parallel=True, cache=True)
def _matrix(tt: tuple, n_stops: int, n_patterns: int, n_rounds: int, min_change: int,
            acc_ptr: np.ndarray, acc_stop: np.ndarray, acc_time: np.ndarray,
            sd_ptr: np.ndarray, sd_dest: np.ndarray, sd_time: np.ndarray,
            direct: np.ndarray, minutes: np.ndarray, max_travel: int, n_dest: int,
            pcts: np.ndarray) -> np.ndarray:
    n_orig = acc_ptr.shape[0] - 1
    n_min = minutes.shape[0]
    out = np.full((n_orig, n_dest, pcts.shape[0]), UNREACHED, np.int32)
    inf = core.INF
    for o in nb.prange(n_orig):
        bus = np.full((n_rounds + 1, n_stops), inf, np.int32)
        walk = np.full((n_rounds + 1, n_stops), inf, np.int32)
        bus_ent = np.full((n_rounds + 1, n_stops), -1, np.int32)
        walk_ent = np.full((n_rounds + 1, n_stops), -1, np.int32)
        # The layout of raptor_core.new_work (spare list slots, NO_BOARD), built here
        # because a prange body cannot call Python; no touched list (seen is empty).
        work = (np.zeros(n_stops, np.bool_), np.zeros(n_stops + 1, np.int32),
                np.full(n_patterns, -1, np.int32), np.zeros(n_patterns + 1, np.int32),
                np.zeros(n_stops, np.bool_), np.zeros(n_stops + 1, np.int32),
                np.zeros(n_stops, np.bool_), np.full(n_stops, core.NO_BOARD, np.int32),
                np.zeros(0, np.bool_), np.zeros(0, np.int32), np.zeros(1, np.int64),
                np.zeros(n_patterns, np.int32))
        log = (np.empty(1, np.int8), np.empty(1, np.int32), np.empty(1, np.int8),
               np.empty(1, np.int32), np.empty(1, np.int32), np.empty(1, np.int32),
               np.empty(1, np.int32), np.empty(1, np.int32), np.empty(1, np.int32),
               np.zeros(2, np.int64))
        changed = np.zeros(n_stops, np.int32)
        dest_arr = np.full(n_dest, inf, np.int64)
        buf = np.empty((n_dest, n_min), np.int64)
        a0 = acc_ptr[o]
        a1 = acc_ptr[o + 1]
        for mi in range(n_min):
            t = minutes[mi]
            n_k = kernels.run_iteration(tt, n_rounds, min_change, t, t + max_travel,
                                        acc_stop[a0:a1], acc_time[a0:a1], bus, walk, bus_ent,
                                        walk_ent, work, False, log, changed)
            for c in range(n_k):
                s = changed[c]
                a = bus[n_rounds, s]
                for x in range(sd_ptr[s], sd_ptr[s + 1]):
                    d = sd_dest[x]
                    v = a + sd_time[x]
                    if v < dest_arr[d]:
                        dest_arr[d] = v
            for d in range(n_dest):
                v = dest_arr[d] - t
                w = direct[o, d]
                if w >= 0 and w < v:
                    v = w
                buf[d, mi] = v if v <= max_travel else inf
        for d in range(n_dest):
            col = np.sort(buf[d])
            for j in range(pcts.shape[0]):
                v = col[_percentile_index(pcts[j], n_min)]
                if v < inf:
                    out[o, d, j] = v
    return out


def travel_time_matrix(router: Router, orig_lat: np.ndarray, orig_lon: np.ndarray,
                       dest_lat: np.ndarray, dest_lon: np.ndarray, depart_s: int,
                       window_min: int, params: QueryParams | None = None,
                       max_travel_s: int = 7200,
                       percentiles: tuple[int, ...] = (5, 25, 50, 75, 95)) -> MatrixResult:
    """Walk+transit travel-time percentiles for departures every minute in the window.

    Departures are depart_s + 60*i for i in 0..window_min-1; a trip longer than
    max_travel_s (or than `params.max_minutes`, when tighter) counts as unreachable for
    that minute.
    """
    q = params or QueryParams()
    if q.max_minutes is not None:  # the query's time cap, when tighter
        max_travel_s = min(int(max_travel_s), 60 * q.max_minutes)
    wp = q.walk
    side = router.forward
    pack = side.pack(q)
    tt = router.tt
    acc_ptr, acc_stop, acc_m = router.walker.access_many(orig_lat, orig_lon, wp.max_walk_m)
    eg_ptr, eg_stop, eg_m = router.walker.egress_many(dest_lat, dest_lon, wp.max_walk_m)
    # Transpose destination->stops into stop->destinations for incremental updates.
    dest_of = np.repeat(np.arange(len(dest_lat), dtype=np.int32), np.diff(eg_ptr))
    order = np.argsort(eg_stop, kind="stable")
    counts = np.bincount(eg_stop, minlength=tt.n_stops)
    sd_ptr = np.r_[0, np.cumsum(counts)].astype(np.int64)
    sd_dest = dest_of[order]
    sd_time = walk_seconds_array(eg_m, wp.speed_kmh)[order].astype(np.int64)
    direct = np.full((len(orig_lat), len(dest_lat)), -1, np.int64)
    for o in range(len(orig_lat)):
        dm = router.walker.direct_many(float(orig_lat[o]), float(orig_lon[o]), dest_lat, dest_lon)
        ok = dm <= wp.max_walk_m
        direct[o, ok] = walk_seconds_array(dm[ok], wp.speed_kmh)
    minutes = (int(depart_s) + 60 * np.arange(window_min - 1, -1, -1)).astype(np.int64)
    out = _matrix(pack, tt.n_stops, tt.n_patterns, q.max_buses, wp.min_change_s,
                  acc_ptr, acc_stop, walk_seconds_array(acc_m, wp.speed_kmh), sd_ptr, sd_dest,
                  sd_time, direct, minutes, int(max_travel_s), len(dest_lat),
                  np.asarray(percentiles, np.int64))
    return MatrixResult(tuple(percentiles), out)
