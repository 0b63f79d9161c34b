"""transit: GTFS feeds, stops, routes, trips, stop_times, calendars, frequencies

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22 04:25:59.115633
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gtfs_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("version", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gtfs_feed")),
        sa.UniqueConstraint("name", name=op.f("uq_gtfs_feed_name")),
    )
    op.create_table(
        "gtfs_agency",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(length=200), nullable=False),
        sa.Column("agency_name", sa.Text(), nullable=False),
        sa.Column("agency_url", sa.Text(), nullable=False),
        sa.Column("agency_timezone", sa.String(length=64), nullable=False),
        sa.Column("extra", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["gtfs_feed.id"],
            name=op.f("fk_gtfs_agency_feed_id_gtfs_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feed_id", "agency_id", name=op.f("pk_gtfs_agency")),
    )
    op.create_table(
        "gtfs_calendar",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=200), nullable=False),
        sa.Column("monday", sa.Boolean(), nullable=False),
        sa.Column("tuesday", sa.Boolean(), nullable=False),
        sa.Column("wednesday", sa.Boolean(), nullable=False),
        sa.Column("thursday", sa.Boolean(), nullable=False),
        sa.Column("friday", sa.Boolean(), nullable=False),
        sa.Column("saturday", sa.Boolean(), nullable=False),
        sa.Column("sunday", sa.Boolean(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["gtfs_feed.id"],
            name=op.f("fk_gtfs_calendar_feed_id_gtfs_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feed_id", "service_id", name=op.f("pk_gtfs_calendar")),
    )
    op.create_table(
        "gtfs_calendar_date",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=200), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("exception_type", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["gtfs_feed.id"],
            name=op.f("fk_gtfs_calendar_date_feed_id_gtfs_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "feed_id", "service_id", "date", name=op.f("pk_gtfs_calendar_date")
        ),
    )
    op.create_table(
        "gtfs_feed_info",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("feed_publisher_name", sa.Text(), nullable=False),
        sa.Column("feed_publisher_url", sa.Text(), nullable=False),
        sa.Column("feed_lang", sa.String(length=35), nullable=False),
        sa.Column("feed_version", sa.Text(), nullable=False),
        sa.Column("feed_start_date", sa.String(length=8), nullable=False),
        sa.Column("feed_end_date", sa.String(length=8), nullable=False),
        sa.Column("extra", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["gtfs_feed.id"],
            name=op.f("fk_gtfs_feed_info_feed_id_gtfs_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feed_id", name=op.f("pk_gtfs_feed_info")),
    )
    op.create_table(
        "gtfs_frequency",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("trip_id", sa.String(length=200), nullable=False),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("end_s", sa.Integer(), nullable=False),
        sa.Column("headway_s", sa.Integer(), nullable=False),
        sa.Column("exact_times", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["gtfs_feed.id"],
            name=op.f("fk_gtfs_frequency_feed_id_gtfs_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feed_id", "trip_id", "start_s", name=op.f("pk_gtfs_frequency")),
    )
    op.create_table(
        "gtfs_route",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.String(length=200), nullable=False),
        sa.Column("route_short_name", sa.Text(), nullable=False),
        sa.Column("route_long_name", sa.Text(), nullable=False),
        sa.Column("route_type", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["gtfs_feed.id"],
            name=op.f("fk_gtfs_route_feed_id_gtfs_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feed_id", "route_id", name=op.f("pk_gtfs_route")),
    )
    op.create_geospatial_table(
        "gtfs_stop",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("stop_id", sa.String(length=200), nullable=False),
        sa.Column("stop_code", sa.String(length=200), nullable=False),
        sa.Column("stop_name", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("location_type", sa.SmallInteger(), nullable=False),
        sa.Column("parent_station", sa.String(length=200), nullable=True),
        sa.Column("wheelchair_boarding", sa.SmallInteger(), nullable=False),
        sa.Column("naptan_atco", sa.String(length=12), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["gtfs_feed.id"],
            name=op.f("fk_gtfs_stop_feed_id_gtfs_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feed_id", "stop_id", name=op.f("pk_gtfs_stop")),
    )
    op.create_geospatial_index(
        "idx_gtfs_stop_geom",
        "gtfs_stop",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_gtfs_stop_naptan_atco"), "gtfs_stop", ["naptan_atco"], unique=False)
    op.create_table(
        "gtfs_stop_time",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("trip_id", sa.String(length=250), nullable=False),
        sa.Column("stop_sequence", sa.Integer(), nullable=False),
        sa.Column("stop_id", sa.String(length=200), nullable=False),
        sa.Column("arrival_s", sa.Integer(), nullable=False),
        sa.Column("departure_s", sa.Integer(), nullable=False),
        sa.Column("interpolated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["gtfs_feed.id"],
            name=op.f("fk_gtfs_stop_time_feed_id_gtfs_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "feed_id", "trip_id", "stop_sequence", name=op.f("pk_gtfs_stop_time")
        ),
    )
    op.create_table(
        "gtfs_trip",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("trip_id", sa.String(length=250), nullable=False),
        sa.Column("route_id", sa.String(length=200), nullable=False),
        sa.Column("service_id", sa.String(length=200), nullable=False),
        sa.Column("trip_headsign", sa.Text(), nullable=False),
        sa.Column("direction_id", sa.SmallInteger(), nullable=False),
        sa.Column("wheelchair_accessible", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["gtfs_feed.id"],
            name=op.f("fk_gtfs_trip_feed_id_gtfs_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feed_id", "trip_id", name=op.f("pk_gtfs_trip")),
    )


def downgrade() -> None:
    op.drop_table("gtfs_trip")
    op.drop_table("gtfs_stop_time")
    op.drop_index(op.f("ix_gtfs_stop_naptan_atco"), table_name="gtfs_stop")
    op.drop_geospatial_index(
        "idx_gtfs_stop_geom", table_name="gtfs_stop", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("gtfs_stop")
    op.drop_table("gtfs_route")
    op.drop_table("gtfs_frequency")
    op.drop_table("gtfs_feed_info")
    op.drop_table("gtfs_calendar_date")
    op.drop_table("gtfs_calendar")
    op.drop_table("gtfs_agency")
    op.drop_table("gtfs_feed")
