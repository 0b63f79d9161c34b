"""The one sessions-per-week rule: weekly 1, fortnightly 1/2, monthly 12/52 (a year of 52 weeks)."""

from __future__ import annotations

WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12
# Sessions per week of one weekday slot, by schedule frequency (interval 1).
PER_WEEK: dict[str, float] = {
    "weekly": 1.0,
    "fortnightly": 1.0 / 2.0,  # 26 fortnights a year
    "monthly": MONTHS_PER_YEAR / WEEKS_PER_YEAR,  # 12 sessions a year
}


def per_week(freq: str | None, interval: int | None) -> float:
    """Sessions per week of one weekday slot of a schedule (ORUK freq + interval).

    WEEKLY every n weeks -> 1/n; MONTHLY every n months -> 12/(52 n); DAILY every n days
    meets each weekday 1/n times a week on average. Anything else (a one-off date) counts
    as a monthly session.
    """
    n = max(int(interval or 1), 1)
    f = (freq or "").upper()
    if f in ("WEEKLY", "DAILY"):
        return PER_WEEK["weekly"] / n
    if f == "MONTHLY":
        return PER_WEEK["monthly"] / n
    return PER_WEEK["monthly"]


def per_week_of_label(label: str) -> float:
    """Sessions per week of a what-if frequency label (weekly, fortnightly, monthly)."""
    return PER_WEEK[label]
