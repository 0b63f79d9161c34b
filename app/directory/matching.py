"""De-duplication rules: when two organisations or two listings from different feeds are one.

Organisations: a shared registered number (Charity Commission GB-CHC, Companies House GB-COH,
any ORUK organization_identifier), else the same normalised name with venues within
ORG_DISTANCE_M. Listings: the same organisation or a very similar name, at the same venue
(within VENUE_DISTANCE_M, same postcode or same venue identifier), on a shared weekday at
about the same time. Pure functions; the SQL that finds candidates is in federate.py.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

ORG_DISTANCE_M = 10_000.0
VENUE_DISTANCE_M = 150.0
START_SLACK_MIN = 30
_ORG_NOISE = {"the", "ltd", "limited", "cic", "cio", "plc", "llp", "charity", "trust"}
_NAME_NOISE = {"the", "a", "an", "and", "at", "in", "of", "for", "group", "club", "session",
               "sessions"}
SCHEMES = {"charity": "GB-CHC", "companies house": "GB-COH", "company": "GB-COH"}


def _words(raw: str) -> list[str]:
    # 'Café' and 'Cafe' are one word: drop accents before comparing.
    plain = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    flat = plain.lower().replace("&", " and ").replace("'", "")
    return re.findall(r"[a-z0-9]+", flat)


def normalise_org_name(raw: str) -> str:
    """'The Brookside Chapel Ltd.' -> 'brookside chapel'."""
    return " ".join(w for w in _words(raw) if w not in _ORG_NOISE)


def normalise_name(raw: str) -> str:
    """A listing name without case, punctuation and filler words."""
    return " ".join(w for w in _words(raw) if w not in _NAME_NOISE)


def name_similarity(a: str, b: str) -> float:
    """0..1: the better of sequence similarity and word overlap of the normalised names."""
    x, y = normalise_name(a), normalise_name(b)
    if not x or not y:
        return 0.0
    wx, wy = set(x.split()), set(y.split())
    overlap = len(wx & wy) / min(len(wx), len(wy))
    return max(SequenceMatcher(None, x, y).ratio(), overlap if len(wx & wy) >= 2 else 0.0)


def scheme_of(ident: dict[str, Any]) -> str | None:
    """The org-id.guide scheme of an identifier (GB-CHC, GB-COH, ...), from scheme or type."""
    scheme = str(ident.get("identifier_scheme") or "").strip().upper()
    if re.fullmatch(r"[A-Z]{2}-[A-Z]{3}", scheme):
        return scheme
    kind = str(ident.get("identifier_type") or scheme).lower()
    return next((v for k, v in SCHEMES.items() if k in kind), scheme or None)


def normalise_identifier(raw: Any) -> str:
    """Registered numbers compare without spaces or dashes, and numeric ones without leading
    zeros ('01234567' and '1234567' are one charity); 'SC012345' keeps its zeros."""
    flat = re.sub(r"[^0-9A-Za-z]", "", str(raw or "")).upper()
    return flat.lstrip("0") or flat if flat.isdigit() else flat


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between (lat, lon) points."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 6_371_000 * 2 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class Venue:
    """What venue matching needs: point, postcode, external identifier."""

    point: tuple[float, float] | None
    postcode: str | None
    identifier: str | None


@dataclass(frozen=True)
class Slot:
    """A weekday (MO..SU) and a start time in minutes after midnight (None if unknown)."""

    day: str
    start: int | None


def same_venue(a: list[Venue], b: list[Venue]) -> bool:
    """Any venue of one within VENUE_DISTANCE_M of, or sharing a postcode/id with, the other."""
    for x in a:
        for y in b:
            if x.identifier and x.identifier == y.identifier:
                return True
            if x.postcode and x.postcode == y.postcode:
                return True
            if x.point and y.point and metres(x.point, y.point) <= VENUE_DISTANCE_M:
                return True
    return False


def same_schedule(a: list[Slot], b: list[Slot]) -> bool | None:
    """True on a shared weekday with starts within START_SLACK_MIN; None if either is unknown."""
    if not a or not b:
        return None
    for x in a:
        for y in b:
            if x.day == y.day and (x.start is None or y.start is None
                                   or abs(x.start - y.start) <= START_SLACK_MIN):
                return True
    return False


def slots(schedules: list[dict[str, Any]]) -> list[Slot]:
    """Weekday slots of raw schedules ('1TU' counts as Tuesday)."""
    out = []
    for s in schedules:
        start = None
        m = re.match(r"^(\d{1,2}):(\d{2})", str(s.get("opens_at") or ""))
        if m:
            start = int(m.group(1)) * 60 + int(m.group(2))
        for part in str(s.get("byday") or "").upper().split(","):
            if part[-2:] in ("MO", "TU", "WE", "TH", "FR", "SA", "SU"):
                out.append(Slot(part[-2:], start))
    return out


def is_same_listing(*, same_org: bool, similarity: float, venue: bool,
                    schedule: bool | None) -> bool:
    """The service rule: same venue, no clash of times, and the same org or a near-same name."""
    if not venue or schedule is False:
        return False
    return similarity >= 0.85 or (same_org and similarity >= 0.6)
