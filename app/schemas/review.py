"""Request and response models of reports, confirmation links and the review queue."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.activities import Activity
from app.schemas.base import Open


class ReviewSummaryTotals(Open):
    """`totals` of ReviewSummary."""

    due: int | float | None = None
    flagged: int | float | None = None
    conflicts: int | float | None = None
    confirmations: int | float | None = None


class ReviewSummaryDistrictsItem(Open):
    """One of `districts` in ReviewSummary."""

    lad_code: str | None = None
    district: str | None = None
    counts: dict[str, Any] | None = None


class ReviewSummary(Open):
    """Counts of review work per district (no listing details)."""

    stale_after_days: int | None = None
    totals: ReviewSummaryTotals | None = None
    districts: list[ReviewSummaryDistrictsItem] | None = None


class ReviewQueueDistrictsItem(Open):
    """One of `districts` in ReviewQueue."""

    lad_code: str | None = None
    district: str | None = None
    counts: dict[str, Any] | None = None
    due: list[dict[str, Any]] | None = None
    flagged: list[Any] | None = None
    conflicts: list[Any] | None = None
    confirmations: list[Any] | None = None


class ReviewQueueTotals(Open):
    """`totals` of ReviewQueue."""

    due: int | float | None = None
    flagged: int | float | None = None
    conflicts: int | float | None = None
    confirmations: int | float | None = None


class ReviewQueue(Open):
    """Everything waiting for an editor, per district, with totals."""

    stale_after_days: int
    districts: list[ReviewQueueDistrictsItem]
    totals: ReviewQueueTotals


class FlagList(Open):
    """Visitors' reports."""

    total: int
    flags: list[Flag]


class Flag(Open):
    """A visitor's report and what was decided."""

    id: int | None = None
    service_id: str | None = None
    listing: str | None = None
    kind: str | None = None
    message: str | None = None
    status: str | None = None
    created_at: str | None = None
    resolved_at: str | None = None
    resolved_by: str | None = None
    resolution_note: Any = None
    listing_status: str | None = None
    lad_code: str | None = None


class ConfirmationListConfirmationsItem(Open):
    """One of `confirmations` in ConfirmationList."""

    id: int | None = None
    service_id: str | None = None
    listing: str | None = None
    answer: str | None = None
    proposed: dict[str, Any] | None = None
    note: str | None = None
    submitted_at: str | None = None
    issued_by: str | None = None
    expires_at: str | None = None


class ConfirmationList(Open):
    """Organisers' answers waiting for approval."""

    total: int
    confirmations: list[ConfirmationListConfirmationsItem]


class ConfirmationDecided(Open):
    """An organiser's answer after an editor's decision."""

    id: int | None = None
    service_id: str | None = None
    status: str | None = None
    listing: Activity | None = None


class Conflict(Open):
    """A field on which merged feeds disagree, and the feed whose value is shown."""

    id: int | None = None
    service_id: str | None = None
    listing: str | None = None
    field: str | None = None
    candidates: Any = None
    chosen_feed: str | None = None
    at: str | None = None


class ConflictList(Open):
    """Fields on which merged feeds disagree."""

    total: int
    conflicts: list[Conflict]


class ConflictDecided(Open):
    """A conflict marked reviewed (the published value stands)."""

    id: int | None = None
    service_id: str | None = None
    field: str | None = None
    chosen_feed: str | None = None
    resolved: bool | None = None


class Merge(Open):
    """A merge made by de-duplication (a feed's copy folded into a kept listing)."""

    id: int | None = None
    entity: str | None = None
    kept_id: str | None = None
    kept_name: str | None = None
    merged_id: str | None = None
    reason: str | None = None
    score: int | float | None = None
    at: str | None = None
    undone_at: str | None = None
    undone_by: str | None = None
    feed: str | None = None
    source_id: str | None = None


class MergeList(Open):
    """Merges made by de-duplication, newest first."""

    total: int
    merges: list[Merge]


class MergeUndone(Open):
    """A merge undone: the listings it split back out."""

    id: int | None = None
    undone: bool | None = None
    listings: list[dict[str, Any]] | None = None


class ReportKindsKindsItem(Open):
    """One of `kinds` in ReportKinds."""

    code: str | None = None
    label: str | None = None


class ReportKinds(Open):
    """What a visitor can report."""

    kinds: list[ReportKindsKindsItem]


class ReportReceived(Open):
    """A report was received."""

    status: str
    id: int
    message: str


class ConfirmationLink(Open):
    """A signed, expiring confirmation link (shown once)."""

    id: int | None = None
    service_id: str | None = None
    expires_at: str | None = None
    token: str | None = None
    path: str | None = None


class ConfirmView(Open):
    """The listing a confirmation link is for."""

    listing: Activity | None = None
    organization: str | None = None
    status: str | None = None
    answer: Any = None
    expires_at: str | None = None
    proposable: list[str] | None = None


class ConfirmAnswered(Open):
    """The organiser's answer was recorded."""

    status: str | None = None
    answer: str | None = None
    message: str | None = None




# Requests: a visitor's report, an organiser's answer, an editor's decision.

# The longest message a visitor or organiser may send (the report form says so too).
MAX_MESSAGE = 2000


class ReportIn(BaseModel):
    """What a visitor says is wrong; nothing about the visitor is asked for or kept."""

    model_config = ConfigDict(extra="forbid")
    service_id: str = Field(max_length=64)
    kind: str = Field(max_length=24, description="closed, moved, times-changed or other")
    message: str | None = Field(default=None, max_length=MAX_MESSAGE)


class LinkIn(BaseModel):
    """How long the link should work (default CONFIRM_LINK_DAYS)."""

    model_config = ConfigDict(extra="forbid")
    days: int | None = Field(default=None, ge=1, le=365)


class TokenIn(BaseModel):
    """The token from the link's #token= fragment."""

    model_config = ConfigDict(extra="forbid")
    token: str = Field(max_length=2000)


class AnswerIn(TokenIn):
    """The organiser's answer: still running, closed, or these changes."""

    answer: str = Field(max_length=16, description="still-running, changes or closed")
    proposed: dict[str, Any] | None = None
    note: str | None = Field(default=None, max_length=2000)


class Decision(BaseModel):
    """An editor's decision and an optional note."""

    model_config = ConfigDict(extra="forbid")
    action: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=2000)
