"""A Walker (the engine's protocol) measuring walks along the OSM pedestrian network.

A point or stop joins the network at its nearest graph node, the straight join counting
as walking too, so a network distance is never shorter than the straight line. Points and
stops farther than `snap_max_m` from any path (outside the extract, say) fall back to the
engine's crow-fly x detour model, so an extract that covers only part of a feed still
gives answers everywhere.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

import numba as nb
import numpy as np

from app.osmwalk.dijkstra import bounded_dijkstra
from app.osmwalk.graph import PedestrianGraph, cached_graphs
from app.routing.geo import EARTH_RADIUS_M, haversine_m
from app.routing.walk import CrowFlyWalker

SNAP_MAX_M = 250.0
DIRECT_CUTOFF_M = 3000.0  # direct walks longer than this (the API's max walk) count as inf


class _Grid:
    """Nearest-node lookup on a uniform grid of cell size `cell_m` (equirectangular)."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray, cell_m: float) -> None:
        self.lat, self.lon = lat, lon
        self.lat0 = float(np.mean(lat)) if len(lat) else 0.0
        self.k = math.cos(math.radians(self.lat0))
        self.cell = cell_m
        cx, cy = self._cell(lat, lon)
        key = cx * 1_000_003 + cy
        self.order = np.argsort(key, kind="stable")
        self.keys = key[self.order]

    def _cell(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.radians(np.asarray(lon, float)) * EARTH_RADIUS_M * self.k
        y = np.radians(np.asarray(lat, float)) * EARTH_RADIUS_M
        return np.floor(x / self.cell).astype(np.int64), np.floor(y / self.cell).astype(np.int64)

    def nearest(self, lat: float, lon: float) -> tuple[int, float]:
        """Nearest node within one cell size (-1, inf if none)."""
        cx, cy = self._cell(np.array([lat]), np.array([lon]))
        cand = []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                k = (cx[0] + dx) * 1_000_003 + cy[0] + dy
                a = int(np.searchsorted(self.keys, k, "left"))
                b = int(np.searchsorted(self.keys, k, "right"))
                if b > a:
                    cand.append(self.order[a:b])
        if not cand:
            return -1, math.inf
        c = np.concatenate(cand)
        d = haversine_m(lat, lon, self.lat[c], self.lon[c])
        j = int(np.argmin(d))
        return (int(c[j]), float(d[j])) if d[j] <= self.cell else (-1, math.inf)


@nb.njit(cache=True)
def _stops_from_touched(touched: np.ndarray, n_t: int, dist: np.ndarray,
                        node_stop_ptr: np.ndarray, node_stops: np.ndarray, stop_snap: np.ndarray,
                        max_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Stops whose node was reached, with distance = network + the stop's own join."""
    n = 0
    for i in range(n_t):
        u = touched[i]
        n += node_stop_ptr[u + 1] - node_stop_ptr[u]
    idx = np.empty(n, np.int32)
    dd = np.empty(n, np.float64)
    m = 0
    for i in range(n_t):
        u = touched[i]
        for x in range(node_stop_ptr[u], node_stop_ptr[u + 1]):
            s = node_stops[x]
            d = dist[u] + stop_snap[s]
            if d <= max_m:
                idx[m] = s
                dd[m] = d
                m += 1
    return idx[:m], dd[:m]


class OsmWalker:
    """Network walking distances between points and stops on a pedestrian graph."""

    def __init__(self, graph: PedestrianGraph, stop_lat: np.ndarray, stop_lon: np.ndarray,
                 snap_max_m: float = SNAP_MAX_M) -> None:
        self.g = graph
        self.stop_lat = np.asarray(stop_lat, float)
        self.stop_lon = np.asarray(stop_lon, float)
        self.snap_max = snap_max_m
        self.grid = _Grid(graph.node_lat, graph.node_lon, snap_max_m)
        self.crow = CrowFlyWalker(self.stop_lat, self.stop_lon)
        n_s = len(self.stop_lat)
        self.stop_node = np.full(n_s, -1, np.int64)
        self.stop_snap = np.full(n_s, np.inf)
        for s in range(n_s):
            self.stop_node[s], self.stop_snap[s] = self.grid.nearest(self.stop_lat[s],
                                                                     self.stop_lon[s])
        on = self.stop_node >= 0
        self.on_network = on
        order = np.argsort(np.where(on, self.stop_node, -1), kind="stable")
        order = order[on[order]]
        self.node_stops = order.astype(np.int64)
        counts = np.bincount(self.stop_node[order], minlength=graph.n_nodes)
        self.node_stop_ptr = np.r_[0, np.cumsum(counts)].astype(np.int64)
        # Scratch arrays shared by searches; the lock keeps concurrent requests apart.
        self._lock = threading.Lock()
        self._dist = np.full(graph.n_nodes, np.inf)
        self._touched = np.empty(graph.n_nodes, np.int64)
        self._transfers: dict[float, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._snap_memo: tuple[tuple[bytes, bytes], np.ndarray, np.ndarray] | None = None

    @property
    def coverage(self) -> float:
        """Share of stops joined to the network."""
        return float(self.on_network.mean()) if len(self.on_network) else 0.0

    def _search(self, src: np.ndarray, src_d: np.ndarray, cutoff: float
                ) -> tuple[np.ndarray, np.ndarray]:
        """(touched nodes, their distances) of one bounded search; state is reset after."""
        with self._lock:
            n_t = bounded_dijkstra(self.g.ptr, self.g.to, self.g.length_m, src, src_d,
                                   float(cutoff), self._dist, self._touched)
            nodes = self._touched[:n_t].copy()
            d = self._dist[nodes].copy()
            self._dist[nodes] = np.inf
        return nodes, d

    def _net_stops(self, node: int, offset: float, max_m: float) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            n_t = bounded_dijkstra(self.g.ptr, self.g.to, self.g.length_m,
                                   np.array([node], np.int64), np.array([offset]), float(max_m),
                                   self._dist, self._touched)
            idx, d = _stops_from_touched(self._touched, n_t, self._dist, self.node_stop_ptr,
                                         self.node_stops, self.stop_snap, float(max_m))
            self._dist[self._touched[:n_t]] = np.inf
        return idx, d

    def access(self, lat: float, lon: float, max_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Stops within max_m walking metres, sorted by stop index."""
        node, snap = self.grid.nearest(lat, lon)
        c_idx, c_d = self.crow.access(lat, lon, max_m)
        if node < 0:  # the point is off the network: crow-fly for everything
            return c_idx, c_d
        n_idx, n_d = self._net_stops(node, snap, max_m)
        off = ~self.on_network[c_idx]  # off-network stops keep the crow-fly model
        idx = np.r_[n_idx, c_idx[off]].astype(np.int32)
        dist = np.r_[n_d, c_d[off]]
        order = np.argsort(idx, kind="stable")
        return idx[order], dist[order]

    def egress(self, lat: float, lon: float, max_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Walking is undirected here, so egress equals access."""
        return self.access(lat, lon, max_m)

    def access_many(self, lats: np.ndarray, lons: np.ndarray,
                    max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`access` for many points as CSR."""
        ptr = [0]
        idx: list[np.ndarray] = []
        dist: list[np.ndarray] = []
        for la, lo in zip(np.asarray(lats, float), np.asarray(lons, float), strict=True):
            i, d = self.access(float(la), float(lo), max_m)
            idx.append(i)
            dist.append(d)
            ptr.append(ptr[-1] + len(i))
        return (np.asarray(ptr, np.int64),
                np.concatenate(idx).astype(np.int32) if idx else np.zeros(0, np.int32),
                np.concatenate(dist) if dist else np.zeros(0))

    def egress_many(self, lats: np.ndarray, lons: np.ndarray,
                    max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Same as `access_many` (undirected)."""
        return self.access_many(lats, lons, max_m)

    def transfers(self, max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Foot transfers between distinct stops within max_m (cached per radius)."""
        if max_m not in self._transfers:
            ptr, idx, dist = self.access_many(self.stop_lat, self.stop_lon, max_m)
            src = np.repeat(np.arange(len(self.stop_lat)), np.diff(ptr))
            keep = idx != src
            counts = np.bincount(src[keep], minlength=len(self.stop_lat))
            self._transfers[max_m] = (np.r_[0, np.cumsum(counts)].astype(np.int64),
                                      idx[keep].astype(np.int32), dist[keep])
        return self._transfers[max_m]

    def direct_many(self, lat: float, lon: float, lats: np.ndarray,
                    lons: np.ndarray) -> np.ndarray:
        """Network metres from one point to many (crow-fly x detour off the network)."""
        lats = np.asarray(lats, float)
        lons = np.asarray(lons, float)
        out = self.crow.direct_many(lat, lon, lats, lons)
        node, snap = self.grid.nearest(lat, lon)
        if node < 0:
            return out
        nodes, d = self._search(np.array([node], np.int64), np.array([snap]), DIRECT_CUTOFF_M)
        at = np.full(self.g.n_nodes, np.inf)
        at[nodes] = d
        t_node, t_snap = self._snap_many(lats, lons)
        on = t_node >= 0
        out[on] = at[t_node[on]] + t_snap[on]
        return out

    def _snap_many(self, lats: np.ndarray, lons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest nodes of many points; the last answer is memoised because batch callers
        (round trips, matrices) ask about the same targets from many origins."""
        key = (lats.tobytes(), lons.tobytes())
        if self._snap_memo is not None and self._snap_memo[0] == key:
            return self._snap_memo[1], self._snap_memo[2]
        node = np.full(len(lats), -1, np.int64)
        snap = np.full(len(lats), np.inf)
        for j in range(len(lats)):
            node[j], snap[j] = self.grid.nearest(float(lats[j]), float(lons[j]))
        self._snap_memo = (key, node, snap)
        return node, snap

    def direct(self, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        """Network metres point to point (inf when not connected within 5 km)."""
        return float(self.direct_many(lat1, lon1, np.array([lat2]), np.array([lon2]))[0])


def walker_for_timetable(stop_lat: np.ndarray, stop_lon: np.ndarray, cache_dir: Path,
                         min_coverage: float = 0.5) -> OsmWalker | None:
    """An OsmWalker on the newest cached graph whose box holds >= min_coverage of the stops."""
    lat = np.asarray(stop_lat, float)
    lon = np.asarray(stop_lon, float)
    for path in cached_graphs(cache_dir):
        g = PedestrianGraph.load(path)
        min_lon, min_lat, max_lon, max_lat = g.bbox
        inside = (lat >= min_lat) & (lat <= max_lat) & (lon >= min_lon) & (lon <= max_lon)
        if len(lat) and inside.mean() >= min_coverage:
            return OsmWalker(g, lat, lon)
    return None
