"""The activity CSV template, both ways: its columns, rows -> listing, and listing -> rows.

The bulk template is one row per activity x schedule, grouped by service_id. The reader is
used by the CSV loader and the CSV feeds (ingest), the writer by the export route (app.api),
so both front doors share one codec and the columns are written once.
"""

from __future__ import annotations

import csv
import io
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from app.directory.occurrences import DAY_NAMES
from app.directory.validation import stable_id

REQUIRED = ("service_id", "service_name", "venue_name", "postcode", "day", "start_time",
            "end_time", "frequency")
# Every column the template understands, in the order of the downloadable template.
TEMPLATE_COLUMNS = (
    "service_id", "service_name", "organization", "category", "description", "venue_name",
    "address", "postcode", "lat", "lon", "day", "start_time", "end_time", "frequency",
    "cost_gbp", "cost_note", "min_age", "max_age", "step_free", "accepts_referrals",
    "contact_email", "contact_phone", "last_verified", "status", "categories_all",
    "activity_type", "drop_in", "accessible_toilet", "hearing_loop", "district", "lad24cd",
    "venue_is_fictional", "location_id", "rrule", "schedule_valid_from", "schedule_valid_to",
    "audiences", "referral_route", "what_to_bring", "capacity", "delivery_mode",
    "contact_name", "verified_by", "url", "dementia_friendly", "guide_dog_friendly",
    "accessibility")
_FREQ = {"weekly": ("WEEKLY", 1), "fortnightly": ("WEEKLY", 2), "monthly": ("MONTHLY", 1)}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
             "fourth": 4, "4th": 4, "last": -1}


def _schedule(v: Mapping[str, str]) -> dict[str, Any]:
    """Schedule fields from `rrule` when given, else from frequency + day ('first Tuesday')."""
    out: dict[str, Any] = {"opens_at": v.get("start_time"), "closes_at": v.get("end_time"),
                           "valid_from": v.get("schedule_valid_from") or None,
                           "valid_to": v.get("schedule_valid_to") or None}
    rrule = (v.get("rrule") or "").strip()
    if rrule:
        parts = dict(p.split("=", 1) for p in rrule.upper().split(";") if "=" in p)
        return out | {"freq": parts.get("FREQ"), "interval": parts.get("INTERVAL") or 1,
                      "byday": parts.get("BYDAY"), "bymonthday": parts.get("BYMONTHDAY")}
    freq, interval = _FREQ.get((v.get("frequency") or "").strip().lower(), (None, 1))
    if freq is None:
        freq = (v.get("frequency") or "").strip()  # validation names the bad value
    words = (v.get("day") or "").strip().lower().split()
    byday: str | None = (v.get("day") or "").strip()
    if words and words[-1] in DAY_NAMES:
        code = DAY_NAMES[words[-1]]
        ordinal = _ORDINALS.get(words[0]) if len(words) == 2 else None
        byday = f"{ordinal}{code}" if ordinal and freq == "MONTHLY" else code
    if re.fullmatch(r"\d{1,2}", (v.get("day") or "").strip()) and freq == "MONTHLY":
        return out | {"freq": freq, "interval": interval, "bymonthday": v["day"].strip()}
    return out | {"freq": freq, "interval": interval, "byday": byday}


def listing_of(rows: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """Build one raw listing from the rows (column -> text) that share a service_id."""
    v = rows[0]
    categories = [v.get("category", ""), *(v.get("categories_all") or "").split(";")]
    locations: OrderedDict[str, dict[str, Any]] = OrderedDict()
    schedules = []
    for r in rows:
        loc_id = (r.get("location_id") or "").strip() or stable_id(
            "loc", r.get("venue_name", "").strip().lower(), r.get("postcode", "").strip())
        locations.setdefault(loc_id, {
            "id": loc_id, "name": r.get("venue_name"), "address_1": r.get("address"),
            "postcode": r.get("postcode"), "lat": r.get("lat"), "lon": r.get("lon"),
            "lad_code": r.get("lad24cd") or None, "step_free": r.get("step_free"),
            "accessible_toilet": r.get("accessible_toilet"),
            "hearing_loop": r.get("hearing_loop"),
            "dementia_friendly": r.get("dementia_friendly"),
            "guide_dog_friendly": r.get("guide_dog_friendly"),
            "accessibility": r.get("accessibility") or None})
        schedules.append(_schedule(r) | {"location_id": loc_id})
    cost = (v.get("cost_gbp") or "").strip()
    return {
        "id": v.get("service_id"), "name": v.get("service_name"),
        "organization": v.get("organization") or None, "description": v.get("description"),
        "primary_category": None, "categories": [c for c in categories if c.strip()],
        "audiences": v.get("audiences"), "activity_type": v.get("activity_type"),
        "minimum_age": v.get("min_age"), "maximum_age": v.get("max_age"),
        "accepts_referrals": v.get("accepts_referrals"), "drop_in": v.get("drop_in"),
        "referral_route": v.get("referral_route"), "what_to_bring": v.get("what_to_bring"),
        "capacity": v.get("capacity"), "delivery_mode": v.get("delivery_mode") or None,
        "contact_name": v.get("contact_name"), "contact_email": v.get("contact_email"),
        "contact_phone": v.get("contact_phone"), "status": v.get("status"),
        "last_verified_at": v.get("last_verified"), "verified_by": v.get("verified_by"),
        "url": v.get("url"),
        "locations": list(locations.values()), "schedules": schedules,
        "cost_options": [] if not cost else [{
            "option": "Free" if _is_zero(cost) else "Per session", "amount": cost,
            "amount_description": v.get("cost_note") or None}],
    }


# Listing fields and the template column that carries each; absent columns keep stored values.
_FIELD_COLUMNS = {"audiences": "audiences", "referral_route": "referral_route",
                  "what_to_bring": "what_to_bring", "capacity": "capacity",
                  "delivery_mode": "delivery_mode", "contact_name": "contact_name",
                  "verified_by": "verified_by", "url": "url", "activity_type": "activity_type",
                  "drop_in": "drop_in", "description": "description"}
# The template never carries these; an ORUK import may have set them.
_ALWAYS_KEEP = frozenset({"oruk_extra", "email", "alert", "eligibility_criteria"})


def kept_fields(columns: list[str]) -> frozenset[str]:
    """Listing fields a CSV with these columns does not carry."""
    present = {c.strip().lower() for c in columns}
    return _ALWAYS_KEEP | {f for f, col in _FIELD_COLUMNS.items() if col not in present}


# Listing fields named in problems -> the template column a CSV author will recognise.
_COLUMN_OF = {"name": "service_name", "primary_category": "category",
              "categories": "categories_all", "minimum_age": "min_age",
              "maximum_age": "max_age", "last_verified_at": "last_verified",
              "organization.name": "organization", "opens_at": "start_time",
              "closes_at": "end_time", "byday": "day", "bymonthday": "day", "freq": "frequency",
              "interval": "frequency", "valid_from": "schedule_valid_from",
              "valid_to": "schedule_valid_to", "amount": "cost_gbp",
              "amount_description": "cost_note", "name@loc": "venue_name",
              "address_1": "address"}


def locator(lines: Sequence[int]) -> Callable[[str], tuple[int | None, str]]:
    """Map a problem's field path to (CSV line, column) for the rows (on `lines`) of one
    listing."""

    def where(field: str) -> tuple[int | None, str]:
        parts = field.split(".")
        line = lines[0]
        if parts[0] == "schedules" and len(parts) > 1 and parts[1].isdigit():
            line = lines[min(int(parts[1]), len(lines) - 1)]
        leaf = parts[-1]
        if parts[0] == "categories" and len(parts) == 1:
            return line, "category"
        if parts[0] == "locations" and leaf == "name":
            return line, "venue_name"
        return line, _COLUMN_OF.get(leaf, _COLUMN_OF.get(field, leaf))

    return where


def _is_zero(raw: str) -> bool:
    try:
        return float(raw) == 0
    except ValueError:
        return False


# The writer: API listing -> template rows.
_ORDINAL_WORDS = {"1": "first", "2": "second", "3": "third", "4": "fourth", "5": "fifth",
                  "-1": "last"}
_DAY_WORDS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
              "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}


def _day_words(byday: str | None) -> str:
    """'WE' -> 'Wednesday', '-1FR' -> 'last Friday' (the template's day column)."""
    words = []
    for part in (byday or "").split(","):
        code, ordinal = part[-2:], part[:-2]
        if code in _DAY_WORDS:
            prefix = _ORDINAL_WORDS.get(ordinal, ordinal)
            words.append(f"{prefix} {_DAY_WORDS[code]}".strip())
    return ", ".join(words)


def template_rows(a: dict[str, Any]) -> list[dict[str, Any]]:
    """The template rows of one listing as the API returns it (one per schedule)."""
    locs = {loc["id"]: loc for loc in a["locations"]}
    cost = a["costs"][0] if a["costs"] else {}
    base = {
        "service_id": a["id"], "service_name": a["name"],
        "organization": (a.get("organization") or {}).get("name"),
        "category": a.get("primary_category"), "description": a.get("description"),
        "cost_gbp": cost.get("amount"), "cost_note": cost.get("amount_description"),
        "min_age": a.get("minimum_age"), "max_age": a.get("maximum_age"),
        "accepts_referrals": a.get("accepts_referrals"), "contact_email": a.get("contact_email"),
        "contact_phone": a.get("contact_phone"), "contact_name": a.get("contact_name"),
        "last_verified": (a.get("last_verified_at") or "")[:10], "status": a.get("status"),
        "categories_all": ";".join(a.get("categories") or []),
        "audiences": ";".join(a.get("audiences") or []), "activity_type": a.get("activity_type"),
        "drop_in": a.get("drop_in"), "referral_route": a.get("referral_route"),
        "what_to_bring": a.get("what_to_bring"), "capacity": a.get("capacity"),
        "delivery_mode": a.get("delivery_mode"), "verified_by": a.get("verified_by"),
        "url": a.get("url")}
    out = []
    for s in a["schedules"] or [{}]:
        loc = locs.get(s.get("location_id") or "") or (a["locations"] or [{}])[0]
        rrule = (f"FREQ={s['freq']};INTERVAL={s.get('interval') or 1}"
                 + (f";BYDAY={s['byday']}" if s.get("byday") else "")
                 + (f";BYMONTHDAY={s['bymonthday']}" if s.get("bymonthday") else "")
                 ) if s.get("freq") else ""
        out.append(base | {
            "venue_name": loc.get("name"), "address": loc.get("address_1"),
            "postcode": loc.get("postcode"), "lat": loc.get("lat"), "lon": loc.get("lon"),
            "step_free": loc.get("step_free"), "accessible_toilet": loc.get("accessible_toilet"),
            "hearing_loop": loc.get("hearing_loop"), "district": loc.get("district"),
            "dementia_friendly": loc.get("dementia_friendly"),
            "guide_dog_friendly": loc.get("guide_dog_friendly"),
            "lad24cd": loc.get("lad_code"), "location_id": loc.get("id"),
            "day": _day_words(s.get("byday")), "start_time": s.get("opens_at"),
            "end_time": s.get("closes_at"),
            "frequency": ("fortnightly" if s.get("interval") == 2 else "weekly")
            if s.get("freq") == "WEEKLY" else ("monthly" if s.get("freq") else ""),
            "rrule": rrule, "schedule_valid_from": s.get("valid_from"),
            "schedule_valid_to": s.get("valid_to")})
    return out

def write_template(activities: Iterable[dict[str, Any]]) -> str:
    """CSV text of listings (as the API returns them) in the template layout."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(TEMPLATE_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for a in activities:
        for line in template_rows(a):
            writer.writerow({k: _csv_safe(v) for k, v in line.items()})
    return buf.getvalue()


def _csv_safe(value: Any) -> Any:
    # Spreadsheet formula injection: a cell starting with = + - @ is shown, not evaluated.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
