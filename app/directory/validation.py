"""Check a listing in full and list EVERY problem (field + message), never just the first."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from app.directory import access, vocab
from app.directory.occurrences import ScheduleError, make_rule
from app.directory.records import (
    ActivityRecord,
    AttributeRecord,
    CostRecord,
    LocationRecord,
    OrgRecord,
    ScheduleRecord,
    TermRecord,
)
from app.errors import InvalidInput
from app.geo import GB_HINT, in_gb
from app.postcodes import parse_postcode

_NS = uuid.UUID("0f6c1f8e-8a43-4d0b-a2a4-6a9d3f1b7c55")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
LIMITS = {"name": 200, "description": 5000, "url": 500, "email": 200, "alert": 1000,
          "activity_type": 64, "eligibility_criteria": 2000, "referral_route": 1000,
          "what_to_bring": 1000, "contact_name": 200, "contact_email": 200,
          "contact_phone": 40, "verified_by": 200, "address_1": 200, "city": 120,
          "option": 200, "amount_description": 1000, "accessibility_notes": 2000,
          "attending_type": 200, "notes": 2000, "venue_type": 64}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: a dotted field path and what is wrong."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """JSON form used in 422 bodies and rejection reports."""
        return {"field": self.field, "message": self.message}


def stable_id(*parts: object) -> str:
    """A deterministic UUID from parts, so re-imports of the same row reuse the same id."""
    return str(uuid.uuid5(_NS, "|".join("" if p is None else str(p) for p in parts)))


class _Checker:
    """Collects problems while converting raw values; every helper returns None on failure."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str, message: str) -> None:
        self.problems.append(Problem(field, message))

    def text(self, raw: Any, field: str, *, required: bool = False) -> str | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.add(field, "is required")
            return None
        if not isinstance(raw, str):
            raw = str(raw)
        value = raw.strip()
        limit = LIMITS.get(field.rsplit(".", 1)[-1], 500)
        if len(value) > limit:
            self.add(field, f"is {len(value)} characters long; the limit is {limit}")
            return None
        # HTML is kept as literal text: the API returns JSON and pages escape it on display.
        return value

    def integer(self, raw: Any, field: str, lo: int, hi: int) -> int | None:
        if raw is None or raw == "":
            return None
        try:
            value = int(float(raw)) if not isinstance(raw, bool) else None
        except (TypeError, ValueError):
            value = None
        if value is None or (isinstance(raw, float | str) and float(raw) != value):
            self.add(field, f"must be a whole number, not {str(raw)[:20]!r}")
            return None
        if not lo <= value <= hi:
            self.add(field, f"must be between {lo} and {hi}")
            return None
        return value

    def number(self, raw: Any, field: str, lo: float, hi: float) -> float | None:
        if raw is None or raw == "":
            return None
        try:
            value = float(raw)
        except (TypeError, ValueError):
            self.add(field, f"must be a number, not {str(raw)[:20]!r}")
            return None
        if value != value or not lo <= value <= hi:
            low = "must not be negative" if value < 0 <= lo else f"must be between {lo} and {hi}"
            self.add(field, low)
            return None
        return value

    def boolean(self, raw: Any, field: str) -> bool | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            return raw
        value = str(raw).strip().lower()
        if value in ("true", "yes", "y", "1", "t"):
            return True
        if value in ("false", "no", "n", "0", "f"):
            return False
        self.add(field, f"must be true or false, not {str(raw)[:20]!r}")
        return None

    def day(self, raw: Any, field: str) -> date | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, date) and not isinstance(raw, datetime):
            return raw
        try:
            return date.fromisoformat(str(raw).strip()[:10])
        except ValueError:
            self.add(field, f"must be a date YYYY-MM-DD, not {str(raw)[:20]!r}")
            return None

    def moment(self, raw: Any, field: str) -> datetime | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, datetime):
            value = raw
        else:
            text = str(raw).strip().replace("Z", "+00:00")
            try:
                value = (datetime.fromisoformat(text) if "T" in text or " " in text
                         else datetime.combine(date.fromisoformat(text), time(12)))
            except ValueError:
                self.add(field, f"must be a date or date-time, not {str(raw)[:25]!r}")
                return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def clock(self, raw: Any, field: str) -> time | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, time):
            return raw
        match = _TIME.match(str(raw).strip())
        if not match:
            self.add(field, f"must be a time HH:MM, not {str(raw)[:20]!r}")
            return None
        return time(int(match.group(1)), int(match.group(2)))

    def email(self, raw: Any, field: str) -> str | None:
        value = self.text(raw, field)
        if value is not None and not _EMAIL.match(value):
            self.add(field, "is not an email address")
            return None
        return value

    def listing(self, raw: Any) -> list[str]:
        if raw is None or raw == "":
            return []
        if isinstance(raw, str):
            return [p for p in re.split(r"[;,|]", raw) if p.strip()]
        if isinstance(raw, list | tuple):
            return [str(p) for p in raw if str(p).strip()]
        return [str(raw)]


def build_activity(data: dict[str, Any], *, default_id: str | None = None
                   ) -> tuple[ActivityRecord | None, list[Problem]]:
    """Validate a raw listing (API body, CSV group or mapped ORUK service) into a record.

    Returns (record, []) when it is valid, else (None, every problem found).
    """
    c = _Checker()
    sid = c.text(data.get("id"), "id") or default_id or str(uuid.uuid4())
    name = c.text(data.get("name"), "name", required=True)
    status_raw = (c.text(data.get("status"), "status") or "active").lower()
    status = status_raw if status_raw in vocab.STATUSES else vocab.ORUK_TO_STATUS.get(status_raw)
    if status is None:
        c.add("status", f"unknown status {status_raw!r}; use one of {', '.join(vocab.STATUSES)}")
    oruk_status = status_raw if status_raw in vocab.ORUK_TO_STATUS else (
        vocab.STATUS_TO_ORUK.get(status or "active", "active"))

    categories = _categories(c, data)
    audiences = []
    for i, raw in enumerate(c.listing(data.get("audiences"))):
        code = vocab.audience_code(raw)
        if code is None:
            c.add(f"audiences.{i}", f"unknown audience {raw!r}; see /api/oruk/taxonomies")
        elif code not in audiences:
            audiences.append(code)

    min_age = c.integer(data.get("minimum_age"), "minimum_age", 0, 120)
    max_age = c.integer(data.get("maximum_age"), "maximum_age", 0, 120)
    if min_age is not None and max_age is not None and max_age < min_age:
        c.add("maximum_age", "maximum_age is below minimum_age")
    delivery = (c.text(data.get("delivery_mode"), "delivery_mode") or "in-person").lower()
    if delivery not in vocab.DELIVERY_MODES:
        c.add("delivery_mode", f"must be one of {', '.join(vocab.DELIVERY_MODES)}")

    org = _organization(c, data)
    locations = _locations(c, data.get("locations") or [])
    schedules = _schedules(c, data.get("schedules") or [], sid, locations)
    costs = _costs(c, data.get("cost_options") or [], sid)

    record = ActivityRecord(
        id=sid, name=name or "", organization=org,
        description=c.text(data.get("description"), "description"),
        url=c.text(data.get("url"), "url"), email=c.email(data.get("email"), "email"),
        status=status or "active", oruk_status=oruk_status,
        alert=c.text(data.get("alert"), "alert"),
        primary_category=categories[0] if categories else None, categories=categories,
        audiences=audiences, activity_type=c.text(data.get("activity_type"), "activity_type"),
        minimum_age=min_age, maximum_age=max_age,
        eligibility_criteria=c.text(data.get("eligibility_criteria"), "eligibility_criteria"),
        accepts_referrals=bool(c.boolean(data.get("accepts_referrals"), "accepts_referrals")),
        referral_route=c.text(data.get("referral_route"), "referral_route"),
        drop_in=c.boolean(data.get("drop_in"), "drop_in"),
        capacity=c.integer(data.get("capacity"), "capacity", 0, 100000),
        delivery_mode=delivery,
        what_to_bring=c.text(data.get("what_to_bring"), "what_to_bring"),
        contact_name=c.text(data.get("contact_name"), "contact_name"),
        contact_email=c.email(data.get("contact_email"), "contact_email"),
        contact_phone=c.text(data.get("contact_phone"), "contact_phone"),
        last_verified_at=c.moment(data.get("last_verified_at"), "last_verified_at"),
        verified_by=c.text(data.get("verified_by"), "verified_by"),
        locations=locations, schedules=schedules, costs=costs,
        attributes=_attributes(data.get("attributes")),
        oruk_extra=dict(data.get("oruk_extra") or {}),
    )
    return (None, c.problems) if c.problems else (record, [])


def _categories(c: _Checker, data: dict[str, Any]) -> list[str]:
    primary = data.get("primary_category")
    raw = ([primary] if primary else []) + c.listing(data.get("categories"))
    out: list[str] = []
    for i, item in enumerate(raw):
        code = vocab.normalise_code(item)
        if code not in vocab.CATEGORY_CODES:
            where = "primary_category" if primary and i == 0 else "categories"
            c.add(where, f"unknown category {item[:40]!r}; use one of "
                         + ", ".join(sorted(vocab.CATEGORY_CODES)))
        elif code not in out:
            out.append(code)
    return out


def _organization(c: _Checker, data: dict[str, Any]) -> OrgRecord | None:
    raw = data.get("organization")
    if isinstance(raw, str):
        raw = {"name": raw}
    if not raw:
        return None
    name = c.text(raw.get("name"), "organization.name", required=True)
    if name is None:
        return None
    given = c.text(raw.get("id"), "organization.id")
    return OrgRecord(
        id=given or stable_id("org", name.lower()), generated_id=given is None,
        name=name, description=c.text(raw.get("description"), "organization.description"),
        email=c.email(raw.get("email"), "organization.email"),
        website=c.text(raw.get("website"), "organization.url"))


def _locations(c: _Checker, raws: list[dict[str, Any]]) -> list[LocationRecord]:
    out = []
    for i, raw in enumerate(raws):
        f = f"locations.{i}"
        name = c.text(raw.get("name"), f"{f}.name", required=True)
        postcode = None
        if raw.get("postcode"):
            try:
                postcode = parse_postcode(str(raw["postcode"]), field=f"{f}.postcode",
                                          allow_partial=False).display
            except InvalidInput as exc:
                c.add(f"{f}.postcode", exc.message)
        lat = c.number(raw.get("lat"), f"{f}.lat", -90, 90)
        lon = c.number(raw.get("lon"), f"{f}.lon", -180, 180)
        if (lat is None) != (lon is None) and not (raw.get("lat") in (None, "")
                                                  and raw.get("lon") in (None, "")):
            c.add(f"{f}.lon" if lon is None else f"{f}.lat", "give both lat and lon, or neither")
        if lat is not None and lon is not None and not in_gb(lat, lon):
            c.add(f"{f}.lat", GB_HINT)
        loc_id = c.text(raw.get("id"), f"{f}.id") or stable_id(
            "loc", (name or "").lower(), postcode)
        out.append(LocationRecord(
            id=loc_id, name=name or "", description=c.text(raw.get("description"),
                                                           f"{f}.description"),
            address_1=c.text(raw.get("address_1"), f"{f}.address_1"),
            city=c.text(raw.get("city"), f"{f}.city"), postcode=postcode, lat=lat, lon=lon,
            lad_code=c.text(raw.get("lad_code"), f"{f}.lad_code"),
            venue_type=c.text(raw.get("venue_type"), f"{f}.venue_type"),
            external_identifier=c.text(raw.get("external_identifier"),
                                       f"{f}.external_identifier"),
            external_identifier_type=c.text(raw.get("external_identifier_type"),
                                            f"{f}.external_identifier_type"),
            accessibility_notes=c.text(raw.get("accessibility_notes"),
                                       f"{f}.accessibility_notes")))
        for column, value in _access(c, raw, f).items():
            setattr(out[-1], column, value)
    return out


def _access(c: _Checker, raw: dict[str, Any], f: str) -> dict[str, bool | None]:
    """The five accessibility booleans: own columns, else an `accessibility` list of features."""
    out: dict[str, bool | None] = {col: c.boolean(raw.get(col), f"{f}.{col}")
                                   for col in access.COLUMNS}
    listed, unknown = access.parse_list(raw.get("accessibility"))
    for item in unknown:
        c.add(f"{f}.accessibility", f"unknown accessibility feature {item[:40]!r}; use "
              + ", ".join(x.label.lower() for x in access.FEATURES))
    for col, value in listed.items():
        if out[col] is None:
            out[col] = value
    return out


def _schedules(c: _Checker, raws: list[dict[str, Any]], sid: str,
               locations: list[LocationRecord]) -> list[ScheduleRecord]:
    out = []
    loc_ids = [loc.id for loc in locations]
    for i, raw in enumerate(raws):
        f = f"schedules.{i}"
        before = len(c.problems)
        opens = c.clock(raw.get("opens_at"), f"{f}.opens_at")
        closes = c.clock(raw.get("closes_at"), f"{f}.closes_at")
        dtstart = c.day(raw.get("dtstart"), f"{f}.dtstart")
        valid_from = c.day(raw.get("valid_from"), f"{f}.valid_from")
        valid_to = c.day(raw.get("valid_to"), f"{f}.valid_to")
        interval = c.integer(raw.get("interval"), f"{f}.interval", 1, 12) or 1
        freq = str(raw.get("freq") or "WEEKLY")
        byday = raw.get("byday")
        bymonthday = raw.get("bymonthday")
        loc_id = raw.get("location_id")
        if loc_id is None and raw.get("location_index") is not None:
            idx = int(raw["location_index"])
            loc_id = loc_ids[idx] if 0 <= idx < len(loc_ids) else None
        if loc_id is None and len(loc_ids) == 1:
            loc_id = loc_ids[0]
        if loc_id is not None and loc_id not in loc_ids:
            c.add(f"{f}.location_id", "names no venue of this listing")
        # Check each recurrence part on its own so one bad field does not hide another.
        anchor = {"dtstart": date(2000, 1, 3)}
        parts: list[dict[str, Any]] = [{"freq": freq, **anchor}]
        if str(freq).upper() in ("WEEKLY", "MONTHLY"):
            if byday:
                parts.append({"freq": freq, "byday": byday})
            if bymonthday not in (None, ""):
                parts.append({"freq": freq, "bymonthday": bymonthday, **anchor})
            parts.append({"freq": freq, "opens_at": opens, "closes_at": closes,
                          "valid_from": valid_from, "valid_to": valid_to, **anchor})
        for kwargs in parts:
            try:
                make_rule(**kwargs)
            except ScheduleError as exc:
                problem = Problem(f"{f}.{exc.field}", exc.message)
                if problem not in c.problems:
                    c.problems.append(problem)
        if not byday and not bymonthday and dtstart is None and valid_from is None:
            c.add(f"{f}.byday", "say which day: byday, bymonthday or dtstart")
        if len(c.problems) > before:
            continue
        out.append(ScheduleRecord(
            id=str(raw.get("id") or stable_id("sched", sid, i, freq, interval, byday,
                                               bymonthday, opens, loc_id)),
            location_id=loc_id, freq=freq.upper(), interval=interval,
            byday=str(byday).upper().replace(" ", "") if byday else None,
            bymonthday=str(bymonthday) if bymonthday not in (None, "") else None,
            dtstart=dtstart, valid_from=valid_from, valid_to=valid_to, opens_at=opens,
            closes_at=closes, description=c.text(raw.get("description"), f"{f}.description"),
            attending_type=c.text(raw.get("attending_type"), f"{f}.attending_type"),
            notes=c.text(raw.get("notes"), f"{f}.notes")))
    return out


def _costs(c: _Checker, raws: list[dict[str, Any]], sid: str) -> list[CostRecord]:
    out = []
    for i, raw in enumerate(raws):
        f = f"cost_options.{i}"
        amount = c.number(raw.get("amount"), f"{f}.amount", 0, 100000)
        option = c.text(raw.get("option"), f"{f}.option")
        out.append(CostRecord(
            id=str(raw.get("id") or stable_id("cost", sid, i)), option=option, amount=amount,
            amount_description=c.text(raw.get("amount_description"),
                                      f"{f}.amount_description")))
    return out


def _attributes(raws: Any) -> list[AttributeRecord] | None:
    """Feed attributes (ORUK shape), kept leniently: an unusable one is skipped, not fatal."""
    if raws is None:
        return None
    out = []
    seen = set()
    for raw in raws if isinstance(raws, list) else []:
        term = raw.get("taxonomy_term") if isinstance(raw, dict) else None
        if not isinstance(term, dict) or not (term.get("name") or term.get("term")):
            continue
        name = str(term.get("name") or term.get("term"))[:200]
        tax_name = term.get("taxonomy")
        tax_id = term.get("taxonomy_id") or (stable_id("taxonomy", tax_name) if tax_name
                                             else None)
        term_id = str(term.get("id") or raw.get("taxonomy_term_id")
                      or stable_id("term", tax_id, term.get("term") or name))[:64]
        link_type = str(raw.get("link_type") or "category")[:64]
        if (term_id, link_type) in seen:
            continue
        seen.add((term_id, link_type))
        out.append(AttributeRecord(link_type, TermRecord(
            id=term_id, name=name, description=str(term.get("description") or name),
            code=(str(term["term"])[:120] if term.get("term") else None),
            term_uri=term.get("term_uri"), parent_id=term.get("parent_id"),
            taxonomy_id=str(tax_id)[:64] if tax_id else None,
            taxonomy_name=str(tax_name)[:200] if tax_name else None)))
    return out
