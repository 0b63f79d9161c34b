"""GTFS timetables in PostGIS: every table is keyed by feed_id so feeds sit side by side.

Deleting a `gtfs_feed` row cascades to all of its rows, which is how a feed is replaced
by a newer version inside one transaction. Frequency-based trips are stored expanded
(as the engine's reader yields them); `gtfs_frequency` keeps the original rows.

Stop times (about 50 million rows for England) are stored as columnar blocks
(`gtfs_stop_time_block`: one integer array per column, trips and stops by their `code`);
the view `gtfs_stop_time` (migration 0006_gtfsload) shows them as rows for SQL use.
"""

from __future__ import annotations

import datetime as dt

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


def _feed_id() -> Mapped[int]:
    """The feed_id key column every child table starts with (a new FK object each time)."""
    return mapped_column(Integer, ForeignKey("gtfs_feed.id", ondelete="CASCADE"), primary_key=True)


class GtfsFeed(Base):
    """One loaded GTFS feed version; `name` is unique, so a reload replaces it."""

    __tablename__ = "gtfs_feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    version: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    source_file: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True),
                                                   server_default=func.now())
    counts: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    report: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)


class GtfsAgency(Base):
    """agency.txt."""

    __tablename__ = "gtfs_agency"

    feed_id: Mapped[int] = _feed_id()
    agency_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    agency_name: Mapped[str] = mapped_column(Text)
    agency_url: Mapped[str] = mapped_column(Text)
    agency_timezone: Mapped[str] = mapped_column(String(64))
    extra: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)


class GtfsStop(Base):
    """stops.txt, with the NaPTAN stop it matches when stop_id is an ATCO code."""

    __tablename__ = "gtfs_stop"

    feed_id: Mapped[int] = _feed_id()
    stop_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    stop_code: Mapped[str] = mapped_column(String(200))
    stop_name: Mapped[str] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    location_type: Mapped[int] = mapped_column(SmallInteger)
    parent_station: Mapped[str | None] = mapped_column(String(200))
    wheelchair_boarding: Mapped[int] = mapped_column(SmallInteger)
    naptan_atco: Mapped[str | None] = mapped_column(String(12), index=True)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    # Position of stop_id among the feed's stop ids in code-point order (the blocks' code).
    code: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("feed_id", "code"),)


class GtfsRoute(Base):
    """routes.txt."""

    __tablename__ = "gtfs_route"

    feed_id: Mapped[int] = _feed_id()
    route_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(200))
    route_short_name: Mapped[str] = mapped_column(Text)
    route_long_name: Mapped[str] = mapped_column(Text)
    route_type: Mapped[int] = mapped_column(Integer)


class GtfsTrip(Base):
    """trips.txt (frequency-based trips expanded; `frequency_template` names the original)."""

    __tablename__ = "gtfs_trip"

    feed_id: Mapped[int] = _feed_id()
    trip_id: Mapped[str] = mapped_column(String(250), primary_key=True)
    route_id: Mapped[str] = mapped_column(String(200))
    service_id: Mapped[str] = mapped_column(String(200))
    trip_headsign: Mapped[str] = mapped_column(Text)
    direction_id: Mapped[int] = mapped_column(SmallInteger)
    wheelchair_accessible: Mapped[int] = mapped_column(SmallInteger)
    # Position of trip_id among the feed's trip ids in code-point order (the blocks' code).
    code: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("feed_id", "code"),)


class GtfsStopTimeBlock(Base):
    """Up to 1,000,000 stop_times of one feed, one array per column, sorted by trip and seq.

    Times are seconds after service-day midnight (may exceed 86,400); `trip_code` and
    `stop_code` are `gtfs_trip.code` and `gtfs_stop.code` of the same feed.
    """

    __tablename__ = "gtfs_stop_time_block"

    feed_id: Mapped[int] = _feed_id()
    block: Mapped[int] = mapped_column(Integer, primary_key=True)
    n_rows: Mapped[int] = mapped_column(Integer)
    trip_code: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    stop_sequence: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    stop_code: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    arrival_s: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    departure_s: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    interpolated: Mapped[list[bool]] = mapped_column(ARRAY(Boolean))


class GtfsCalendar(Base):
    """calendar.txt."""

    __tablename__ = "gtfs_calendar"

    feed_id: Mapped[int] = _feed_id()
    service_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    monday: Mapped[bool] = mapped_column(Boolean)
    tuesday: Mapped[bool] = mapped_column(Boolean)
    wednesday: Mapped[bool] = mapped_column(Boolean)
    thursday: Mapped[bool] = mapped_column(Boolean)
    friday: Mapped[bool] = mapped_column(Boolean)
    saturday: Mapped[bool] = mapped_column(Boolean)
    sunday: Mapped[bool] = mapped_column(Boolean)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)


class GtfsCalendarDate(Base):
    """calendar_dates.txt."""

    __tablename__ = "gtfs_calendar_date"

    feed_id: Mapped[int] = _feed_id()
    service_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    exception_type: Mapped[int] = mapped_column(SmallInteger)


class GtfsFrequency(Base):
    """frequencies.txt as published (the trips it describes are stored expanded)."""

    __tablename__ = "gtfs_frequency"

    feed_id: Mapped[int] = _feed_id()
    trip_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    start_s: Mapped[int] = mapped_column(Integer, primary_key=True)
    end_s: Mapped[int] = mapped_column(Integer)
    headway_s: Mapped[int] = mapped_column(Integer)
    exact_times: Mapped[int] = mapped_column(SmallInteger)


class GtfsFeedInfo(Base):
    """feed_info.txt (one row per feed), all fields as published."""

    __tablename__ = "gtfs_feed_info"

    feed_id: Mapped[int] = _feed_id()
    feed_publisher_name: Mapped[str] = mapped_column(Text)
    feed_publisher_url: Mapped[str] = mapped_column(Text)
    feed_lang: Mapped[str] = mapped_column(String(35))
    feed_version: Mapped[str] = mapped_column(Text)
    feed_start_date: Mapped[str] = mapped_column(String(8))
    feed_end_date: Mapped[str] = mapped_column(String(8))
    extra: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
