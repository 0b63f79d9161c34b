"""The client's cost limit per visit: activity price plus fares there and back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.fares.money import format_pence
from app.fares.pricing import RoundTripFare

__all__ = ["CostCheck", "check_cost_cap"]


@dataclass(frozen=True)
class CostCheck:
    """Whether a visit fits the client's limit, and the reason in words."""

    within: bool | None  # None: a price is not known, so the limit cannot be checked
    total_pence: int | None
    limit_pence: int
    reason: str
    exact: bool  # False when a fare is the cap (an upper bound) or a price is missing

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"cost_within_limit": self.within, "cost_total_pence": self.total_pence,
                "cost_limit_pence": self.limit_pence, "cost_reason": self.reason,
                "cost_exact": self.exact}


def _fares_words(trip: RoundTripFare, fares: int) -> str:
    if trip.free_with_pass:
        return "free with your bus pass both ways"
    up = "up to " if trip.upper_bound else ""
    return f"{up}{format_pence(fares)} return"


def check_cost_cap(activity_pence: int | None, trip: RoundTripFare | None,
                   limit_pence: int) -> CostCheck:
    """Check "activity price + fares there and back ≤ limit"; trip None means no bus (walk).

    activity_pence None means the activity's price is not known. Fares priced at the
    national cap count at the cap: a link worker plans on the most it can cost.
    """
    if limit_pence < 0:
        raise ValueError("the cost limit must not be negative")
    limit = format_pence(limit_pence)
    fares = 0 if trip is None else trip.total_pence
    exact = trip is None or not trip.upper_bound
    if fares is None:
        return CostCheck(None, None, limit_pence, f"a bus fare is not known, so your {limit} "
                         "limit cannot be checked", False)
    if activity_pence is None:
        return CostCheck(None, None, limit_pence, f"the activity's price is not known, so "
                         f"your {limit} limit cannot be checked", False)
    total = activity_pence + fares
    if trip is None:
        parts = f"{format_pence(activity_pence)} (no bus needed)"
    elif activity_pence == 0:
        parts = _fares_words(trip, fares) + (", free activity" if fares == 0 else "")
    else:
        parts = (f"{format_pence(activity_pence)} activity + {_fares_words(trip, fares)}"
                 f" = {format_pence(total)}")
    if total == 0:
        return CostCheck(True, 0, limit_pence, f"free: {parts}", exact)
    if total > limit_pence:
        return CostCheck(False, total, limit_pence, f"{parts}, over your {limit} limit", exact)
    return CostCheck(True, total, limit_pence, f"{parts}, within your {limit} limit", exact)
