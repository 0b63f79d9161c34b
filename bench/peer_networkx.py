"""Peer: a time-expanded graph in networkx with Dijkstra, for the same Mid-Notts queries.

Nodes are bus departure and arrival events; edges are rides, staying on board, waiting at
a stop for a later departure, and foot transfers (same walking model as the engine).
Dijkstra has no bus-count criterion, so the peer answers "unlimited buses". A range query
is one Dijkstra per departure in the window, and a round trip for 500 targets needs one
reverse search (latest departure home) and one forward search (earliest arrival home)
per target; both are timed on a few runs and scaled up, and labelled as such.
"""

from __future__ import annotations

import time
from typing import Any

import networkx as nx
import numpy as np

from app.routing.raptor import Router
from app.routing.timetable import Timetable
from app.routing.walk import walk_seconds_array
from bench.common import MIDNOTTS_DAY, Timing, compiled, midnotts_feed, midnotts_postcodes

H = 3600
SPEED = 4.8


class TimeExpanded:
    """The event graph of one compiled timetable."""

    def __init__(self, tt: Timetable, router: Router) -> None:
        self.tt = tt
        n_ev = len(tt.arr)
        pat_of = tt.trip_pattern()
        stop_of = np.empty(n_ev, np.int64)
        last = np.zeros(n_ev, bool)
        for g in range(tt.n_trips):
            p = int(pat_of[g])
            seq = tt.pat_stops[tt.pat_stop_ptr[p]:tt.pat_stop_ptr[p + 1]]
            off = int(tt.trip_time_off[g])
            stop_of[off:off + len(seq)] = seq
            last[off + len(seq) - 1] = True
        self.stop_of = stop_of
        # Node ids: departure event e -> e, arrival event e -> n_ev + e.
        self.n_ev = n_ev
        g_ = nx.DiGraph()
        ev = np.arange(n_ev)
        ride = ev[~last]
        g_.add_weighted_edges_from(zip(ride.tolist(), (n_ev + ride + 1).tolist(),
                                       (tt.arr[ride + 1] - tt.dep[ride]).tolist(), strict=True))
        g_.add_weighted_edges_from(zip((n_ev + ev).tolist(), ev.tolist(),
                                       (tt.dep - tt.arr).tolist(), strict=True))
        # Departures per stop sorted by time, for waiting and boarding.
        order = np.lexsort((tt.dep, stop_of))
        self.dep_sorted = order
        self.dep_stop = stop_of[order]
        self.dep_time = tt.dep[order].astype(np.int64)
        self.stop_ptr = np.searchsorted(self.dep_stop, np.arange(tt.n_stops + 1))
        same = self.dep_stop[1:] == self.dep_stop[:-1]
        a, b = order[:-1][same], order[1:][same]
        g_.add_weighted_edges_from(zip(a.tolist(), b.tolist(),
                                       (tt.dep[b] - tt.dep[a]).tolist(), strict=True))
        # Alight and board again (same stop or after a foot transfer).
        ptr, to, dist = router.walker.transfers(400.0)
        walk_t = walk_seconds_array(dist, SPEED)
        edges = []
        for e in range(n_ev):
            s = int(stop_of[e])
            t_arr = int(tt.arr[e])
            targets = [(s, 0)] + [(int(to[x]), int(walk_t[x])) for x in range(ptr[s], ptr[s + 1])]
            for s2, w in targets:
                d = self.first_dep(s2, t_arr + w)
                if d is not None:
                    edges.append((n_ev + e, d, int(tt.dep[d]) - t_arr))
        g_.add_weighted_edges_from(edges)
        self.g = g_

    def first_dep(self, stop: int, t: int) -> int | None:
        """Departure event id of the first departure at `stop` at or after t."""
        a, b = int(self.stop_ptr[stop]), int(self.stop_ptr[stop + 1])
        k = a + int(np.searchsorted(self.dep_time[a:b], t))
        return int(self.dep_sorted[k]) if k < b else None

    def earliest_arrival(self, access: np.ndarray, access_t: np.ndarray, t0: int) -> np.ndarray:
        """Earliest bus arrival per stop leaving at t0 (INF where unreached)."""
        src = -1
        for s, w in zip(access.tolist(), access_t.tolist(), strict=True):
            d = self.first_dep(int(s), t0 + int(w))
            if d is not None:
                self.g.add_edge(src, d, weight=int(self.tt.dep[d]) - t0)
        try:
            dist = nx.single_source_dijkstra_path_length(self.g, src) if src in self.g else {}
        finally:
            if src in self.g:
                self.g.remove_node(src)
        best = np.full(self.tt.n_stops, np.iinfo(np.int64).max, np.int64)
        for node, d in dist.items():
            if node >= self.n_ev:
                s = int(self.stop_of[node - self.n_ev])
                best[s] = min(best[s], t0 + int(d))
        return best


def main(engine: dict[str, Timing] | None = None, quick: bool = False) -> dict[str, Any]:
    """Print the time-expanded peer's timings and the ratio to the engine."""
    print("== Peer: time-expanded graph + Dijkstra (networkx) ==")
    tt = compiled(midnotts_feed(), MIDNOTTS_DAY)
    router = Router(tt)
    t0 = time.perf_counter()
    te = TimeExpanded(tt, router)
    print(f"  graph: {te.g.number_of_nodes():,} nodes, {te.g.number_of_edges():,} edges, built "
          f"in {time.perf_counter() - t0:.1f} s")
    pts = midnotts_postcodes(10 if quick else 30, seed=1)
    deps = np.random.default_rng(7).integers(7 * H, 19 * H, len(pts))
    secs = []
    for i in range(len(pts)):
        acc, dist = router.walker.access(pts[i, 0], pts[i, 1], 800.0)
        t = time.perf_counter()
        te.earliest_arrival(acc, walk_seconds_array(dist, SPEED), int(deps[i]))
        secs.append(time.perf_counter() - t)
    ea = Timing("networkx earliest arrival (unlimited buses)", secs)
    print("  " + ea.line())
    # Range: one Dijkstra per distinct catchable departure in 09:00-21:00 (as rRAPTOR does).
    acc, dist = router.walker.access(pts[0, 0], pts[0, 1], 800.0)
    acc_t = walk_seconds_array(dist, SPEED)
    n_dep = len({int(te.dep_time[k]) - int(w) for s, w in zip(acc, acc_t, strict=True)
                 for k in range(te.stop_ptr[s], te.stop_ptr[s + 1])
                 if 9 * H <= int(te.dep_time[k]) - int(w) <= 21 * H})
    est_range = n_dep * ea.p50_ms / 1000
    print(f"  networkx range 09:00-21:00: {n_dep} departures x {ea.p50_ms:.0f} ms = "
          f"~{est_range:.1f} s (extrapolated)")
    est_rt = 1000 * ea.p50_ms / 1000
    print(f"  networkx round trip vs 500 targets: 1,000 searches x {ea.p50_ms:.0f} ms = "
          f"~{est_rt:.0f} s (extrapolated)")
    if engine:
        print(f"  ratio networkx / engine, earliest arrival p50: "
              f"{ea.p50_ms / engine['ea'].p50_ms:,.0f}x")
        print(f"  ratio networkx / engine, range 09-21 p50: "
              f"{est_range * 1000 / engine['range'].p50_ms:,.0f}x")
        print(f"  ratio networkx / engine, round trip 500 targets p50: "
              f"{est_rt * 1000 / engine['roundtrip'].p50_ms:,.0f}x")
    return {"ea": ea, "range_s": est_range, "roundtrip_s": est_rt}


if __name__ == "__main__":
    from bench.engine_queries import run

    main(run(50, quick=True), quick=True)
