"""gtfsload: stop_times as columnar blocks (int4[] per column), a gtfs_stop_time view

A national feed has about 50 million stop_times. One row each (text trip and stop ids,
a text primary key) made `ingest gtfs` write and index about 8 GB and made every compile
read them back as text. The stop times now go in blocks of up to 1,000,000 rows, one
integer array per column, coded by the new `gtfs_trip.code` and `gtfs_stop.code`; the
view `gtfs_stop_time` shows them as rows again for SQL use. Existing stop times are
converted, so a loaded feed keeps working.

Revision ID: 0006_gtfsload
Revises: 0003
Create Date: 2026-12-02
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_gtfsload"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Blocks of 1,000,000 rows, as ingest/transit/gtfs_store.py BLOCK_ROWS (inlined below).

VIEW = """
CREATE VIEW gtfs_stop_time AS
SELECT b.feed_id, t.trip_id, u.stop_sequence, s.stop_id, u.arrival_s, u.departure_s,
       u.interpolated
FROM gtfs_stop_time_block b
CROSS JOIN LATERAL unnest(b.trip_code, b.stop_sequence, b.stop_code, b.arrival_s,
                          b.departure_s, b.interpolated)
     AS u(trip_code, stop_sequence, stop_code, arrival_s, departure_s, interpolated)
JOIN gtfs_trip t ON t.feed_id = b.feed_id AND t.code = u.trip_code
JOIN gtfs_stop s ON s.feed_id = b.feed_id AND s.code = u.stop_code
"""


def _codes(table: str, key: str) -> None:
    op.add_column(table, sa.Column("code", sa.Integer(), nullable=True))
    op.execute(f"UPDATE {table} x SET code = y.rn FROM (SELECT feed_id, {key},"  # noqa: S608
               f" row_number() OVER (PARTITION BY feed_id ORDER BY {key} COLLATE \"C\") - 1"
               f" AS rn FROM {table}) y WHERE x.feed_id = y.feed_id AND x.{key} = y.{key}")
    op.alter_column(table, "code", nullable=False)
    op.create_unique_constraint(op.f(f"uq_{table}_feed_id"), table, ["feed_id", "code"])


def upgrade() -> None:
    _codes("gtfs_stop", "stop_id")
    _codes("gtfs_trip", "trip_id")
    arr = postgresql.ARRAY
    op.create_table(
        "gtfs_stop_time_block",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("trip_code", arr(sa.Integer()), nullable=False),
        sa.Column("stop_sequence", arr(sa.Integer()), nullable=False),
        sa.Column("stop_code", arr(sa.Integer()), nullable=False),
        sa.Column("arrival_s", arr(sa.Integer()), nullable=False),
        sa.Column("departure_s", arr(sa.Integer()), nullable=False),
        sa.Column("interpolated", arr(sa.Boolean()), nullable=False),
        sa.ForeignKeyConstraint(["feed_id"], ["gtfs_feed.id"],
                                name=op.f("fk_gtfs_stop_time_block_feed_id_gtfs_feed"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("feed_id", "block", name=op.f("pk_gtfs_stop_time_block")),
    )
    # The arrays are written once and read whole: no compression attempt on the way in.
    for col in ("trip_code", "stop_sequence", "stop_code", "arrival_s", "departure_s",
                "interpolated"):
        op.execute(f"ALTER TABLE gtfs_stop_time_block ALTER COLUMN {col} SET STORAGE EXTERNAL")
    op.execute("""
        INSERT INTO gtfs_stop_time_block
        SELECT feed_id, rn / 1000000, count(*), array_agg(tc ORDER BY rn),
               array_agg(stop_sequence ORDER BY rn), array_agg(sc ORDER BY rn),
               array_agg(arrival_s ORDER BY rn), array_agg(departure_s ORDER BY rn),
               array_agg(interpolated ORDER BY rn)
        FROM (SELECT st.feed_id, t.code AS tc, s.code AS sc, st.stop_sequence, st.arrival_s,
                     st.departure_s, st.interpolated,
                     row_number() OVER (PARTITION BY st.feed_id
                                        ORDER BY t.code, st.stop_sequence) - 1 AS rn
              FROM gtfs_stop_time st
              JOIN gtfs_trip t ON t.feed_id = st.feed_id AND t.trip_id = st.trip_id
              JOIN gtfs_stop s ON s.feed_id = st.feed_id AND s.stop_id = st.stop_id) x
        GROUP BY feed_id, rn / 1000000
    """)
    op.drop_table("gtfs_stop_time")
    op.execute(VIEW)


def downgrade() -> None:
    op.execute("ALTER VIEW gtfs_stop_time RENAME TO gtfs_stop_time_rows")
    op.create_table(
        "gtfs_stop_time",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("trip_id", sa.String(length=250), nullable=False),
        sa.Column("stop_sequence", sa.Integer(), nullable=False),
        sa.Column("stop_id", sa.String(length=200), nullable=False),
        sa.Column("arrival_s", sa.Integer(), nullable=False),
        sa.Column("departure_s", sa.Integer(), nullable=False),
        sa.Column("interpolated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["feed_id"], ["gtfs_feed.id"],
                                name=op.f("fk_gtfs_stop_time_feed_id_gtfs_feed"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("feed_id", "trip_id", "stop_sequence",
                                name=op.f("pk_gtfs_stop_time")),
    )
    op.execute("INSERT INTO gtfs_stop_time SELECT * FROM gtfs_stop_time_rows")
    op.execute("DROP VIEW gtfs_stop_time_rows")
    op.drop_table("gtfs_stop_time_block")
    for table in ("gtfs_trip", "gtfs_stop"):
        op.drop_constraint(op.f(f"uq_{table}_feed_id"), table, type_="unique")
        op.drop_column(table, "code")
