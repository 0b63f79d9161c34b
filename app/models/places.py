"""Point layers of the area model: postcode centroids and NaPTAN bus stops."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

POINT = Geometry("POINT", srid=4326, spatial_index=True)


class Postcode(Base):
    """A postcode centroid with the areas it falls in."""

    __tablename__ = "postcode"

    # Stored without spaces, upper case: the form every lookup normalises to.
    pcd: Mapped[str] = mapped_column(String(8), primary_key=True)
    pcds: Mapped[str] = mapped_column(String(8))
    outward: Mapped[str] = mapped_column(String(4), index=True)
    positional_quality: Mapped[int | None] = mapped_column(Integer)
    lsoa21_code: Mapped[str | None] = mapped_column(String(9), index=True)
    lsoa11_code: Mapped[str | None] = mapped_column(String(9))
    ward_code: Mapped[str | None] = mapped_column(String(9), index=True)
    lad_code: Mapped[str | None] = mapped_column(String(9), index=True)
    geom = mapped_column(POINT, nullable=False)


class BusStop(Base):
    """A NaPTAN stop point."""

    __tablename__ = "bus_stop"

    atco_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    naptan_code: Mapped[str | None] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(120))
    indicator: Mapped[str | None] = mapped_column(String(64))
    street: Mapped[str | None] = mapped_column(String(120))
    locality: Mapped[str | None] = mapped_column(String(120))
    bearing: Mapped[str | None] = mapped_column(String(4))
    stop_type: Mapped[str] = mapped_column(String(4))
    bus_stop_type: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(16), index=True)
    geom = mapped_column(POINT, nullable=False)
