"""Argument parsing for `python -m ingest`; each command lives in its own module."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError, ProgrammingError

from app.errors import AppError
from app.settings import get_settings

# Each module defines `register(subparsers)` and sets `func(args) -> int` on its parser.
COMMAND_MODULES: tuple[str, ...] = (
    "ingest.commands.activities",
    "ingest.commands.users",
    "ingest.commands.areas",
    "ingest.commands.all",
    "ingest.commands.bootstrap",
    "ingest.commands.gtfs",
    "ingest.commands.osm",
    "ingest.commands.gaps",
    "ingest.commands.feeds",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every registered command."""
    parser = argparse.ArgumentParser(
        prog=_prog_name(),
        description="Load open datasets into the Within Reach database and run batch jobs.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _prog_name() -> str:
    """`within-reach` when run as the console script, else `python -m ingest`."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return name if name and not name.endswith(".py") else "python -m ingest"


def database_problem(exc: OperationalError | ProgrammingError) -> str:
    """One line saying which database could not be used and what to do about it."""
    from sqlalchemy import make_url

    settings = get_settings()
    url = make_url(settings.sync_url)
    where = f"{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}/{url.database}"
    if isinstance(exc, ProgrammingError):
        return (f"the database {where} is not set up for Within Reach (run `make run` once, or "
                "`alembic upgrade heads`)")
    # psycopg's first line names the cause: refused, unknown role, unknown database, password.
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    hint = ("start it with `make run` (or `make ingest ARGS=...`, which starts it)"
            if settings.uses_private_cluster else "check DATABASE_URL")
    return f"cannot use the database {where}: {reason}; {hint}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors print one line (no traceback) and exit 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except (OperationalError, ProgrammingError) as exc:
        # Missing tables are a ProgrammingError too; other SQL errors are bugs worth a trace.
        if isinstance(exc, ProgrammingError) and "UndefinedTable" not in type(exc.orig).__name__:
            raise
        print(f"error: {database_problem(exc)}", file=sys.stderr)
        return 2
    except EOFError:
        # A prompt (e.g. create-user's password) met a closed or piped-empty stdin.
        print("\nerror: standard input ended before the command had read what it needs (for a "
              "password from a pipe use --password-stdin)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing from the current dataset was written", file=sys.stderr)
        return 130
