"""Warnings about the loaded data that every page, plan and answer must carry.

They come from the data, not from the code: a synthetic timetable says so in its feed_info
publisher name, test directories describe their own listings as fictional or illustrative
(or were loaded from a file named as a sample), and the built-in region has its own
provenance row. When real data replace them, the warnings go away.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection, text

from app.services.transit.feeds import list_feeds

TIMETABLE = ("The bus timetable is SYNTHETIC test data, not a real timetable: do not use its "
             "times to travel.")
DIRECTORY = "The activities directory is an ILLUSTRATIVE, fictional sample, not real listings."
SAMPLE_REGION = "The places shown are a FICTIONAL sample region, not real places."

# A listing that is test data says so itself; a false alarm is the safe side of this check.
_ILLUSTRATIVE_SQL = text(r"""
SELECT EXISTS (
  SELECT 1 FROM service
  WHERE status <> 'ended'
    AND (source ILIKE '%sample%' OR description ~* '\m(fictional|illustrative)\M')
)""")


def data_notices(conn: Connection) -> list[str]:
    """The notices that apply to what is loaded now, most important first."""
    notices = []
    if any(feed.synthetic for feed in list_feeds(conn)):
        notices.append(TIMETABLE)
    if _illustrative(conn):
        notices.append(DIRECTORY)
    sample = conn.execute(text(
        "SELECT EXISTS (SELECT 1 FROM dataset_version WHERE dataset = 'sample-region')"
    )).scalar_one()
    if sample:
        notices.append(SAMPLE_REGION)
    return notices


# The check reads every listing's description (~50,000 in a national directory), so its
# answer is kept until a listing changes (the directory fingerprint the gap batch uses).
_FINGERPRINT_SQL = text(
    "SELECT count(*), max(last_modified), coalesce(sum(version), 0) FROM service")
_LOCK = threading.Lock()
_SEEN: dict[tuple[object, ...], bool] = {}


def _illustrative(conn: Connection) -> bool:
    """True when any current listing is test data (cached per directory fingerprint)."""
    key = tuple(conn.execute(_FINGERPRINT_SQL).one())
    with _LOCK:
        hit = _SEEN.get(key)
    if hit is not None:
        return hit
    found = bool(conn.execute(_ILLUSTRATIVE_SQL).scalar_one())
    with _LOCK:
        _SEEN.clear()
        _SEEN[key] = found
    return found
