"""Database engine and sessions, built once from the settings."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.settings import get_settings

log = logging.getLogger("app")


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """Return the (cached) SQLAlchemy engine for a URL, default the configured database.

    `hide_parameters` keeps bound values (a client's search text or coordinates) out of
    every exception message, and so out of every log.
    """
    engine = create_engine(url or get_settings().sync_url, pool_pre_ping=True, future=True,
                           hide_parameters=True)
    event.listen(engine, "connect", _no_jit)
    return engine


def _no_jit(dbapi_conn: object, _record: object) -> None:
    """Turn PostgreSQL's JIT off for the app's connections.

    A national directory (50,000 listings) lifts the planner's estimate of the finder's
    session query over `jit_above_cost`, and compiling it took 0.68 s of a 0.84 s query;
    the app's queries are short and indexed, where JIT only costs. A SET per connection,
    not a startup option, so a connection pooler in front of PostgreSQL passes it.
    """
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("SET jit = off")
    cur.close()
    dbapi_conn.commit()  # type: ignore[attr-defined]


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    """Return a session factory bound to the engine for `url`."""
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


def close_quietly(session: Session) -> None:
    """Close a session; a connection that died meanwhile is discarded, never raised.

    Teardown runs after the response was sent: an error here could only break a finished
    answer and the client's keep-alive connection.
    """
    try:
        session.close()
    except SQLAlchemyError as exc:
        log.warning("database connection lost while closing a session (%s)",
                    type(exc).__name__)
        with contextlib.suppress(SQLAlchemyError):
            session.invalidate()


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request, always closed."""
    session = session_factory()()
    try:
        yield session
    finally:
        close_quietly(session)


# The request's database session, as every router and dependency declares it.
SessionDep = Annotated[Session, Depends(get_session)]
