"""The app's database connections: PostgreSQL's JIT is off on every one (see app.db)."""

from __future__ import annotations

from sqlalchemy import text

from app.db import get_engine


def test_app_connections_have_jit_off(db_url: str) -> None:
    engine = get_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SHOW jit")).scalar_one() == "off"
    # A second connection from the pool, after the first was returned, says the same.
    with engine.connect() as a, engine.connect() as b:
        assert {a.execute(text("SHOW jit")).scalar_one(),
                b.execute(text("SHOW jit")).scalar_one()} == {"off"}
