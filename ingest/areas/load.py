"""Load one area file with its loader in one transaction, as the registry's area datasets do."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from ingest.areas.common import QUIET
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Loader, Provenance, run_load


def load_area_file(engine: Engine, loader: Loader, path: Path, *, dataset: str,
                   strict: bool = False, quiet: bool = False,
                   provenance: Provenance | None = None) -> LoadReport:
    """Load one file with `loader` in one transaction (see ingest.runner.run_load).

    `dataset` and `provenance` are what is recorded, which is how the fictional sample region
    is labelled `sample-region` while going through the very same loaders.
    """
    if provenance is not None:
        loader = _with_provenance(loader, provenance)
    token = QUIET.set(quiet)
    try:
        return run_load(engine, dataset, path, loader, strict=strict, quiet=quiet)
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
