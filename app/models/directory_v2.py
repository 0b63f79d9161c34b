"""Directory v2 (issue 13): feeds and per-field provenance, merges, flags, confirmations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class FeedSource(Base):
    """A directory feed `ingest feeds` pulls: ORUK API or file, CSV template, OpenActive RPDE."""

    __tablename__ = "feed_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    url: Mapped[str] = mapped_column(String(1000))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    every_minutes: Mapped[int | None] = mapped_column(Integer)
    # Where the next incremental pull starts: ORUK modified_after, or the RPDE next URL.
    cursor: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_ok_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    records: Mapped[int] = mapped_column(Integer, default=0)


class SourceRecord(Base):
    """One listing as one feed last gave it (the last good copy), linked to its merged listing."""

    __tablename__ = "source_record"
    __table_args__ = (UniqueConstraint("feed_id", "source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feed_source.id", ondelete="CASCADE"),
                                         index=True)
    source_id: Mapped[str] = mapped_column(String(500))
    own_id: Mapped[str] = mapped_column(String(64))  # the listing id it would have alone
    service_id: Mapped[str] = mapped_column(String(64), index=True)  # the merged listing
    payload: Mapped[dict[str, object]] = mapped_column(JSONB)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class FieldProvenance(Base):
    """Which feed record each field of a merged listing came from, and when it was fetched."""

    __tablename__ = "field_provenance"

    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    field: Mapped[str] = mapped_column(String(48), primary_key=True)
    source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_record.id", ondelete="CASCADE"), index=True)
    feed: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(500))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OrganizationIdentifier(Base):
    """A registered number of an organisation (ORUK organization_identifier)."""

    __tablename__ = "organization_identifier"
    __table_args__ = (UniqueConstraint("organization_id", "identifier_scheme", "identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    identifier_scheme: Mapped[str] = mapped_column(String(32))  # GB-CHC, GB-COH, ...
    identifier_type: Mapped[str | None] = mapped_column(String(200))
    identifier: Mapped[str] = mapped_column(String(64), index=True)


class ListingMerge(Base):
    """A decision that two records are one: a feed record joined to a listing, or two orgs."""

    __tablename__ = "listing_merge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))  # service | organization
    kept_id: Mapped[str] = mapped_column(String(64), index=True)
    merged_id: Mapped[str] = mapped_column(String(500))
    source_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_record.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by: Mapped[str | None] = mapped_column(String(64))


class MergeConflict(Base):
    """Feeds disagree on a field of a merged listing: the values, and which one won."""

    __tablename__ = "merge_conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(48))
    candidates: Mapped[list[object]] = mapped_column(JSONB)
    chosen_feed: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(64))


class ListingFlag(Base):
    """A visitor's report that a listing is wrong; who reported it is never stored."""

    __tablename__ = "listing_flag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(String(24))
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution_note: Mapped[str | None] = mapped_column(Text)


class ProviderConfirmation(Base):
    """A signed link an editor issued to a group's organiser, and the organiser's answer."""

    __tablename__ = "provider_confirmation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="issued", index=True)
    answer: Mapped[str | None] = mapped_column(String(16))  # still-running | changes | closed
    proposed: Mapped[dict[str, object] | None] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


__all__ = ["FeedSource", "FieldProvenance", "ListingFlag", "ListingMerge", "MergeConflict",
           "OrganizationIdentifier", "ProviderConfirmation", "SourceRecord"]
