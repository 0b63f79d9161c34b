"""The area layer: boundaries, lookups, deprivation, population, rural-urban class."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

MULTIPOLYGON = Geometry("MULTIPOLYGON", srid=4326, spatial_index=True)


class District(Base):
    """A local authority district (lower tier), e.g. Mansfield E07000174."""

    __tablename__ = "lad"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    geom = mapped_column(MULTIPOLYGON, nullable=False)


class Ward(Base):
    """An electoral ward (May 2024 vintage for Notts)."""

    __tablename__ = "ward"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    lad_code: Mapped[str | None] = mapped_column(String(9), index=True)
    geom = mapped_column(MULTIPOLYGON, nullable=False)


class Lsoa21(Base):
    """A 2021 Lower-layer Super Output Area (IoD2025, Census 2021)."""

    __tablename__ = "lsoa21"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    lad_code: Mapped[str | None] = mapped_column(String(9), index=True)
    geom = mapped_column(MULTIPOLYGON, nullable=False)


class Lsoa11(Base):
    """A 2011 LSOA, kept because IoD2019 is published on them."""

    __tablename__ = "lsoa11"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    lad_code: Mapped[str | None] = mapped_column(String(9), index=True)
    geom = mapped_column(MULTIPOLYGON, nullable=False)


class LsoaLookup(Base):
    """Best-fit LSOA 2021 -> ward -> district lookup (ONS LSOA21_WD24_LAD24)."""

    __tablename__ = "lsoa_lookup"

    lsoa21_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    lsoa21_name: Mapped[str] = mapped_column(String(120))
    ward_code: Mapped[str] = mapped_column(String(9), index=True)
    ward_name: Mapped[str] = mapped_column(String(120))
    lad_code: Mapped[str] = mapped_column(String(9), index=True)
    lad_name: Mapped[str] = mapped_column(String(120))


class Lsoa11To21(Base):
    """LSOA 2011 -> 2021 change lookup (U unchanged, S split, M merged, X irregular)."""

    __tablename__ = "lsoa11_lsoa21"

    lsoa11_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    lsoa21_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    change_code: Mapped[str] = mapped_column(String(1))
    lad_code: Mapped[str | None] = mapped_column(String(9))


class Deprivation(Base):
    """One IoD measure (IMD, a domain or a sub-domain) for one LSOA in one edition."""

    __tablename__ = "deprivation"

    edition: Mapped[int] = mapped_column(Integer, primary_key=True)
    lsoa_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    measure: Mapped[str] = mapped_column(String(48), primary_key=True)
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    decile: Mapped[int | None] = mapped_column(Integer)


class Population(Base):
    """Resident count for one LSOA 2021 and age band (Census 2021)."""

    __tablename__ = "population"

    lsoa_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    age_band: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class RuralUrban(Base):
    """2021 Rural-Urban Classification of an LSOA 2021."""

    __tablename__ = "rural_urban"

    lsoa_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    ruc_code: Mapped[str] = mapped_column(String(8))
    classification: Mapped[str] = mapped_column(String(120))
    broad: Mapped[str] = mapped_column(String(16))


__all__ = [
    "Deprivation",
    "District",
    "Lsoa11",
    "Lsoa11To21",
    "Lsoa21",
    "LsoaLookup",
    "Population",
    "RuralUrban",
    "Ward",
]
