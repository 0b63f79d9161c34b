"""The one registry of ingest datasets: name, help, how a file is recognised, how it is loaded.

Every dataset command of the CLI, `ingest all` and `ingest bootstrap` iterate DATASETS, which
is ordered from each dataset's declared dependencies (`after`), never from numbers. A new
loader joins everything by adding one `Dataset` to `_DECLARED`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine

from app.db import get_engine
from app.errors import AppError
from app.geo import in_gb
from app.settings import get_settings
from ingest.areas import boundaries, iod, lookups, naptan, population, postcodes
from ingest.areas.common import REGION, add_region_arguments, region_of
from ingest.areas.load import load_area_file
from ingest.commands import activities as activities_cmd
from ingest.commands import gtfs as gtfs_cmd
from ingest.commands import osm as osm_cmd
from ingest.directory.detect import DATASET_OF, LOAD_ORDER, detect_format
from ingest.directory.load import load_directory_file
from ingest.report import LoadReport
from ingest.runner import Loader, Provenance
from ingest.transit import detect as transit
from ingest.transit.gtfs_load import load_gtfs

Layer = Literal["areas", "directory", "transit"]


@dataclass(frozen=True)
class Options:
    """How one file is loaded: the CLI flags, and what the load is recorded as."""

    strict: bool = False  # refuse the whole file if any row is bad
    quiet: bool = False  # no progress bar or summary
    label: str | None = None  # dataset_version name (default: the recognised one)
    provenance: Provenance | None = None  # recorded instead of the publisher's (sample region)


@dataclass(frozen=True)
class Sniffed:
    """What a dataset's sniffer recognised in one file."""

    label: str  # the specific dataset recorded, e.g. boundaries-lad
    rank: int = 0  # order among this dataset's files (e.g. districts before wards)
    supersedes: str | None = None  # of several files with this key only the best is loaded
    detail: float = 0.0  # which of those is best (higher wins)
    skip: str | None = None  # recognised but deliberately not loaded: why


Sniffer = Callable[[Path], Sniffed | None]
LoadFn = Callable[[Engine, Path, Options], LoadReport]
RunFn = Callable[[argparse.Namespace], int]


def file_arguments(p: argparse.ArgumentParser, path_help: str = "file to load") -> None:
    """PATH, --strict and --quiet: the arguments of a file dataset and of `ingest all`."""
    p.add_argument("path", type=Path, help=path_help)
    p.add_argument("--strict", action="store_true",
                   help="refuse the whole file if any row is bad (default: load the good rows)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar or summary (errors are still printed)")


@dataclass(frozen=True)
class Dataset:
    """One loadable dataset: its CLI command, recogniser, loader and dependencies."""

    name: str  # the CLI command
    help: str
    layer: Layer  # only the area layer counts as "real data" for bootstrap
    sniff: Sniffer
    load: LoadFn
    after: tuple[str, ...] = ()  # datasets that must be loaded before this one
    description: str = ""
    arguments: Callable[[argparse.ArgumentParser], None] = file_arguments
    run: RunFn | None = None  # None: load args.path with --strict/--quiet

    def command(self, args: argparse.Namespace) -> int:
        """Run the CLI command of this dataset."""
        if self.run is not None:
            return self.run(args)
        self.load(get_engine(), args.path, Options(strict=args.strict, quiet=args.quiet))
        return 0

    def label_of(self, path: Path) -> str:
        """The dataset name recorded for a load: specific when the file is recognised."""
        found = self.sniff(path) if path.is_file() else None
        return found.label if found is not None else self.name


@dataclass(frozen=True)
class Found:
    """A file recognised as one dataset by `ingest all`."""

    path: Path
    dataset: Dataset
    sniffed: Sniffed

    @property
    def label(self) -> str:
        """The specific dataset recorded, e.g. boundaries-lad."""
        return self.sniffed.label

    @property
    def skip(self) -> str | None:
        """Why the file is recognised but not loaded, or None."""
        return self.sniffed.skip

    def load(self, engine: Engine, options: Options) -> LoadReport:
        """Load the file as its dataset, recorded under its specific label."""
        return self.dataset.load(engine, self.path, replace(options, label=self.label))


# --- the area layer -------------------------------------------------------------------------

BOUNDARY_LEVELS = ("lad", "ward", "lsoa21", "lsoa11")  # loaded in this order; others unused
LOOKUP_KINDS = ("ward", "lsoa11", "ruc")
_VECTOR = (".geojson", ".json", ".gpkg", ".shp", ".zip")
_TEXT = (".csv", ".txt")


def _area_load(name: str, loader: Loader) -> LoadFn:
    def load(engine: Engine, path: Path, options: Options) -> LoadReport:
        label = options.label or dataset(name).label_of(path)
        return load_area_file(engine, loader, path, dataset=label, strict=options.strict,
                              quiet=options.quiet, provenance=options.provenance)

    return load


def _sniff_boundaries(path: Path) -> Sniffed | None:
    if path.suffix.lower() not in _VECTOR:
        return None
    layout = boundaries.sniff(path)
    if layout is None:
        return None
    level = layout.level or layout.prefix
    label = f"boundaries-{level}"
    if level not in BOUNDARY_LEVELS:
        return Sniffed(label, len(BOUNDARY_LEVELS),
                       skip=f"{level.upper()} boundaries are not used by Within Reach")
    # Several boundary files of one level (e.g. LSOA 2021 BSC and BGC): keep the most detailed,
    # which for the same area means the biggest file.
    return Sniffed(label, BOUNDARY_LEVELS.index(level), supersedes=label,
                   detail=float(path.stat().st_size))


def _sniff_lookups(path: Path) -> Sniffed | None:
    kind = lookups.sniff(path) if path.suffix.lower() in _TEXT else None
    return None if kind is None else Sniffed(f"lookup-{kind}", LOOKUP_KINDS.index(kind))


def _sniff_iod(path: Path) -> Sniffed | None:
    layout = iod.sniff(path) if path.suffix.lower() in _TEXT else None
    return None if layout is None else Sniffed(f"iod{layout.edition}")


def _sniff_population(path: Path) -> Sniffed | None:
    return Sniffed("population") if path.suffix.lower() in _TEXT and population.sniff(path) \
        else None


def _sniff_postcodes(path: Path) -> Sniffed | None:
    ok = path.suffix.lower() in (*_TEXT, ".zip") and postcodes.sniff(path)
    return Sniffed("postcodes") if ok else None


def _sniff_naptan(path: Path) -> Sniffed | None:
    return Sniffed("naptan") if path.suffix.lower() in _TEXT and naptan.sniff(path) else None


# --- the directory and transit layers -------------------------------------------------------

def _sniff_directory(path: Path) -> Sniffed | None:
    kind = detect_format(path)
    return None if kind is None else Sniffed(DATASET_OF[kind], LOAD_ORDER.index(kind))


def _load_directory(engine: Engine, path: Path, options: Options) -> LoadReport:
    return load_directory_file(engine, path, strict=options.strict, quiet=options.quiet)


def _sniff_gtfs(path: Path) -> Sniffed | None:
    if not transit.is_gtfs(path):
        return None
    where = transit.gtfs_centre(path)
    label = f"gtfs:{path.stem}"
    if where is None or not in_gb(*where):
        return Sniffed(label, skip="its stops are outside Great Britain (a test-bed feed); "
                                   "load it explicitly with `python -m ingest gtfs` if wanted")
    return Sniffed(label)


def _load_gtfs(engine: Engine, path: Path, options: Options) -> LoadReport:
    return load_gtfs(engine, path, get_settings().cache_dir, quiet=options.quiet).load_report


def _sniff_osm(path: Path) -> Sniffed | None:
    if not transit.is_osm(path):
        return None
    where = transit.osm_centre(path)
    if where is None or not in_gb(*where):
        return Sniffed("osm", skip="the extract is outside Great Britain (a test-bed file); "
                                   "build it explicitly with `python -m ingest osm` if wanted")
    return Sniffed("osm")


def _load_osm(engine: Engine, path: Path, options: Options) -> LoadReport:
    return osm_cmd.build_walk_graph(engine, path, get_settings().cache_dir,
                                    quiet=options.quiet)[1]


def _area(name: str, help_: str, sniff: Sniffer, loader: Loader,
          after: tuple[str, ...] = (), *, regional: bool = False) -> Dataset:
    # Regional loaders (issue 14) can take part of a national file: --lad and --bbox.
    return Dataset(name, help_, "areas", sniff, _area_load(name, loader), after,
                   description=f"Load {help_}. The file is validated and loaded in one "
                   "transaction: bad rows are reported (file, line, column, reason) and "
                   "skipped, or with --strict refuse the whole file. Loading again is "
                   "idempotent.", arguments=_regional_arguments if regional else file_arguments,
                   run=_regional_run(name) if regional else None)


def _regional_arguments(p: argparse.ArgumentParser) -> None:
    file_arguments(p)
    add_region_arguments(p, "load only rows in this local authority district (repeatable; "
                            "NaPTAN needs the district or LSOA boundaries loaded first, LSOA "
                            "and ward boundaries without a district column the lookup or the "
                            "district boundaries, lookups of LSOAs the ward lookup)")


def _regional_run(name: str) -> RunFn:
    def run(args: argparse.Namespace) -> int:
        token = REGION.set(region_of(args))
        try:
            dataset(name).load(get_engine(), args.path,
                               Options(strict=args.strict, quiet=args.quiet))
        finally:
            REGION.reset(token)
        return 0

    return run


# Declared in the order the CLI lists them; DATASETS is this, ordered by `after`.
_DECLARED: tuple[Dataset, ...] = (
    _area("boundaries", "ONS LAD, ward, LSOA 2021 or LSOA 2011 boundaries (GeoJSON, "
          "GeoPackage, Shapefile; zip ok)", _sniff_boundaries, boundaries.load_boundaries,
          regional=True),
    # A lookup gives the loaded wards and LSOAs that lack one their district.
    _area("lookups", "ONS LSOA21->ward->LAD, LSOA11->LSOA21 or rural-urban lookup CSV",
          _sniff_lookups, lookups.load_lookup, after=("boundaries",), regional=True),
    _area("iod", "English Indices of Deprivation CSV (IoD2025 File 7 or IoD2019)",
          _sniff_iod, iod.load_iod),
    _area("population", "Census 2021 usual residents by LSOA 2021 and age",
          _sniff_population, population.load_population),
    # Postcodes are placed in their LSOA, ward and district by point in polygon and lookup.
    _area("postcodes", "OS Code-Point Open CSV or its ZIP (headerless as published; a header "
          "row is accepted)", _sniff_postcodes, postcodes.load_postcodes,
          after=("boundaries", "lookups"), regional=True),
    _area("naptan", "NaPTAN Stops.csv", _sniff_naptan, naptan.load_naptan, regional=True),
    # Venues are geocoded from postcodes and placed in districts.
    Dataset("activities", "load activities/venues: ORUK JSON file or feed URL, CSV template, "
            "venue CSV", "directory", _sniff_directory, _load_directory,
            after=("boundaries", "postcodes"),
            description="Load the community asset directory. The format is detected from the "
                        "content: ORUK 3.0 JSON (file, or a live feed URL: paginated /services "
                        "then /services/{id}), the activity CSV template, or a venue CSV such "
                        "as the libraries list. Re-loading the same source updates rows in "
                        "place.", arguments=activities_cmd.add_arguments,
            run=activities_cmd.run),
    # GTFS stops are matched to NaPTAN.
    Dataset("gtfs", "load a GTFS feed (zip or folder) into PostGIS", "transit", _sniff_gtfs,
            _load_gtfs, after=("naptan",),
            description="Validate a GTFS feed and load it. Errors refuse the feed (nothing is "
                        "written); warnings are reported. A feed loaded again under the same "
                        "--name replaces the old version in one transaction.",
            arguments=gtfs_cmd.add_arguments, run=gtfs_cmd.run),
    Dataset("osm", "build the walking network from an OpenStreetMap extract (.osm.pbf)",
            "transit", _sniff_osm, _load_osm,
            description="Read walkable ways from an OSM extract and store a compact pedestrian "
                        "graph in the cache folder (keyed by the file's hash). When present, "
                        "journeys walk along it instead of crow-fly x 1.3.",
            arguments=osm_cmd.add_arguments, run=osm_cmd.run),
)


class RegistryError(ValueError):
    """The declared datasets name an unknown dependency, a duplicate, or form a cycle."""


def dependency_order(datasets: Iterable[Dataset]) -> tuple[Dataset, ...]:
    """The datasets ordered so each comes after its dependencies (ties: declaration order)."""
    declared = list(datasets)
    by_name = {d.name: d for d in declared}
    if len(by_name) != len(declared):
        raise RegistryError("two datasets share a name")
    for d in declared:
        unknown = [a for a in d.after if a not in by_name]
        if unknown:
            raise RegistryError(f"{d.name} depends on unknown {', '.join(unknown)}")
    done: list[Dataset] = []
    waiting = list(declared)
    while waiting:
        ready = next((d for d in waiting if all(a in {x.name for x in done} for a in d.after)),
                     None)
        if ready is None:
            raise RegistryError("dependency cycle among " + ", ".join(d.name for d in waiting))
        done.append(ready)
        waiting.remove(ready)
    return tuple(done)


DATASETS: tuple[Dataset, ...] = dependency_order(_DECLARED)
_BY_NAME = {d.name: d for d in DATASETS}


def dataset(name: str) -> Dataset:
    """The registered dataset of that name (KeyError if there is none)."""
    return _BY_NAME[name]


def sniff_file(path: Path, datasets: Iterable[Dataset] = DATASETS) -> Found | None:
    """The first dataset (in load order) that recognises the file, or None."""
    for d in datasets:
        try:
            sniffed = d.sniff(path)
        except (OSError, UnicodeError, ValueError, AppError):
            continue  # an unreadable file is simply not recognised by this dataset
        if sniffed is not None:
            return Found(path, d, sniffed)
    return None


def load_file(engine: Engine, name: str, path: Path, *, strict: bool = False,
              quiet: bool = False, label: str | None = None,
              provenance: Provenance | None = None) -> LoadReport:
    """Load one file as the named dataset, e.g. load_file(engine, "naptan", path, strict=True)."""
    return dataset(name).load(engine, path, Options(strict, quiet, label, provenance))


@dataclass
class Plan:
    """What `all` will do with each file of a folder, in load order."""

    loads: list[Found] = field(default_factory=list)
    superseded: list[tuple[Path, Path]] = field(default_factory=list)  # (loser, winner)
    unrecognised: list[Path] = field(default_factory=list)

    @property
    def area_loads(self) -> list[Found]:
        """The area-layer files that will be loaded (what bootstrap calls real data)."""
        return [f for f in self.loads if f.skip is None and f.dataset.layer == "areas"]
