"""Database engine and sessions, built once from the settings."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from app.settings import get_settings


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """Return the (cached) SQLAlchemy engine for a URL, default the configured database."""
    return create_engine(url or get_settings().sync_url, pool_pre_ping=True, future=True)


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    """Return a session factory bound to the engine for `url`."""
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request, always closed."""
    with session_factory()() as session:
        yield session
