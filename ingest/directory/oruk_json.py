"""Load an ORUK 3.0 JSON file: a /services page envelope, a list of services, or one service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from tqdm import tqdm

from app.directory.oruk import activity_from_oruk
from ingest.csvfile import read_text
from ingest.directory.common import import_listing
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance


def services_in(path: Path) -> tuple[list[Any], dict[str, Any]]:
    """The service objects in a file, and the envelope's other top-level keys."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise LoadRefused(path, f"not valid JSON ({exc.msg})", line=exc.lineno) from None
    if isinstance(data, list):
        return data, {}
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return data["contents"], {k: v for k, v in data.items() if k != "contents"}
    if isinstance(data, dict) and "id" in data:
        return [data], {}
    raise LoadRefused(path, "not an ORUK services page, list or service object")


def load_oruk_json(conn: Connection, path: Path, report: LoadReport, *, quiet: bool = False
                   ) -> Provenance:
    """Upsert every service in the file, keyed by its ORUK id; bad services are rejected."""
    services, envelope = services_in(path)
    source = f"oruk:{path.name}"
    for index, svc in enumerate(tqdm(services, desc=path.name, unit="service",
                                     disable=quiet), start=1):
        report.rows_read += 1
        if not isinstance(svc, dict):
            report.reject(index, None, f"record {index}: not a JSON object")
            continue
        label = f"record {index} ({str(svc.get('id', '?'))[:36]})"
        import_listing(conn, report, activity_from_oruk(svc), line=index, source=source,
                       label=label)
    notice = str(envelope.get("x_sample_notice") or "")
    if notice:
        report.warn("the file says it is illustrative sample data: " + notice[:80])
    meta = envelope.get("x_sample_metadata") or {}
    return Provenance(
        publisher=str(meta.get("generator") or "ORUK feed publisher"),
        licence="see publisher" if not notice else "illustrative sample (not real data)",
        attribution=("Illustrative sample directory (fictional)" if notice else
                     "Open Referral UK feed: " + path.name),
        vintage=str(meta.get("as_of") or "unknown"))
