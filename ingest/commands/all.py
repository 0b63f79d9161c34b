"""`python -m ingest all DIR`: find every dataset in DIR by content and load it in order.

Files are recognised by the registry's sniffers (ingest.registry), never by name, and loaded
in the registry's dependency order. Files no dataset claims are left alone and listed at the
end.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine

from app.db import get_engine
from app.errors import AppError
from ingest.registry import DATASETS, Dataset, Found, Options, Plan, file_arguments, sniff_file
from ingest.report import LoadReport

# Files that are documentation, not data.
_IGNORED_SUFFIXES = (".md", ".pdf", ".html", ".rst")


def plan_folder(folder: Path, datasets: Iterable[Dataset] = DATASETS) -> Plan:
    """Recognise every file under `folder` and order the loads (dependencies, then rank)."""
    order = list(datasets)
    plan = Plan()
    best: dict[str, Found] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name.startswith(".") or path.suffix.lower() in _IGNORED_SUFFIXES:
            continue
        found = sniff_file(path, order)
        key = found.sniffed.supersedes if found is not None else None
        if found is None:
            plan.unrecognised.append(path)
        elif key is None:
            plan.loads.append(found)
        else:
            current = best.get(key)
            if current is None or found.sniffed.detail > current.sniffed.detail:
                if current is not None:
                    plan.superseded.append((current.path, path))
                best[key] = found
            else:
                plan.superseded.append((path, current.path))
    plan.loads.extend(best.values())
    position = {d.name: i for i, d in enumerate(order)}
    plan.loads.sort(key=lambda f: (position[f.dataset.name], f.sniffed.rank, str(f.path)))
    return plan


def run_plan(engine: Engine, folder: Path, plan: Plan, *, strict: bool, quiet: bool) -> int:
    """Load every planned file (each in its own transaction) and print a summary table."""
    results: list[tuple[str, str, str]] = []
    failed = 0
    for found in plan.loads:
        rel = str(found.path.relative_to(folder))
        started = time.perf_counter()
        if found.skip is not None:
            results.append((found.label, rel, f"skipped: {found.skip}"))
            continue
        try:
            report = found.load(engine, Options(strict=strict, quiet=quiet))
        except AppError as exc:
            failed += 1
            print(f"error: {exc.message}", file=sys.stderr)
            results.append((found.label, rel, "FAILED (nothing written): " +
                            exc.message.replace(str(found.path), "").lstrip(": ")))
            continue
        seconds = time.perf_counter() - started
        results.append((found.label, rel, _outcome(report, seconds)))
    for path, winner in plan.superseded:
        results.append(("", str(path.relative_to(folder)),
                        f"skipped: superseded by the more detailed {winner.name}"))
    for path in plan.unrecognised:
        results.append(("", str(path.relative_to(folder)),
                        "skipped: not a dataset Within Reach recognises"))
    _print_table(folder, results)
    return 2 if failed else 0


def _outcome(report: LoadReport, seconds: float) -> str:
    parts = [f"loaded {report.rows_loaded:,} rows"]
    rejected = len(report.rejected)
    if rejected:
        parts.append(f"rejected {rejected:,}")
    repaired = report.repaired
    if repaired:
        parts.append(f"repaired {repaired:,} geometries")
    return ", ".join(parts) + f" in {seconds:.1f} s"


def _print_table(folder: Path, results: list[tuple[str, str, str]]) -> None:
    width_d = max([len("dataset"), *(len(r[0]) for r in results)])
    width_f = max([len("file"), *(len(r[1]) for r in results)])
    print(f"\nSummary of {folder}:")
    print(f"  {'dataset':<{width_d}}  {'file':<{width_f}}  result")
    for dataset, rel, outcome in results:
        print(f"  {dataset or '-':<{width_d}}  {rel:<{width_f}}  {outcome}")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `all` command."""
    p = subparsers.add_parser(
        "all", help="load every recognised dataset under a folder, in dependency order",
        description="Walk DIR, recognise each file by its header or properties, and load "
                    "boundaries, lookups, deprivation, population, postcodes and stops in "
                    "that order. Unrecognised files are listed and left alone.")
    file_arguments(p, "folder to scan (recursively)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Plan and load the folder."""
    folder: Path = args.path
    if not folder.is_dir():
        raise AppError(f"{folder}: not a folder")
    return run_plan(get_engine(), folder, plan_folder(folder), strict=args.strict,
                    quiet=args.quiet)
