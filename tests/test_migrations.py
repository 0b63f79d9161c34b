"""Migrations: they build the schema the models describe, and autogenerate finds no difference."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

import app.models  # noqa: F401
from app.models.base import Base
from app.settings import PROJECT_ROOT


def _include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    from geoalchemy2 import alembic_helpers

    if type_ == "table" and name == "spatial_ref_sys":
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def test_autogenerate_finds_no_difference(fresh_db: Engine) -> None:
    with fresh_db.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": _include,
                                                     "compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_every_geometry_is_4326_with_a_gist_index(fresh_db: Engine) -> None:
    insp = inspect(fresh_db)
    with fresh_db.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT f_table_name, f_geometry_column, srid FROM geometry_columns "
            "WHERE f_table_schema = 'public'").all()
    assert rows, "no geometry columns"
    for table, column, srid in rows:
        assert srid == 4326, table
        gist = [ix for ix in insp.get_indexes(table) if column in ix["column_names"]]
        assert gist, f"{table}.{column} has no index"


def test_single_head_or_declared_branches() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(Config(str(PROJECT_ROOT / "alembic.ini")))
    assert script.get_heads(), "no migration heads"
