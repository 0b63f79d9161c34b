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


# The dataset_version name each format is recorded under.
DATASET_OF = {ORUK: "activities-oruk", ACTIVITY_CSV: "activities-csv", VENUE_CSV: "venues"}
# Load order among directory files in `ingest all`: venues first so an ORUK feed that lists the
# same library replaces the bare venue; ORUK JSON last because it is the richer form of the
# same listings when a folder holds both.
LOAD_ORDER = (VENUE_CSV, ACTIVITY_CSV, ORUK)
