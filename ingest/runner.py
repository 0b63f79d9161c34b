"""Run one dataset load: one transaction, a provenance row, a progress bar and a summary."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from ingest.report import LoadRefused, LoadReport


@dataclass(frozen=True)
class Provenance:
    """Who published a dataset, under which licence, and which vintage it is."""

    publisher: str
    licence: str
    attribution: str
    vintage: str


Loader = Callable[[Connection, Path, LoadReport], Provenance]


def file_sha256(path: Path) -> str:
    """Hash a file (or every file in a folder) so a provenance row names exactly what was read."""
    digest = hashlib.sha256()
    paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for p in paths:
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def run_load(engine: Engine, dataset: str, path: Path, loader: Loader, *,
             strict: bool = False, quiet: bool = False) -> LoadReport:
    """Load `path` with `loader` in one transaction and record a dataset_version row.

    Any LoadRefused (or, with `strict`, any rejected row) rolls everything back,
    so a bad file leaves the database exactly as it was.
    """
    report = LoadReport(dataset=dataset, source=str(path))
    if not path.exists():
        raise LoadRefused(path, "no such file or folder")
    started = time.perf_counter()
    with engine.begin() as conn:
        provenance = loader(conn, path, report)
        if strict and report.rejected:
            first = report.rejected[0]
            raise LoadRefused(path, f"--strict: {len(report.rejected)} bad rows; first: "
                              f"{first.reason}", line=first.line, column=first.column)
        report.seconds = time.perf_counter() - started
        conn.execute(
            text(
                "INSERT INTO dataset_version (dataset, source_file, sha256, publisher, licence,"
                " attribution, vintage, row_count, details) VALUES (:dataset, :source, :sha,"
                " :publisher, :licence, :attribution, :vintage, :rows, CAST(:details AS jsonb))"
            ),
            {
                "dataset": dataset,
                "source": path.name,
                "sha": file_sha256(path),
                "publisher": provenance.publisher,
                "licence": provenance.licence,
                "attribution": provenance.attribution,
                "vintage": provenance.vintage,
                "rows": report.rows_loaded,
                "details": _details_json(report),
            },
        )
    report.print(quiet=quiet)
    return report


def _details_json(report: LoadReport) -> str:
    return json.dumps({
        "rows_read": report.rows_read,
        "rejected": len(report.rejected),
        "repaired": report.repaired,
        "warnings": report.warnings[:20],
        "seconds": round(report.seconds, 3),
    })
