"""Load one directory file (ORUK JSON, the activity CSV template, a venue CSV) or ORUK feed."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy import Connection, Engine

from ingest.directory.csv_template import load_activity_csv
from ingest.directory.detect import ACTIVITY_CSV, DATASET_OF, ORUK, VENUE_CSV, detect_format
from ingest.directory.feed import fetch_feed
from ingest.directory.oruk_json import load_oruk_json
from ingest.directory.venues import load_venue_csv
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance, run_load

_LOADERS: dict[str, Callable[..., Provenance]] = {
    ORUK: load_oruk_json, ACTIVITY_CSV: load_activity_csv, VENUE_CSV: load_venue_csv}


def load_directory_file(engine: Engine, path: Path, *, strict: bool = False,
                        quiet: bool = False) -> LoadReport:
    """Detect the format of one file and load it in one transaction (with provenance)."""
    kind = detect_format(path)
    if kind is None:
        raise LoadRefused(path, "not an ORUK JSON file, activity CSV template or venue CSV "
                                "(see docs/directory.md for the columns)")
    loader = partial(_LOADERS[kind], quiet=quiet)

    def run(conn: Connection, p: Path, report: LoadReport) -> Provenance:
        provenance = loader(conn, p, report)
        _print_placing(report, quiet)
        return provenance

    return run_load(engine, DATASET_OF[kind], path, run, strict=strict, quiet=quiet)


def _print_placing(report: LoadReport, quiet: bool) -> None:
    unplaced = sum("could not be placed" in w for w in report.warnings)
    if unplaced and not quiet:
        print(f"  {unplaced} venues could not be placed on the map")


def load_source(engine: Engine, source: str, *, strict: bool = False, quiet: bool = False
                ) -> LoadReport:
    """Load a file, or fetch a live ORUK feed URL first and load what it returned."""
    if source.startswith(("http://", "https://")):
        with tempfile.TemporaryDirectory(prefix="oruk_feed_") as tmp:
            path = fetch_feed(source, Path(tmp), quiet=quiet)
            return load_directory_file(engine, path, strict=strict, quiet=quiet)
    return load_directory_file(engine, Path(source), strict=strict, quiet=quiet)
