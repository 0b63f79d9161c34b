"""Results of the planner's gap analysis: runs, per-band state, per-area metrics and need."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, SmallInteger, String, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class GapRun(Base):
    """One run of `python -m ingest gaps`: parameters, data versions, timing and outcome."""

    __tablename__ = "gap_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="running")
    bands: Mapped[list[str]] = mapped_column(ARRAY(String(24)), default=list)
    budgets: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)
    params: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)
    data_versions: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)
    summary: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)


class GapBand(Base):
    """Which run last computed a band, and the listings fingerprint it was computed from."""

    __tablename__ = "gap_band"

    band: Mapped[str] = mapped_column(String(24), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("gap_run.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
    details: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)


class GapArea(Base):
    """Need side of an area (LSOA, ward or district): population by age band and IoD2025."""

    __tablename__ = "gap_area"

    level: Mapped[str] = mapped_column(String(8), primary_key=True)
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    ward_code: Mapped[str | None] = mapped_column(String(9), index=True)
    lad_code: Mapped[str | None] = mapped_column(String(9), index=True)
    population: Mapped[dict[str, float]] = mapped_column(JSONB, default=dict)
    imd_score: Mapped[float | None] = mapped_column(Float)
    imd_decile: Mapped[float | None] = mapped_column(Float)
    health_score: Mapped[float | None] = mapped_column(Float)
    barriers_score: Mapped[float | None] = mapped_column(Float)
    domains: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)
    rural_urban: Mapped[str | None] = mapped_column(String(120))
    n_origins: Mapped[int] = mapped_column(Integer, default=0)


class GapResult(Base):
    """Access metrics of one area for one band, budget, category and audience."""

    __tablename__ = "gap_result"

    band: Mapped[str] = mapped_column(String(24), primary_key=True)
    budget: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    level: Mapped[str] = mapped_column(String(8), primary_key=True)
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    audience: Mapped[str] = mapped_column(String(16), primary_key=True)
    # No foreign key or index: ~260k rows are rewritten per run and per-row checks cost
    # seconds; gap_band ties each band to its run.
    run_id: Mapped[int] = mapped_column(Integer)
    population: Mapped[float] = mapped_column(Float)
    activities_mean: Mapped[float | None] = mapped_column(Float)
    activities_share: Mapped[float | None] = mapped_column(Float)
    sessions_mean: Mapped[float | None] = mapped_column(Float)
    e2sfca: Mapped[float | None] = mapped_column(Float)
    nearest_min: Mapped[float | None] = mapped_column(Float)
    # 90% interval of activities_share (exact bootstrap over the LSOA's postcodes).
    reach_low: Mapped[float | None] = mapped_column(Float)
    reach_high: Mapped[float | None] = mapped_column(Float)
    # Only on category='all' audience='all' LSOA rows: nearest activities, late-bus share.
    detail: Mapped[dict[str, object] | None] = mapped_column(JSONB)


class GapHistory(Base):
    """Headline figures of every run (all categories), kept so two runs can be compared."""

    __tablename__ = "gap_history"

    run_id: Mapped[int] = mapped_column(ForeignKey("gap_run.id", ondelete="CASCADE"),
                                        primary_key=True)
    band: Mapped[str] = mapped_column(String(24), primary_key=True)
    budget: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    level: Mapped[str] = mapped_column(String(8), primary_key=True)
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    audience: Mapped[str] = mapped_column(String(16), primary_key=True)
    activities_share: Mapped[float | None] = mapped_column(Float)
    sessions_mean: Mapped[float | None] = mapped_column(Float)
    e2sfca: Mapped[float | None] = mapped_column(Float)


__all__ = ["GapArea", "GapBand", "GapHistory", "GapResult", "GapRun"]
