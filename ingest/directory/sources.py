"""Fetch one feed's listings: ORUK 3.0 API, ORUK JSON file, CSV template, OpenActive RPDE.

Each fetcher reads every page first and raises LoadRefused (naming the feed, the page and the
reason) on any failed or malformed page, so nothing of a broken pull is ever written.
"""

from __future__ import annotations

import json
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.directory.csv_template import REQUIRED, listing_of
from app.directory.openactive import listing_from_openactive
from app.directory.oruk import activity_from_oruk
from ingest.csvfile import CsvRow, read_csv
from ingest.directory.feed import services_url
from ingest.report import LoadRefused

KINDS = ("oruk-api", "oruk-json", "csv", "openactive")
MAX_PAGES = 10_000


@dataclass
class Pulled:
    """What one pull returned: (source id, raw listing or None if deleted), the next cursor."""

    records: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    pages: int = 0


class Source:
    """One feed as the fetchers see it: name, URL (or path), cursor, an HTTP client."""

    def __init__(self, name: str, url: str, cursor: dict[str, Any], client: httpx.Client
                 ) -> None:
        self.name, self.url, self.cursor, self.client = name, url, cursor, client

    def refuse(self, where: str, reason: str) -> LoadRefused:
        """The error that stops this feed's pull."""
        return LoadRefused(f"feed {self.name!r} ({where})", reason)

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """GET a page as JSON, or refuse the pull naming that page."""
        try:
            resp = self.client.get(url, params=params)
        except httpx.HTTPError as exc:
            raise self.refuse(url, f"could not be reached ({type(exc).__name__})") from None
        where = str(resp.url)
        if resp.status_code != 200:
            raise self.refuse(where, f"answered HTTP {resp.status_code}")
        try:
            return resp.json()
        except ValueError:
            raise self.refuse(where, "did not return JSON") from None

    def local_file(self, suffix: str, tmp: Path) -> Path:
        """The feed as a local file: a path as given, or an http(s) URL downloaded."""
        if not self.url.startswith(("http://", "https://")):
            path = Path(self.url.removeprefix("file://"))
            if not path.is_file():
                raise self.refuse(self.url, "no such file")
            return path
        try:
            resp = self.client.get(self.url)
        except httpx.HTTPError as exc:
            raise self.refuse(self.url, f"could not be reached ({type(exc).__name__})"
                              ) from None
        if resp.status_code != 200:
            raise self.refuse(self.url, f"answered HTTP {resp.status_code}")
        out = tmp / (Path(urlsplit(self.url).path).name or f"feed{suffix}")
        out.write_bytes(resp.content)
        return out


def pull_oruk_api(src: Source) -> Pulled:
    """Page through /services (from `modified_after` when the cursor has one), then GET each."""
    endpoint = services_url(src.url)
    started = datetime.now(UTC).isoformat()
    out = Pulled(cursor={"modified_after": started})
    ids: list[str] = []
    page = 1
    while page <= MAX_PAGES:
        params: dict[str, Any] = {"page": page, "per_page": 50}
        if src.cursor.get("modified_after"):
            params["modified_after"] = src.cursor["modified_after"]
        body = src.get_json(endpoint, params)
        out.pages += 1
        if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
            raise src.refuse(f"{endpoint} page {page}", "is not an ORUK page envelope")
        if not all(isinstance(i, dict) and i.get("id") for i in body["contents"]):
            raise src.refuse(f"{endpoint} page {page}", "has an item without an id")
        ids.extend(str(item["id"]) for item in body["contents"])
        if body.get("last_page") or page >= int(body.get("total_pages") or page) \
                or not body["contents"]:
            break
        page += 1
    for sid in dict.fromkeys(ids):
        svc = src.get_json(f"{endpoint}/{sid}")
        out.pages += 1
        if not isinstance(svc, dict) or str(svc.get("id")) != sid:
            raise src.refuse(f"{endpoint}/{sid}", "is not the ORUK service asked for")
        out.records.append((sid, activity_from_oruk(svc)))
    return out


def pull_oruk_json(src: Source) -> Pulled:
    """Every service of an ORUK JSON file (page envelope, list or one service)."""
    with tempfile.TemporaryDirectory(prefix="wr_feed_") as tmp:
        path = src.local_file(".json", Path(tmp))
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise src.refuse(src.url, f"is not valid JSON ({type(exc).__name__})") from None
    items = data if isinstance(data, list) else data.get("contents") if isinstance(
        data, dict) and isinstance(data.get("contents"), list) else [data] if isinstance(
        data, dict) and "id" in data else None
    if items is None:
        raise src.refuse(src.url, "is not an ORUK services page, list or service")
    out = Pulled(pages=1)
    for index, svc in enumerate(items, start=1):
        if not isinstance(svc, dict) or not svc.get("id"):
            out.rejected.append(f"record {index}: not a service with an id")
            continue
        out.records.append((str(svc["id"]), activity_from_oruk(svc)))
    return out


def pull_csv(src: Source) -> Pulled:
    """The listings of a CSV template file (rows grouped by service_id)."""
    out = Pulled(pages=1)
    groups: OrderedDict[str, list[CsvRow]] = OrderedDict()
    with tempfile.TemporaryDirectory(prefix="wr_feed_") as tmp:
        path = src.local_file(".csv", Path(tmp))
        try:
            _, rows = read_csv(path, REQUIRED)
            for row in rows:
                sid = row.values.get("service_id", "").strip()
                if row.error or not sid:
                    out.rejected.append(f"line {row.line}: {row.error or 'no service_id'}")
                    continue
                groups.setdefault(sid, []).append(row)
        except LoadRefused as exc:
            raise src.refuse(src.url, exc.reason) from None
    out.records = [(sid, listing_of([r.values for r in group])) for sid, group in groups.items()]
    return out


def pull_openactive(src: Source) -> Pulled:
    """Follow an RPDE feed from the stored `next` URL (afterTimestamp/afterId or
    afterChangeNumber) until a page has no items; deleted items are deletions."""
    url = str(src.cursor.get("next") or src.url)
    latest: OrderedDict[str, dict[str, Any] | None] = OrderedDict()
    out = Pulled()
    for _ in range(MAX_PAGES):
        body = src.get_json(url)
        out.pages += 1
        if not isinstance(body, dict) or not isinstance(body.get("items"), list) \
                or not isinstance(body.get("next"), str):
            raise src.refuse(url, "is not an RPDE page (items and next)")
        for item in body["items"]:
            if not isinstance(item, dict) or item.get("state") not in ("updated", "deleted") \
                    or item.get("id") in (None, ""):
                raise src.refuse(url, "has an item without id and state updated/deleted")
            if item["state"] == "updated" and not isinstance(item.get("data"), dict):
                raise src.refuse(url, f"item {item['id']} is updated but has no data")
            key = str(item["id"])
            latest.pop(key, None)  # a later version of an item replaces the earlier one
            latest[key] = (listing_from_openactive(item["data"]) if item["state"] == "updated"
                           else None)
        nxt = httpx.URL(url).join(body["next"])
        if not body["items"]:
            out.cursor = {"next": str(nxt)}
            break
        url = str(nxt)
    else:
        raise src.refuse(url, f"more than {MAX_PAGES} pages; stopped")
    out.records = list(latest.items())
    return out


PULLERS: dict[str, Callable[[Source], Pulled]] = {
    "oruk-api": pull_oruk_api, "oruk-json": pull_oruk_json, "csv": pull_csv,
    "openactive": pull_openactive}
