"""Default places per session by activity category, for the competition (E2SFCA) measure.

No listing in the directory publishes a capacity; these defaults are typical sizes of
community groups of each kind (a lunch club seats about 30, a peer-support circle about
12). They only scale the secondary competition measure, never reach or sessions.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_CAPACITY: dict[str, float] = {
    "social-connection": 20.0,
    "food": 30.0,
    "physical-activity": 15.0,
    "arts-culture": 15.0,
    "nature-green": 12.0,
    "learning": 12.0,
    "mental-health": 12.0,
    "health-condition-support": 12.0,
    "advice-support": 10.0,
    "volunteering": 10.0,
}
FALLBACK_CAPACITY = 15.0  # a listing with no known category


def default_capacity(primary: str | None, categories: Iterable[str] = ()) -> float:
    """Places per session of a listing with no published capacity (by its primary category)."""
    if primary in DEFAULT_CAPACITY:
        return DEFAULT_CAPACITY[primary]
    for c in sorted(categories):
        if c in DEFAULT_CAPACITY:
            return DEFAULT_CAPACITY[c]
    return FALLBACK_CAPACITY
