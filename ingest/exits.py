"""How a command's failure reaches the user: one line and an exit code, no traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.errors import AppError
from app.settings import get_settings


def database_problem(exc: OperationalError | ProgrammingError) -> str:
    """One line saying which database could not be used and what to do about it."""
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


def run_guarded(func: Callable[[argparse.Namespace], int | None], args: argparse.Namespace
                ) -> int:
    """Run one command; user errors print one line (no traceback) and exit 2."""
    try:
        return int(func(args) or 0)
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
