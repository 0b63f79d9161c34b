"""`python -m ingest osm FILE.pbf`: build the pedestrian graph used for network walking."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import Connection

from app.db import get_engine
from app.osmwalk.graph import build_graph, graph_path
from app.settings import get_settings
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance, run_load


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `osm` command."""
    p = subparsers.add_parser(
        "osm", help="build the walking network from an OpenStreetMap extract (.osm.pbf)",
        description="Read walkable ways from an OSM extract and store a compact pedestrian "
                    "graph in the cache folder (keyed by the file's hash). When present, "
                    "journeys walk along it instead of crow-fly x 1.3.")
    p.add_argument("path", type=Path, help="OSM extract (.pbf, .osm)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def load_osm(engine_url: str | None, path: Path, cache_dir: Path, quiet: bool = False
             ) -> Path:
    """Build and save the graph, recording a dataset_version row; returns the .npz path."""
    out: dict[str, Path] = {}

    def loader(conn: Connection, src: Path, report: LoadReport) -> Provenance:
        try:
            g = build_graph(src)
        except RuntimeError as exc:  # osmium's error for unreadable files
            raise LoadRefused(src, f"not a readable OSM file ({exc})") from None
        if g.n_edges == 0:
            raise LoadRefused(src, "no walkable ways (highway=footway, residential, ...) found")
        out["path"] = g.save(graph_path(cache_dir, g.sha256))
        report.rows_read = report.rows_loaded = g.n_edges
        report.warn(f"pedestrian graph: {g.n_nodes:,} nodes, {g.n_edges:,} edges, "
                    f"{g.length_m.sum() / 2000:,.0f} km of walkable ways -> {out['path']}")
        return Provenance(publisher="OpenStreetMap contributors",
                          licence="ODbL 1.0", attribution="© OpenStreetMap contributors (ODbL)",
                          vintage=g.sha256[:16])

    run_load(get_engine(engine_url), "osm", path, loader, quiet=quiet)
    return out["path"]


def run(args: argparse.Namespace) -> int:
    """Build the graph for the configured database and cache folder."""
    load_osm(None, args.path, get_settings().cache_dir, quiet=args.quiet)
    return 0
