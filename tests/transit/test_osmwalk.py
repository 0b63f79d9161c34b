"""OSM pedestrian network walking: graph build, network >= straight line, barriers, ingest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, text

from app.osmwalk.graph import PedestrianGraph, build_graph, cached_graphs
from app.osmwalk.walker import OsmWalker, walker_for_timetable
from app.routing.geo import haversine_m
from app.routing.gtfs_reader import read_gtfs
from app.routing.timetable import compile_timetable
from app.routing.walk import CrowFlyWalker
from app.services.transit.router import make_walker

OSM_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'


def _osm(nodes: dict[int, tuple[float, float]], ways: list[tuple[int, list[int], str]]) -> str:
    out = [OSM_HEAD]
    for i, (lat, lon) in nodes.items():
        out.append(f' <node id="{i}" version="1" lat="{lat}" lon="{lon}"/>\n')
    for wid, refs, hw in ways:
        out.append(f' <way id="{wid}" version="1">\n')
        out += [f'  <nd ref="{r}"/>\n' for r in refs]
        out.append(f'  <tag k="highway" v="{hw}"/>\n </way>\n')
    out.append("</osm>\n")
    return "".join(out)


# Two footpaths 111 m apart (north/south of a "river"), joined only by a motorway.
NODES = {1: (53.0, -1.2000), 2: (53.0, -1.1985), 3: (53.0010, -1.2000), 4: (53.0010, -1.1985),
         5: (53.0, -1.1935), 6: (53.0010, -1.1935)}
SOUTH, NORTH = (53.0, -1.1985), (53.0010, -1.1985)  # two stops, facing each other


def _walker(tmp_path: Path, ways: list[tuple[int, list[int], str]]) -> OsmWalker:
    f = tmp_path / "t.osm"
    f.write_text(_osm(NODES, ways), encoding="utf-8")
    g = build_graph(f)
    return OsmWalker(g, np.array([SOUTH[0], NORTH[0]]), np.array([SOUTH[1], NORTH[1]]))


def test_barrier_makes_a_near_stop_unreachable(tmp_path: Path) -> None:
    w = _walker(tmp_path, [(10, [1, 2], "footway"), (11, [3, 4], "footway"),
                           (12, [2, 4], "motorway")])
    idx, _ = w.access(53.0, -1.2000, 800.0)
    assert idx.tolist() == [0]  # only the stop on this side
    crow_idx, _ = CrowFlyWalker(w.stop_lat, w.stop_lon).access(53.0, -1.2000, 800.0)
    assert crow_idx.tolist() == [0, 1]  # crow-fly would have walked across the river


def test_detour_over_a_bridge_is_measured_along_the_paths(tmp_path: Path) -> None:
    w = _walker(tmp_path, [(10, [1, 2, 5], "footway"), (11, [3, 4, 6], "footway"),
                           (13, [5, 6], "footway")])
    idx, d = w.access(53.0, -1.2000, 2000.0)
    assert idx.tolist() == [0, 1]
    east_s = float(haversine_m(53.0, -1.1985, 53.0, -1.1935))
    east_n = float(haversine_m(53.001, -1.1985, 53.001, -1.1935))
    across = float(haversine_m(53.0, -1.1935, 53.001, -1.1935))
    start = float(haversine_m(53.0, -1.2, 53.0, -1.1985))
    assert d[1] == pytest.approx(start + east_s + across + east_n, rel=1e-5)
    assert w.transfers(400.0)[1].tolist() == []  # the two stops are 111 m apart but 780 m walked
    assert len(w.transfers(1000.0)[1]) == 2


def test_points_off_the_network_fall_back_to_crow_fly(tmp_path: Path) -> None:
    w = _walker(tmp_path, [(10, [1, 2], "footway")])
    lat, lon = 53.02, -1.2  # 2 km north of every path
    assert w.direct(lat, lon, 53.021, -1.2) == pytest.approx(
        float(haversine_m(lat, lon, 53.021, -1.2)) * 1.3)


@pytest.fixture(scope="module")
def poa_graph(geodata: Path) -> PedestrianGraph:
    """The pedestrian graph of central Porto Alegre."""
    return build_graph(geodata / "poa" / "poa_osm.pbf")


@pytest.fixture(scope="module")
def poa_walker(poa_graph: PedestrianGraph, geodata: Path) -> OsmWalker:
    """OSM walker over the POA feed's stops."""
    feed, _ = read_gtfs(geodata / "poa" / "poa_eptc.zip", name="poa")
    tt = compile_timetable([feed], dt.date(2019, 5, 13))
    return OsmWalker(poa_graph, tt.stop_lat, tt.stop_lon)


@pytest.mark.realdata
def test_poa_graph_is_a_real_street_network(poa_graph: PedestrianGraph) -> None:
    assert poa_graph.n_nodes > 10_000
    assert poa_graph.n_edges > 10_000
    assert 1000 < poa_graph.length_m.sum() / 2000 < 5000  # km of walkable ways
    min_lon, min_lat, max_lon, max_lat = poa_graph.bbox
    assert -51.3 < min_lon < max_lon < -51.1 and -30.2 < min_lat < max_lat < -29.9


@pytest.mark.realdata
def test_network_distance_is_never_shorter_than_straight_line(poa_walker: OsmWalker) -> None:
    rng = np.random.default_rng(5)
    on = np.flatnonzero(poa_walker.on_network)
    assert len(on) > 1000
    for s in rng.choice(on, 40, replace=False):
        lat, lon = poa_walker.stop_lat[s] + 0.001, poa_walker.stop_lon[s] - 0.001
        idx, d = poa_walker.access(float(lat), float(lon), 1000.0)
        assert len(idx)
        crow = haversine_m(lat, lon, poa_walker.stop_lat[idx], poa_walker.stop_lon[idx])
        assert np.all(d >= crow - 1e-6)
        # The straight line is a lower bound, not a wild underestimate: city streets.
        assert np.median(d / np.maximum(crow, 1.0)) < 2.0


@pytest.mark.realdata
def test_known_pair_along_one_avenue(poa_walker: OsmWalker) -> None:
    # Two points on Avenida Borges de Medeiros, central Porto Alegre, ~500 m apart.
    a, b = (-30.0330, -51.2290), (-30.0375, -51.2285)
    crow = float(haversine_m(a[0], a[1], b[0], b[1]))
    net = poa_walker.direct(a[0], a[1], b[0], b[1])
    assert crow <= net <= 1.6 * crow


@pytest.mark.realdata
def test_router_service_picks_the_osm_walker(poa_graph: PedestrianGraph, poa_walker: OsmWalker,
                                              tmp_path: Path) -> None:
    poa_graph.save(tmp_path / "osm" / "pedestrian-test.npz")
    assert cached_graphs(tmp_path)
    w = walker_for_timetable(poa_walker.stop_lat, poa_walker.stop_lon, tmp_path)
    assert isinstance(w, OsmWalker)
    assert walker_for_timetable(np.array([53.0]), np.array([-1.2]), tmp_path) is None


@pytest.mark.realdata
def test_ingest_osm_writes_graph_and_provenance(fresh_db: Engine, geodata: Path,
                                                tmp_path: Path) -> None:
    from ingest.commands.osm import load_osm

    url = fresh_db.url.render_as_string(hide_password=False)
    path = load_osm(url, geodata / "poa" / "poa_osm.pbf", tmp_path, quiet=True)
    assert path.exists() and path.parent == tmp_path / "osm"
    assert PedestrianGraph.load(path).n_edges > 10_000
    with fresh_db.connect() as conn:
        row = conn.execute(text("SELECT dataset, licence, row_count FROM dataset_version")).one()
    assert row.dataset == "osm" and "ODbL" in row.licence and row.row_count > 10_000


def test_make_walker_defaults_to_crow_fly(tmp_path: Path) -> None:
    from app.routing.timetable import Timetable

    tt = Timetable.__new__(Timetable)
    tt.stop_lat = np.array([53.0])
    tt.stop_lon = np.array([-1.2])
    walker, kind = make_walker(tt, tmp_path)
    assert isinstance(walker, CrowFlyWalker) and kind.startswith("crow-fly")
