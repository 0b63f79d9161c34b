"""Fetch a live ORUK feed: page through /services, then GET /services/{id} for each item."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from tqdm import tqdm

from ingest.report import LoadRefused

MAX_PAGES = 1000


def _get_json(client: httpx.Client, url: str, params: dict[str, Any] | None = None) -> Any:
    try:
        resp = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise LoadRefused(url, f"the feed could not be reached ({type(exc).__name__})") from None
    if resp.status_code != 200:
        raise LoadRefused(str(resp.url), f"the feed answered HTTP {resp.status_code}")
    try:
        return resp.json()
    except ValueError:
        raise LoadRefused(str(resp.url), "the feed did not return JSON") from None


def services_url(url: str) -> str:
    """The /services endpoint of a feed given as its base URL or as the /services URL itself."""
    base = url.rstrip("/")
    return base if base.endswith("/services") else base + "/services"


def fetch_feed(url: str, out_dir: Path, *, per_page: int = 50, quiet: bool = False,
               timeout: float = 30.0) -> Path:
    """Download every service of a feed as full objects into one page-envelope JSON file."""
    endpoint = services_url(url)
    services: list[dict[str, Any]] = []
    with httpx.Client(timeout=timeout, follow_redirects=True,
                      headers={"Accept": "application/json"}) as client:
        ids: list[str] = []
        page = 1
        while page <= MAX_PAGES:
            body = _get_json(client, endpoint, {"page": page, "per_page": per_page})
            if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
                raise LoadRefused(endpoint, f"page {page} is not an ORUK page envelope")
            ids.extend(str(item["id"]) for item in body["contents"] if "id" in item)
            total_pages = int(body.get("total_pages") or page)
            if body.get("last_page") or page >= total_pages or not body["contents"]:
                break
            page += 1
        for sid in tqdm(ids, desc="fetching services", unit="service", disable=quiet):
            services.append(_get_json(client, f"{endpoint}/{sid}"))
    host = urlsplit(endpoint).netloc.replace(":", "_") or "feed"
    out = out_dir / f"oruk_feed_{host}.json"
    out.write_text(json.dumps({"total_items": len(services), "total_pages": 1,
                               "page_number": 1, "size": len(services), "first_page": True,
                               "last_page": True, "empty": not services,
                               "x_feed_url": endpoint, "contents": services}), encoding="utf-8")
    return out
