"""The community asset directory (ORUK 3.0 aligned): organisations, services, venues, schedules."""

from __future__ import annotations

from datetime import date, datetime, time

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

POINT = Geometry("POINT", srid=4326, spatial_index=True)


class Organization(Base):
    """An organisation that runs activities (ORUK organization)."""

    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(String(200))


class Location(Base):
    """A venue (ORUK location): a point, an address and its accessibility; may host no service."""

    __tablename__ = "location"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    location_type: Mapped[str] = mapped_column(String(16), default="physical")
    venue_type: Mapped[str | None] = mapped_column(String(64))
    address_1: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(120))
    postcode: Mapped[str | None] = mapped_column(String(8), index=True)
    lad_code: Mapped[str | None] = mapped_column(String(9), index=True)
    # How the point was found: 'source' (given), 'postcode' (centroid lookup) or NULL (unplaced).
    geocoded_by: Mapped[str | None] = mapped_column(String(16))
    external_identifier: Mapped[str | None] = mapped_column(String(64), index=True)
    external_identifier_type: Mapped[str | None] = mapped_column(String(200))
    step_free: Mapped[bool | None] = mapped_column(Boolean)
    accessible_toilet: Mapped[bool | None] = mapped_column(Boolean)
    hearing_loop: Mapped[bool | None] = mapped_column(Boolean)
    # Issue 13: the rest of the UK venue accessibility vocabulary (app.directory.access).
    dementia_friendly: Mapped[bool | None] = mapped_column(Boolean)
    guide_dog_friendly: Mapped[bool | None] = mapped_column(Boolean)
    accessibility_notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    geom = mapped_column(POINT, nullable=True)


class Service(Base):
    """An activity listing (ORUK service) with our social-prescribing fields."""

    __tablename__ = "service"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True, default="active")
    oruk_status: Mapped[str] = mapped_column(String(24), default="active")
    alert: Mapped[str | None] = mapped_column(Text)
    primary_category: Mapped[str | None] = mapped_column(String(32), index=True)
    categories: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    audiences: Mapped[list[str]] = mapped_column(ARRAY(String(48)), default=list)
    activity_type: Mapped[str | None] = mapped_column(String(64))
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    eligibility_criteria: Mapped[str | None] = mapped_column(Text)
    accepts_referrals: Mapped[bool] = mapped_column(Boolean, default=False)
    referral_route: Mapped[str | None] = mapped_column(Text)
    drop_in: Mapped[bool | None] = mapped_column(Boolean)
    capacity: Mapped[int | None] = mapped_column(Integer)
    delivery_mode: Mapped[str] = mapped_column(String(16), default="in-person")
    what_to_bring: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    last_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                    server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str | None] = mapped_column(String(200))
    # Kept verbatim so ORUK export round-trips what we do not model (service_areas, urls).
    oruk_extra: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)
    search = mapped_column(TSVECTOR, Computed(
        "to_tsvector('english', coalesce(name, '') || ' ' || coalesce(description, ''))",
        persisted=True))

    __table_args__ = (Index("ix_service_search", "search", postgresql_using="gin"),
                      # The directory fingerprint by an index-only scan (see 0006_directory).
                      Index("ix_service_fingerprint", "last_modified", "version"))


class ServiceAtLocation(Base):
    """Where a service runs (ORUK service_at_location)."""

    __tablename__ = "service_at_location"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"),
                                             index=True)


class Schedule(Base):
    """When a service happens (ORUK 3.0 iCal-style schedule); times are Europe/London local."""

    __tablename__ = "schedule"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("service_at_location.id", ondelete="SET NULL"), index=True)
    freq: Mapped[str] = mapped_column(String(8))
    interval: Mapped[int] = mapped_column(Integer, default=1)
    byday: Mapped[str | None] = mapped_column(String(40))
    bymonthday: Mapped[str | None] = mapped_column(String(40))
    dtstart: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    description: Mapped[str | None] = mapped_column(Text)
    attending_type: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)


class CostOption(Base):
    """A price of a service (ORUK cost_option); amount 0 means free."""

    __tablename__ = "cost_option"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    option: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[float | None] = mapped_column(Numeric(8, 2))
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    amount_description: Mapped[str | None] = mapped_column(Text)


class Taxonomy(Base):
    """A vocabulary imported from a feed (ORUK taxonomy); ours are in app.directory.vocab."""

    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(String(500))


class TaxonomyTerm(Base):
    """A term of an imported vocabulary (ORUK taxonomy_term)."""

    __tablename__ = "taxonomy_term"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    taxonomy_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    term_uri: Mapped[str | None] = mapped_column(String(500))
    parent_id: Mapped[str | None] = mapped_column(String(64))


class ServiceAttribute(Base):
    """A service tagged with an imported term (ORUK attribute), e.g. an access route."""

    __tablename__ = "service_attribute"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            primary_key=True)
    taxonomy_term_id: Mapped[str] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="CASCADE"), primary_key=True, index=True)
    link_type: Mapped[str] = mapped_column(String(64), primary_key=True)


class AuditLog(Base):
    """Who changed which listing, when, with the values before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                         index=True)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, object] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, object] | None] = mapped_column(JSONB)


class AppUser(Base):
    """A person who can sign in: viewer, editor or admin."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped to revoke every token the user holds (password change, "log out everywhere").
    token_version: Mapped[int] = mapped_column(Integer, default=1)
    # The token subject: random, so a token cannot be made for a guessed user id (issue 9).
    token_subject: Mapped[str] = mapped_column(String(32), unique=True, server_default=text(
        "replace(gen_random_uuid()::text, '-', '')"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())


class RevokedToken(Base):
    """A login token revoked before it expired (logout); rows past expiry can be purged."""

    __tablename__ = "revoked_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


__all__ = ["AppUser", "AuditLog", "CostOption", "Location", "Organization",
           "RevokedToken", "Schedule", "Service", "ServiceAtLocation", "ServiceAttribute",
           "Taxonomy", "TaxonomyTerm"]
