"""`python -m ingest all DIR`: find every dataset in DIR by content and load it in order.

Files are recognised by detectors, never by name. A detector is a function
`detect(path) -> Found | None`; DETECTORS lists them as "module:function" strings, so another
loader joins `ingest all` by adding one line (e.g. a GTFS zip or ORUK JSON detector).
Files no detector claims are left alone and listed at the end.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from app.db import get_engine
from app.errors import AppError
from ingest.commands.areas import add_load_options

# Each entry: "module:function" of a detector. Append yours; order does not matter.
DETECTORS: tuple[str, ...] = (
    "ingest.commands.all:detect_area_file",
    "ingest.directory.detect:detect_for_all",
    "ingest.transit.detect:detect_gtfs",
    "ingest.transit.detect:detect_osm",
)

# Files that are documentation, not data.
_IGNORED_SUFFIXES = (".md", ".pdf", ".html", ".rst")


@dataclass(frozen=True)
class Found:
    """A recognised file: what it is, when to load it and how.

    `order` sorts loads (boundaries 10-19, lookups 20s, IoD/population 30s, postcodes 40,
    NaPTAN 50; later layers such as timetables and directories should use 60+). Of several
    files with the same `supersedes` key only the one with the highest `detail` is loaded.
    """

    dataset: str
    order: int
    load: Callable[[Engine, bool, bool], object] | None  # None: recognised, deliberately not loaded
    supersedes: str | None = None
    detail: float = 0.0
    note: str = ""


Detector = Callable[[Path], Found | None]


def detect_area_file(path: Path) -> Found | None:
    """Detector for the area layer (boundaries, lookups, IoD, population, postcodes, NaPTAN)."""
    from ingest.areas.registry import identify, load_file

    found = identify(path)
    if found is None:
        return None
    command, dataset, order = found

    def load(engine: Engine, strict: bool, quiet: bool) -> object:
        return load_file(engine, command, path, strict=strict, quiet=quiet, dataset=dataset)

    level = dataset.removeprefix("boundaries-")
    if command == "boundaries" and level not in ("lad", "ward", "lsoa21", "lsoa11"):
        return Found(dataset, order, None, note=f"{level.upper()} boundaries are not used by "
                     "Within Reach")
    # Several boundary files of one level (e.g. LSOA 2021 BSC and BGC): keep the most detailed,
    # which for the same area means the biggest file.
    supersedes = dataset if command == "boundaries" else None
    return Found(dataset, order, load, supersedes, float(path.stat().st_size))


def detectors() -> list[Detector]:
    """Import every registered detector."""
    out = []
    for ref in DETECTORS:
        module, _, func = ref.partition(":")
        out.append(getattr(importlib.import_module(module), func))
    return out


@dataclass
class Plan:
    """What `all` will do with each file of a folder."""

    loads: list[tuple[Path, Found]] = field(default_factory=list)
    superseded: list[tuple[Path, Path]] = field(default_factory=list)
    unrecognised: list[Path] = field(default_factory=list)


def plan_folder(folder: Path, found_by: Iterable[Detector] | None = None) -> Plan:
    """Detect every file under `folder` and order the loads."""
    dets = list(found_by) if found_by is not None else detectors()
    plan = Plan()
    best: dict[str, tuple[Path, Found]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name.startswith(".") or path.suffix.lower() in _IGNORED_SUFFIXES:
            continue
        found = next((f for d in dets if (f := _safe(d, path)) is not None), None)
        if found is None:
            plan.unrecognised.append(path)
        elif found.supersedes is None:
            plan.loads.append((path, found))
        else:
            current = best.get(found.supersedes)
            if current is None or found.detail > current[1].detail:
                if current is not None:
                    plan.superseded.append((current[0], path))
                best[found.supersedes] = (path, found)
            else:
                plan.superseded.append((path, current[0]))
    plan.loads.extend(best.values())
    plan.loads.sort(key=lambda item: (item[1].order, str(item[0])))
    return plan


def _safe(detector: Detector, path: Path) -> Found | None:
    try:
        return detector(path)
    except (OSError, UnicodeError, ValueError, AppError):
        return None  # an unreadable file is simply not recognised by this detector


def run_plan(engine: Engine, folder: Path, plan: Plan, *, strict: bool, quiet: bool) -> int:
    """Load every planned file (each in its own transaction) and print a summary table."""
    results: list[tuple[str, str, str]] = []
    failed = 0
    for path, found in plan.loads:
        rel = str(path.relative_to(folder))
        started = time.perf_counter()
        if found.load is None:
            results.append((found.dataset, rel, f"skipped: {found.note}"))
            continue
        try:
            report = found.load(engine, strict, quiet)
        except AppError as exc:
            failed += 1
            print(f"error: {exc.message}", file=sys.stderr)
            results.append((found.dataset, rel, "FAILED (nothing written): " +
                            exc.message.replace(str(path), "").lstrip(": ")))
            continue
        seconds = time.perf_counter() - started
        results.append((found.dataset, rel, _outcome(report, seconds)))
    for path, winner in plan.superseded:
        results.append(("", str(path.relative_to(folder)),
                        f"skipped: superseded by the more detailed {winner.name}"))
    for path in plan.unrecognised:
        results.append(("", str(path.relative_to(folder)),
                        "skipped: not an area dataset (no detector recognised it)"))
    _print_table(folder, results)
    return 2 if failed else 0


def _outcome(report: object, seconds: float) -> str:
    loaded = getattr(report, "rows_loaded", None)
    if loaded is None:
        return f"loaded in {seconds:.1f} s"
    parts = [f"loaded {loaded:,} rows"]
    rejected = len(getattr(report, "rejected", []))
    if rejected:
        parts.append(f"rejected {rejected:,}")
    repaired = getattr(report, "repaired", 0)
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
    add_load_options(p, "folder to scan (recursively)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Plan and load the folder."""
    folder: Path = args.path
    if not folder.is_dir():
        raise AppError(f"{folder}: not a folder")
    return run_plan(get_engine(), folder, plan_folder(folder), strict=args.strict,
                    quiet=args.quiet)
