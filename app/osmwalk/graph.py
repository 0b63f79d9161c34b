"""Pedestrian graph from an OSM extract: walkable ways -> undirected CSR graph in metres.

Pure: reads a .pbf with osmium and writes/reads a compact .npz (no database, no web).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import osmium

from app.routing.geo import haversine_m

# Highway values people may walk along (motorways, construction etc. are left out).
WALKABLE = frozenset({
    "footway", "path", "pedestrian", "living_street", "residential", "service",
    "unclassified", "tertiary", "tertiary_link", "secondary", "secondary_link", "primary",
    "primary_link", "trunk", "trunk_link", "steps", "track", "cycleway", "corridor", "road",
    "crossing", "bridleway",
})
NO_FOOT = frozenset({"no", "private", "use_sidepath", "discouraged"})
FOOT_OK = frozenset({"yes", "designated", "permissive", "official"})
GRAPH_FORMAT = 1


@dataclass
class PedestrianGraph:
    """Nodes with coordinates and an undirected CSR adjacency with edge lengths (metres)."""

    node_lat: np.ndarray  # float64
    node_lon: np.ndarray  # float64
    ptr: np.ndarray  # int64 (n_nodes+1)
    to: np.ndarray  # int32
    length_m: np.ndarray  # float64
    source: str
    sha256: str
    bbox: np.ndarray  # float64 [min_lon, min_lat, max_lon, max_lat]

    @property
    def n_nodes(self) -> int:
        """Number of graph nodes."""
        return len(self.node_lat)

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return len(self.to) // 2

    def save(self, path: Path) -> Path:
        """Write the graph as a compressed .npz."""
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f.name: np.asarray(getattr(self, f.name)) for f in fields(self)}
        np.savez_compressed(path, format=np.int64(GRAPH_FORMAT), **arrays)  # type: ignore[arg-type]
        return path

    @classmethod
    def load(cls, path: Path) -> PedestrianGraph:
        """Read a graph written by `save`."""
        with np.load(path, allow_pickle=False) as z:
            kw = {f.name: z[f.name] for f in fields(cls)}
        kw["source"] = str(kw["source"])
        kw["sha256"] = str(kw["sha256"])
        return cls(**kw)


def _walkable(tags: osmium.osm.TagList) -> bool:
    """Is this way open to people on foot?"""
    hw = tags.get("highway")
    if hw not in WALKABLE:
        return False
    foot = tags.get("foot")
    if foot in NO_FOOT:
        return False
    if foot in FOOT_OK:
        return True
    return tags.get("access") not in {"no", "private"}


class _WayCollector(osmium.SimpleHandler):
    """Collects consecutive node pairs of walkable ways, with node coordinates."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[int, int] = {}
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.a: list[int] = []
        self.b: list[int] = []

    def _node(self, ref: int, lat: float, lon: float) -> int:
        i = self.ids.get(ref)
        if i is None:
            i = len(self.lat)
            self.ids[ref] = i
            self.lat.append(lat)
            self.lon.append(lon)
        return i

    def way(self, w: osmium.osm.Way) -> None:
        if not _walkable(w.tags):
            return
        prev = -1
        for n in w.nodes:
            if not n.location.valid():
                prev = -1  # node outside the extract: break the way there
                continue
            i = self._node(n.ref, n.location.lat, n.location.lon)
            if prev >= 0 and prev != i:
                self.a.append(prev)
                self.b.append(i)
            prev = i


def file_sha256(path: Path) -> str:
    """Hash of the source file (the graph's cache key)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_graph(pbf: Path) -> PedestrianGraph:
    """Read walkable ways from an OSM file into an undirected graph (lengths by haversine)."""
    handler = _WayCollector()
    handler.apply_file(str(pbf), locations=True)
    lat = np.asarray(handler.lat, dtype=np.float64)
    lon = np.asarray(handler.lon, dtype=np.float64)
    a = np.asarray(handler.a, dtype=np.int64)
    b = np.asarray(handler.b, dtype=np.int64)
    length = haversine_m(lat[a], lon[a], lat[b], lon[b])
    # Both directions: people walk either way along one-way streets.
    src = np.r_[a, b]
    dst = np.r_[b, a]
    w = np.r_[length, length]
    order = np.lexsort((dst, src))
    src, dst, w = src[order], dst[order], w[order]
    n = len(lat)
    ptr = np.r_[0, np.cumsum(np.bincount(src, minlength=n))].astype(np.int64)
    bbox = (np.array([lon.min(), lat.min(), lon.max(), lat.max()]) if n
            else np.zeros(4))
    return PedestrianGraph(node_lat=lat, node_lon=lon, ptr=ptr, to=dst.astype(np.int32),
                           length_m=w.astype(np.float64), source=pbf.name,
                           sha256=file_sha256(pbf), bbox=bbox)


def graph_path(cache_dir: Path, sha256: str) -> Path:
    """Where the graph of a source file with this hash is cached."""
    return cache_dir / "osm" / f"pedestrian-{sha256[:16]}.npz"


def cached_graphs(cache_dir: Path) -> list[Path]:
    """Every cached pedestrian graph, newest first."""
    folder = cache_dir / "osm"
    if not folder.is_dir():
        return []
    return sorted(folder.glob("pedestrian-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
