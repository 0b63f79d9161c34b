"""The area datasets: CLI name, loader, load order, and how `ingest all` recognises each file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from ingest.areas import boundaries, iod, lookups, naptan, population, postcodes
from ingest.areas.common import QUIET
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Loader, Provenance, run_load


@dataclass(frozen=True)
class AreaDataset:
    """One `python -m ingest <command>` area loader."""

    command: str
    help: str
    loader: Loader
    order: int  # position in `ingest all`: boundaries, lookups, iod/population, postcodes, stops


DATASETS: dict[str, AreaDataset] = {d.command: d for d in (
    AreaDataset("boundaries", "ONS LAD, ward, LSOA 2021 or LSOA 2011 boundaries (GeoJSON, "
                "GeoPackage, Shapefile; zip ok)", boundaries.load_boundaries, 10),
    AreaDataset("lookups", "ONS LSOA21->ward->LAD, LSOA11->LSOA21 or rural-urban lookup CSV",
                lookups.load_lookup, 20),
    AreaDataset("iod", "English Indices of Deprivation CSV (IoD2025 File 7 or IoD2019)",
                iod.load_iod, 30),
    AreaDataset("population", "Census 2021 usual residents by LSOA 2021 and age",
                population.load_population, 31),
    AreaDataset("postcodes", "OS Code-Point Open CSV or its ZIP (headerless as published; a "
                "header row is accepted)",
                postcodes.load_postcodes, 40),
    AreaDataset("naptan", "NaPTAN Stops.csv", naptan.load_naptan, 50),
)}


def identify(path: Path) -> tuple[str, str, int] | None:
    """(command, dataset label, load order) of an area file, found from its content; or None.

    Boundary levels and lookup kinds get their own label and order, so `ingest all` loads
    districts before wards before LSOAs, and the health check names each dataset.
    """
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json", ".gpkg", ".shp", ".zip"):
        layout = boundaries.sniff(path)
        if layout is not None:
            level = layout.level or layout.prefix
            order = {"lad": 10, "ward": 11, "lsoa21": 12, "lsoa11": 13}.get(level, 19)
            return "boundaries", f"boundaries-{level}", order
        if suffix == ".zip" and postcodes.sniff(path):
            return "postcodes", "postcodes", 40
        return None
    if suffix not in (".csv", ".txt"):
        return None
    kind = lookups.sniff(path)
    if kind is not None:
        return "lookups", f"lookup-{kind}", {"ward": 20, "lsoa11": 21, "ruc": 22}[kind]
    iod_layout = iod.sniff(path)
    if iod_layout is not None:
        return "iod", f"iod{iod_layout.edition}", 30
    if population.sniff(path):
        return "population", "population", 31
    if naptan.sniff(path):
        return "naptan", "naptan", 50
    if postcodes.sniff(path):
        return "postcodes", "postcodes", 40
    return None


def dataset_label(command: str, path: Path) -> str:
    """The dataset name recorded for a load: specific when the file is recognised."""
    found = identify(path) if path.is_file() else None
    return found[1] if found and found[0] == command else command


def load_file(engine: Engine, command: str, path: Path, *, strict: bool = False,
              quiet: bool = False, dataset: str | None = None,
              provenance: Provenance | None = None) -> LoadReport:
    """Load one file with the named loader in one transaction (see ingest.runner.run_load).

    `dataset` and `provenance` override what is recorded, which is how the fictional sample
    region is labelled `sample-region` while going through the very same loaders.
    """
    loader = DATASETS[command].loader
    if provenance is not None:
        loader = _with_provenance(loader, provenance)
    token = QUIET.set(quiet)
    try:
        return run_load(engine, dataset or dataset_label(command, path), path, loader,
                        strict=strict, quiet=quiet)
    except DBAPIError as exc:
        # Validation should catch bad values first; if the database still refuses one, the
        # transaction is already rolled back and the user gets its reason in one line.
        diag = getattr(exc.orig, "diag", None)
        reason = getattr(diag, "message_primary", None) or str(exc.orig).splitlines()[0]
        raise LoadRefused(path, f"the database refused the data: {reason}") from None
    finally:
        QUIET.reset(token)


def _with_provenance(loader: Loader, provenance: Provenance) -> Loader:
    def wrapped(conn: Connection, path: Path, report: LoadReport) -> Provenance:
        loader(conn, path, report)
        return provenance

    return wrapped
