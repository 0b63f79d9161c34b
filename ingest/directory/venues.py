"""Load a venue list (libraries and the like): venues without services."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, text
from tqdm import tqdm

from app.directory import access
from app.directory.records import LocationRecord
from app.directory.validation import build_activity, stable_id
from app.services.directory.venues import save_access
from app.services.directory.write import save_location
from ingest.csvfile import read_csv
from ingest.report import LoadReport
from ingest.runner import Provenance

LIBRARY_ID_TYPE = "DCMS Libraries Taskforce basic dataset library id (2016)"


def _pick(values: dict[str, str], *names: str) -> str:
    for n in names:
        if values.get(n, "").strip():
            return values[n].strip()
    return ""


def load_venue_csv(conn: Connection, path: Path, report: LoadReport, *, quiet: bool = False
                   ) -> Provenance:
    """Upsert each open venue, keyed by (file kind, source id); closed venues are skipped."""
    columns, rows = read_csv(path, ("name",))
    lowered = {c.lower(): c for c in columns}
    is_library = "authority" in lowered and "closed" in lowered
    kind = "library" if is_library else "venue"
    for row in tqdm(list(rows), desc=path.name, unit="venue", disable=quiet):
        report.rows_read += 1
        if row.error:
            report.reject(row.line, None, row.error)
            continue
        v = {k.lower(): val for k, val in row.values.items()}
        if is_library and v.get("closed", "").strip():
            report.warn(f"line {row.line}: {v.get('name')} closed ({v.get('closed')} "
                        f"{v.get('closed_year', '')}); not loaded".replace(" )", ")"))
            continue
        source_id = _pick(v, "id", "location_id", "venue_id")
        raw = {"name": "venue", "locations": [{
            "id": stable_id(kind, source_id) if source_id else None, "name": v.get("name"),
            "address_1": _pick(v, "address", "address_1"), "postcode": v.get("postcode"),
            "lat": _pick(v, "lat", "latitude"), "lon": _pick(v, "lon", "lng", "longitude"),
            "lad_code": _pick(v, "lad24cd_derived", "lad24cd", "lad_code") or None,
            "venue_type": "library" if is_library else (v.get("type") or v.get("venue_type")),
            "external_identifier": source_id or None,
            "external_identifier_type": LIBRARY_ID_TYPE if is_library and source_id else None,
            "step_free": v.get("step_free") or None,
            **{c: v.get(c) or None for c in access.COLUMNS if c != "step_free"},
            "accessibility": v.get("accessibility") or None}]}
        # Reuse the listing validator so venues get the same postcode and GB checks.
        record, problems = build_activity(raw)
        if record is None:
            report.reject(row.line, problems[0].field.rsplit(".", 1)[-1],
                          "; ".join(f"{p.field.rsplit('.', 1)[-1]}: {p.message}"
                                    for p in problems))
            continue
        loc: LocationRecord = record.locations[0]
        if _already_listed(conn, loc):
            report.rows_loaded += 1  # the same library came with an ORUK feed: keep that row
            continue
        placed = save_location(conn, loc, f"venues:{path.name}")
        save_access(conn, [loc])
        if not placed:
            report.warn(f"line {row.line}: {loc.name} could not be placed (no coordinates and "
                        "its postcode is not in the postcode table)")
        report.rows_loaded += 1
    return Provenance(
        publisher="DCMS Libraries Taskforce (compiled by Libraries Hacked)" if is_library
        else "venue list", licence="OGL v3" if is_library else "see publisher",
        attribution=("Contains public sector information licensed under the Open Government "
                     "Licence v3.0 (Public libraries in England: basic dataset)") if is_library
        else "Venue list: " + path.name, vintage="2016" if is_library else "as supplied")


def _already_listed(conn: Connection, loc: LocationRecord) -> bool:
    if not loc.external_identifier:
        return False
    return conn.execute(text(
        "SELECT 1 FROM location WHERE external_identifier = :x AND id <> :id"
        " AND coalesce(external_identifier_type, '') = coalesce(:t, '')"
        " AND EXISTS (SELECT 1 FROM service_at_location sal WHERE sal.location_id = location.id)"),
        {"x": loc.external_identifier, "id": loc.id, "t": loc.external_identifier_type}
    ).first() is not None
