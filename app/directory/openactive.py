"""Map OpenActive (Modelling Opportunity Data 2.0) session data onto our listing shape; pure.

Handles SessionSeries items (with `eventSchedule`) and ScheduledSession items that embed their
`superEvent`; the listing id is made from the feed's own @id by the caller.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from app.directory import access

_DAY = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
        "friday": "FR", "saturday": "SA", "sunday": "SU"}
_FREQ = re.compile(r"^P(\d+)([WM])$")


def _day(raw: Any) -> str | None:
    name = str(raw or "").rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
    return _DAY.get(name)


def _label(raw: Any) -> str:
    if isinstance(raw, dict):
        return str(raw.get("prefLabel") or raw.get("name") or "")
    return str(raw or "")


def _identifiers(org: dict[str, Any]) -> list[dict[str, str]]:
    """org-id.guide identifiers such as 'GB-CHC-1234567' or PropertyValue objects."""
    raw = org.get("identifier")
    items = raw if isinstance(raw, list) else [raw] if raw else []
    out = []
    for item in items:
        value = item.get("value") if isinstance(item, dict) else item
        prefix = item.get("propertyID") if isinstance(item, dict) else None
        text = f"{prefix}-{value}" if prefix and value else str(value or "")
        m = re.match(r"^(GB-[A-Z]{3})-(.+)$", text.strip())
        if m:
            out.append({"identifier_scheme": m.group(1), "identifier": m.group(2),
                        "identifier_type": m.group(1)})
    return out


def _place(loc: dict[str, Any]) -> dict[str, Any]:
    found = loc.get("address")
    addr: dict[str, Any] = found if isinstance(found, dict) else {}
    geo = loc.get("geo") or {}
    features = [_label(a) for a in loc.get("amenityFeature") or []
                if not isinstance(a, dict) or a.get("value", True)]
    features += [_label(a) for a in loc.get("accessibilitySupport") or []]
    known = {f.column: True for x in features if (f := access.feature_of(x)) is not None}
    return {"id": str(loc.get("@id") or loc.get("id") or "") or None,
            "name": loc.get("name") or addr.get("streetAddress"),
            "address_1": addr.get("streetAddress"), "city": addr.get("addressLocality"),
            "postcode": addr.get("postalCode"), "lat": geo.get("latitude"),
            "lon": geo.get("longitude"), **known}


def _schedules(series: dict[str, Any], session: dict[str, Any] | None
               ) -> list[dict[str, Any]]:
    out = []
    for sch in series.get("eventSchedule") or []:
        m = _FREQ.match(str(sch.get("repeatFrequency") or "P1W"))
        every, unit = (int(m.group(1)), m.group(2)) if m else (1, "W")
        days = [d for d in (_day(x) for x in sch.get("byDay") or []) if d]
        out.append({"freq": "WEEKLY" if unit == "W" else "MONTHLY", "interval": every,
                    "byday": ",".join(days) or None, "opens_at": sch.get("startTime"),
                    "closes_at": sch.get("endTime"),
                    "valid_from": str(sch.get("startDate") or "")[:10] or None,
                    "valid_to": str(sch.get("endDate") or "")[:10] or None})
    if session and session.get("startDate"):
        start = datetime.fromisoformat(str(session["startDate"]).replace("Z", "+00:00"))
        end = (datetime.fromisoformat(str(session["endDate"]).replace("Z", "+00:00"))
               if session.get("endDate") else None)
        day = start.date().isoformat()
        out.append({"freq": "WEEKLY", "interval": 1,
                    "byday": list(_DAY.values())[start.weekday()], "valid_from": day,
                    "valid_to": day, "opens_at": start.strftime("%H:%M"),
                    "closes_at": end.strftime("%H:%M") if end else None})
    return out


def listing_from_openactive(data: dict[str, Any]) -> dict[str, Any]:
    """A raw listing from one RPDE item's `data` (SessionSeries or ScheduledSession)."""
    kind = str(data.get("@type") or data.get("type") or "")
    session = data if kind == "ScheduledSession" else None
    parent = data.get("superEvent")
    series: dict[str, Any] = parent if session and isinstance(parent, dict) else data
    org = series.get("organizer") or series.get("provider") or {}
    loc = series.get("location") or (session or {}).get("location") or {}
    offers = series.get("offers") or []
    ages = series.get("ageRange") or {}
    return {
        "name": series.get("name"), "description": series.get("description"),
        "url": series.get("url"), "status": "active",
        "organization": None if not org.get("name") else {
            "id": str(org.get("@id") or org.get("id") or "") or None, "name": org["name"],
            "website": org.get("url"), "email": org.get("email"),
            "identifiers": _identifiers(org)},
        "categories": ["physical-activity"],
        "activity_type": "-".join(_label((series.get("activity") or [None])[0]).lower()
                                  .split()) or None,
        "minimum_age": ages.get("minValue"), "maximum_age": ages.get("maxValue"),
        "locations": [_place(loc)] if loc else [],
        "schedules": _schedules(series, session),
        "cost_options": [{"option": o.get("name") or "Per session", "amount": o.get("price")}
                         for o in offers if isinstance(o, dict) and o.get("price") is not None],
        "contact_email": org.get("email"),
    }
