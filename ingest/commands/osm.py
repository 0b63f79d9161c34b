"""`python -m ingest osm FILE.pbf`: build the pedestrian graph used for network walking."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import Connection, Engine

from app.db import get_engine
from app.osmwalk.graph import build_graph, graph_path
from app.settings import get_settings
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance, run_load


def add_arguments(p: argparse.ArgumentParser) -> None:
    """PATH and --quiet."""
    p.add_argument("path", type=Path, help="OSM extract (.pbf, .osm)")
    p.add_argument("--quiet", action="store_true")


def load_osm(engine_url: str | None, path: Path, cache_dir: Path, quiet: bool = False
             ) -> Path:
    """Build and save the graph, recording a dataset_version row; returns the .npz path."""
    return build_walk_graph(get_engine(engine_url), path, cache_dir, quiet=quiet)[0]


def build_walk_graph(engine: Engine, path: Path, cache_dir: Path, *, quiet: bool = False
                     ) -> tuple[Path, LoadReport]:
    """Build and save the graph in one recorded load; the .npz path and the load's report."""
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

    report = run_load(engine, "osm", path, loader, quiet=quiet)
    return out["path"], report


def run(args: argparse.Namespace) -> int:
    """Build the graph for the configured database and cache folder."""
    load_osm(None, args.path, get_settings().cache_dir, quiet=args.quiet)
    return 0
