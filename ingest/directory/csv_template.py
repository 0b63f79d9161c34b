"""Load the activity CSV template (its codec is app.directory.csv_template) in one transaction."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from sqlalchemy import Connection
from tqdm import tqdm

from app.directory.csv_template import REQUIRED, kept_fields, listing_of, locator
from ingest.csvfile import CsvRow, read_csv
from ingest.directory.common import import_listing
from ingest.report import LoadReport
from ingest.runner import Provenance


def load_activity_csv(conn: Connection, path: Path, report: LoadReport, *, quiet: bool = False
                      ) -> Provenance:
    """Upsert the listings in a template CSV; a listing with any bad row is rejected whole."""
    columns, rows = read_csv(path, REQUIRED)
    keep = kept_fields(columns)
    groups: OrderedDict[str, list[CsvRow]] = OrderedDict()
    for row in rows:
        report.rows_read += 1
        if row.error:
            report.reject(row.line, None, row.error)
            continue
        sid = row.values.get("service_id", "").strip()
        if not sid:
            report.reject(row.line, "service_id", "service_id is required (any stable id "
                                                  "from your system)")
            continue
        groups.setdefault(sid, []).append(row)
    for sid, group in tqdm(groups.items(), desc=path.name, unit="listing", disable=quiet):
        lines = ",".join(str(r.line) for r in group)
        label = f"service_id {sid[:40]} (line{'s' if len(group) > 1 else ''} {lines})"
        ok = import_listing(conn, report, listing_of([r.values for r in group]),
                            line=group[0].line,
                            source=f"csv:{path.name}", label=label, keep=keep,
                            where=locator([r.line for r in group]))
        if ok:
            # rows_loaded counts CSV rows, so "loaded N of M rows" adds up.
            report.rows_loaded += len(group) - 1
    return Provenance(publisher="directory CSV (template)", licence="see publisher",
                      attribution="Activity directory CSV: " + path.name, vintage="as supplied")
