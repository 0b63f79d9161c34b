"""Pull feeds from the feed_source table: one transaction per feed, merged and de-duplicated.

A feed whose pull fails (unreachable, HTTP error, malformed page) writes nothing: its last
good copy stays published, and the error is stored on the feed and printed with its name.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, text
from tqdm import tqdm

from app.services.directory.federate import Feed, check, normalise, rebuild, store_copy
from ingest.directory.sources import PULLERS, Source
from ingest.report import LoadRefused


@dataclass
class FeedRun:
    """What one pull of one feed did."""

    feed: str
    ok: bool
    pages: int = 0
    records: int = 0
    deleted: int = 0
    listings: int = 0
    merged: int = 0
    rejected: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the terminal."""
        if not self.ok:
            return f"feed {self.feed}: FAILED, nothing changed (last good copy kept): {self.error}"
        return (f"feed {self.feed}: {self.records} records from {self.pages} pages "
                f"({self.deleted} deleted), {self.listings} listings updated, {self.merged} "
                f"merged with other feeds, {len(self.rejected)} rejected, "
                f"in {self.seconds:.1f} s")


def add_feed(conn: Connection, name: str, kind: str, url: str, every_minutes: int | None
             ) -> None:
    """Register (or change) a feed."""
    if kind not in PULLERS:
        raise LoadRefused(name, f"unknown feed kind {kind!r}; use {', '.join(PULLERS)}")
    conn.execute(text(
        "INSERT INTO feed_source (name, kind, url, enabled, every_minutes, cursor, records)"
        " VALUES (:n, :k, :u, true, :e, '{}', 0) ON CONFLICT (name) DO UPDATE SET"
        " kind = EXCLUDED.kind, url = EXCLUDED.url, every_minutes = EXCLUDED.every_minutes,"
        " enabled = true"), {"n": name, "k": kind, "u": url, "e": every_minutes})


def due_feeds(conn: Connection, now: datetime, names: list[str] | None = None
              ) -> list[dict[str, Any]]:
    """Enabled feeds to pull now: named ones, else those whose interval has passed."""
    rows = [dict(r) for r in conn.execute(text(
        "SELECT * FROM feed_source WHERE enabled ORDER BY name")).mappings()]
    if names:
        missing = sorted(set(names) - {r["name"] for r in rows})
        if missing:
            raise LoadRefused(missing[0], "no enabled feed of that name (see `feeds list`)")
        return [r for r in rows if r["name"] in names]
    return [r for r in rows if r["every_minutes"] is None or r["last_run_at"] is None
            or r["last_run_at"] + timedelta(minutes=r["every_minutes"]) <= now]


def run_feed(engine: Engine, row: dict[str, Any], *, client: httpx.Client | None = None,
             quiet: bool = False) -> FeedRun:
    """Pull one feed and publish what changed, or record why it could not be pulled."""
    started = time.perf_counter()
    feed = Feed(int(row["id"]), str(row["name"]))
    run = FeedRun(feed.name, ok=False)
    own = client is None
    http = client or httpx.Client(timeout=30, follow_redirects=True,
                                  headers={"Accept": "application/json"})
    fetched_at = datetime.now(UTC)
    try:
        pulled = PULLERS[row["kind"]](Source(feed.name, row["url"], dict(row["cursor"] or {}),
                                             http))
        run.pages, run.rejected = pulled.pages, list(pulled.rejected)
        with engine.begin() as conn:
            # One feed applies at a time (a timer and a manual run, or two feeds at once), so
            # a copy always sees the listings of other feeds it may be the same as.
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('within-reach-feeds'))"))
            touched: set[str] = set()
            for source_id, raw in tqdm(pulled.records, desc=feed.name, unit="record",
                                       disable=quiet):
                if raw is not None:
                    raw = normalise(raw, feed, source_id)
                    problems = check(raw)
                    if problems:
                        # This record keeps its last good copy; the rest of the feed loads.
                        run.rejected.append(f"{source_id[:60]}: " + "; ".join(
                            f"{p.field}: {p.message}" for p in problems))
                        continue
                sid = store_copy(conn, feed, source_id, raw, fetched_at)
                run.records += 1
                run.deleted += raw is None
                if sid:
                    touched.add(sid)
            for sid in sorted(touched):
                rebuild(conn, sid)
            run.listings = len(touched)
            run.merged = int(conn.execute(text(
                "SELECT count(*) FROM listing_merge m JOIN source_record r ON"
                " r.id = m.source_record_id WHERE r.feed_id = :f AND m.undone_at IS NULL"),
                {"f": feed.id}).scalar_one())
            conn.execute(text(
                "UPDATE feed_source SET cursor = CAST(:c AS jsonb), last_run_at = :t,"
                " last_ok_at = :t, last_error = NULL, records = (SELECT count(*) FROM"
                " source_record WHERE feed_id = :f AND NOT deleted) WHERE id = :f"),
                {"c": json.dumps(pulled.cursor), "t": fetched_at, "f": feed.id})
        run.ok = True
    except (LoadRefused, ValueError) as exc:
        run.error = str(exc)
        with engine.begin() as conn:
            conn.execute(text("UPDATE feed_source SET last_run_at = :t, last_error = :e"
                              " WHERE id = :f"), {"t": fetched_at, "e": run.error[:2000],
                                                  "f": feed.id})
    finally:
        if own:
            http.close()
    run.seconds = time.perf_counter() - started
    if not quiet:
        for line in run.rejected[:50]:
            print(f"  rejected {feed.name}: {line}", file=sys.stderr)
        print(run.summary(), file=sys.stderr)
    return run


def run_due(engine: Engine, names: list[str] | None = None, *,
            client: httpx.Client | None = None, quiet: bool = False) -> list[FeedRun]:
    """Pull every due (or named) feed; one failing feed never stops the others."""
    with engine.connect() as conn:
        rows = due_feeds(conn, datetime.now(UTC), names)
    return [run_feed(engine, row, client=client, quiet=quiet) for row in rows]
