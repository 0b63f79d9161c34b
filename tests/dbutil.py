"""Throwaway databases on the test cluster: a migrated template, and cheap copies of it."""

from __future__ import annotations

import uuid

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, make_url, text

from app.settings import PROJECT_ROOT


def _admin_engine(admin_url: str):  # type: ignore[no-untyped-def]
    return create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)


def url_for(admin_url: str, name: str) -> str:
    """The admin URL pointed at another database on the same cluster."""
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def create_migrated_template(admin_url: str) -> str:
    """Create a database, install PostGIS, run every migration; return its name."""
    name = f"wr_tmpl_{uuid.uuid4().hex[:8]}"
    eng = _admin_engine(admin_url)
    with eng.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    url = url_for(admin_url, name)
    tmpl = create_engine(url, future=True)
    with tmpl.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    tmpl.dispose()
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "heads")
    return name


def copy_database(admin_url: str, template: str, prefix: str = "wr_test") -> str:
    """Create a new database from a template and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    eng = _admin_engine(admin_url)
    with eng.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    eng.dispose()
    return url_for(admin_url, name)


def drop_database(admin_url: str, url: str) -> None:
    """Drop a test database, disconnecting anyone still attached."""
    name = make_url(url).database
    eng = _admin_engine(admin_url)
    with eng.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()
