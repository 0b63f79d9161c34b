"""`python -m ingest feeds add|list|run|remind`: federated directory feeds, on demand or timer."""

from __future__ import annotations

import argparse
import sys
import time

from sqlalchemy import text

from app.db import get_engine
from app.services.directory.reminders import send_reminders
from app.settings import get_settings
from ingest.directory.feedrun import add_feed, run_due
from ingest.directory.sources import KINDS


def _add(args: argparse.Namespace) -> int:
    with get_engine().begin() as conn:
        add_feed(conn, args.name, args.kind, args.url, args.every)
    print(f"feed {args.name}: {args.kind} {args.url}"
          + (f", every {args.every} minutes" if args.every else ""), file=sys.stderr)
    return 0


def _list(_: argparse.Namespace) -> int:
    with get_engine().connect() as conn:
        rows = conn.execute(text("SELECT name, kind, url, enabled, every_minutes, records,"
                                 " last_ok_at, last_error FROM feed_source ORDER BY name")).all()
    for r in rows:
        state = "ok" if r.last_error is None else f"FAILING: {r.last_error[:120]}"
        print(f"{r.name}\t{r.kind}\t{r.url}\tevery {r.every_minutes or '-'} min\t"
              f"{r.records} records\tlast ok {r.last_ok_at or 'never'}\t{state}")
    return 0


def _run(args: argparse.Namespace) -> int:
    engine = get_engine()
    while True:
        runs = run_due(engine, args.names or None, quiet=args.quiet)
        if not args.every:
            return 0 if all(r.ok for r in runs) else 1
        time.sleep(args.every * 60)


def _remind(args: argparse.Namespace) -> int:
    settings = get_settings()
    with get_engine().begin() as conn:
        sent = send_reminders(conn, settings, dry_run=args.dry_run)
    print(f"reminders: {len(sent)} {'would be ' if args.dry_run else ''}sent"
          + ("" if settings.smtp_host or args.dry_run else " (SMTP_HOST is not set: email off)"),
          file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `feeds` command."""
    p = subparsers.add_parser(
        "feeds", help="pull federated directory feeds (ORUK API/JSON, CSV, OpenActive RPDE)",
        description="Pull every feed in the feed_source table into one de-duplicated "
                    "directory; incremental where the feed supports it. See docs/directory.md.")
    sub = p.add_subparsers(dest="action", required=True)
    a = sub.add_parser("add", help="register or change a feed")
    a.add_argument("name")
    a.add_argument("--kind", required=True, choices=KINDS)
    a.add_argument("--url", required=True, help="http(s) URL, or a file path for json/csv")
    a.add_argument("--every", type=int, default=None, help="pull at most every N minutes")
    a.set_defaults(func=_add)
    sub.add_parser("list", help="feeds and their state").set_defaults(func=_list)
    r = sub.add_parser("run", help="pull due feeds now (or the named ones)")
    r.add_argument("names", nargs="*")
    r.add_argument("--every", type=int, default=None,
                   help="keep running: check for due feeds every N minutes")
    r.add_argument("--quiet", action="store_true")
    r.set_defaults(func=_run)
    m = sub.add_parser("remind", help="email organisers of stale listings a confirmation link "
                                      "(only when SMTP_HOST is set)")
    m.add_argument("--dry-run", action="store_true", help="list who would be emailed")
    m.set_defaults(func=_remind)
