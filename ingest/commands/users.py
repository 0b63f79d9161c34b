"""`python -m ingest create-user --username NAME --role ROLE`: password piped or prompted."""

from __future__ import annotations

import argparse
import getpass
import sys

from app.auth.users import ROLES, create_user
from app.db import get_engine
from app.errors import InvalidInput

HOW = ("give the password on standard input, e.g. `printf '%s\\n' \"$PW\" | python -m ingest "
       "create-user --username NAME --role editor`, or run it in a terminal to be prompted")


def _read_password(from_stdin: bool) -> str:
    """The password: piped stdin (first line) or, in a terminal, a prompt twice; never argv."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line.strip():
            raise InvalidInput(f"no password was given; {HOW}", field="password")
        return line.rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise InvalidInput("the two passwords differ", field="password")
    return first


def run(args: argparse.Namespace) -> int:
    """Create (or with --replace reset) a user."""
    password = _read_password(args.password_stdin)
    with get_engine().begin() as conn:
        user = create_user(conn, args.username, password, args.role, replace=args.replace)
    print(f"user {user.username!r} ({user.role}) is ready", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `create-user` command."""
    p = subparsers.add_parser(
        "create-user", help="create a viewer, editor or admin who can sign in",
        description="Create a user. The password is read from a prompt in a terminal, or "
                    "from the first line of standard input when it is piped (or with "
                    "--password-stdin); it is never taken from the command line.")
    p.add_argument("--username", required=True)
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of stdin (the default when piped)")
    p.add_argument("--replace", action="store_true",
                   help="reset the password and role of an existing user (revokes their tokens)")
    p.set_defaults(func=run)
