"""Tell which directory format a file holds, by its content (not its name)."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.csvfile import header_of

ORUK = "oruk-json"
ACTIVITY_CSV = "activity-csv"
VENUE_CSV = "venue-csv"

# Columns that mark the activity CSV template (docs/directory.md lists them all).
TEMPLATE_MARKERS = {"service_id", "service_name"}


def detect_format(path: Path) -> str | None:
    """Return ORUK, ACTIVITY_CSV, VENUE_CSV or None when the file is none of these."""
    if not path.is_file():
        return None
    with open(path, "rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        if path.suffix.lower() == ".geojson" or b'"FeatureCollection"' in head:
            return None
        return ORUK if _looks_like_oruk(path) else None
    if path.suffix.lower() not in (".csv", ".txt"):
        return None
    columns = {c.strip().lower() for c in header_of(path)}
    if columns >= TEMPLATE_MARKERS:
        return ACTIVITY_CSV
    has_point = {"lat", "lon"} <= columns or {"lat", "lng"} <= columns or {
        "latitude", "longitude"} <= columns
    if "name" in columns and ("postcode" in columns or has_point) and not (
            columns & {"urn", "establishmentname", "org_code", "organisation_code", "pcds"}):
        return VENUE_CSV
    return None


def _looks_like_oruk(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return False
    items = data.get("contents") if isinstance(data, dict) else data
    if isinstance(data, dict) and "contents" not in data:
        items = [data]
    return isinstance(items, list) and all(
        isinstance(i, dict) and "id" in i and "name" in i for i in items[:5])


# Load order in `ingest all`: after postcodes (40) so venues can be geocoded; venues first so
# an ORUK feed that lists the same library replaces the bare venue; ORUK JSON last because it
# is the richer form of the same listings when a folder holds both.
_ORDER = {VENUE_CSV: 60, ACTIVITY_CSV: 61, ORUK: 62}


def detect_for_all(path: Path) -> object | None:
    """Detector for `python -m ingest all`: ORUK JSON, the activity CSV template, venue CSVs."""
    from ingest.commands.activities import DATASETS, load_directory_file
    from ingest.commands.all import Found

    kind = detect_format(path)
    if kind is None:
        return None

    def load(engine: object, strict: bool, quiet: bool) -> object:
        return load_directory_file(engine, path, strict=strict, quiet=quiet)  # type: ignore[arg-type]

    return Found(DATASETS[kind], _ORDER[kind], load)
