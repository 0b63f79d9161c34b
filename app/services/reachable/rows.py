"""Turn a directory session plus its evaluated round trip into a response row."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any, Literal
from zoneinfo import ZoneInfo

from app.directory.occurrences import DatedSession
from app.routing.journey import Journey as EngineJourney
from app.schemas.reachable import (
    Activity,
    Contact,
    Cost,
    Journey,
    LastBus,
    Leg,
    Row,
    Venue,
)
from app.services.reachable.evaluate import HOME, Outcome, clock
from app.services.reachable.listing import Extras

LONDON = ZoneInfo("Europe/London")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def journey_out(j: EngineJourney, venue_name: str,
                agencies: Mapping[str, str] | None = None) -> Journey:
    """An engine journey as response legs; the home end is named 'home', never located."""
    legs = []
    for leg in j.legs:
        start = "home" if leg.start.stop_id is None and leg.start.name == HOME else (
            leg.start.name if leg.start.stop_id else venue_name)
        end = "home" if leg.end.stop_id is None and leg.end.name == HOME else (
            leg.end.name if leg.end.stop_id else venue_name)
        bus = leg.mode == "bus"
        legs.append(Leg(
            mode=leg.mode, from_name=start, to_name=end, depart_time=clock(leg.depart_s),
            arrive_time=clock(leg.arrive_s),
            minutes=math.ceil((leg.arrive_s - leg.depart_s) / 60),
            distance_m=None if bus else round(leg.walk_m),
            route=(leg.route_short_name or None) if bus else None,
            headsign=(leg.headsign or None) if bus else None,
            agency=(agencies or {}).get(leg.route_id) if bus else None,
            stops=leg.stops if bus else None,
            from_stop_code=leg.start.stop_id, to_stop_code=leg.end.stop_id))
    return Journey(depart_time=clock(j.depart_s), arrive_time=clock(j.arrive_s),
                   minutes=math.ceil((j.arrive_s - j.depart_s) / 60), buses=j.n_buses,
                   walk_m=round(j.walk_m), legs=legs)


def last_bus(o: Outcome, start_s: int | None = None, end_s: int | None = None,
             agencies: Mapping[str, str] | None = None) -> LastBus | None:
    """The latest time to leave the venue and still get home in the hours (None: walkable).

    When that time is before the session starts (or ends), the note says so.
    """
    if o.walkable or o.last_departure_s is None:
        return None
    leave = o.last_departure_s
    when: Literal["starts", "ends"] | None = None
    if start_s is not None and leave < start_s:
        when = "starts"
    elif end_s is not None and leave < end_s:
        when = "ends"
    j = o.last_way_home
    bus = next((leg for leg in j.legs if leg.mode == "bus"), None) if j is not None else None
    note = None
    if when is not None:
        what = f", {bus.route_short_name or 'the bus'} at {clock(bus.depart_s)}," \
            if bus is not None else ""
        note = (f"the last bus home{what} means leaving the venue by {clock(leave)}, before "
                f"the session {when}")
    if j is None or bus is None:
        return LastBus(leave_venue_by=clock(leave), before_session=when, note=note)
    return LastBus(leave_venue_by=clock(leave), route=bus.route_short_name or None,
                   agency=(agencies or {}).get(bus.route_id), stop_name=bus.start.name,
                   bus_depart_time=clock(bus.depart_s), home_by=clock(j.arrive_s),
                   before_session=when, note=note)


def _str(v: Any) -> str | None:
    return None if v is None or v == "" else str(v)


def _full_stop(t: str) -> str:
    return t if t.endswith((".", "!", "?")) else t + "."


def _bool(v: Any) -> bool | None:
    return None if v is None else bool(v)


def _float(v: Any) -> float | None:
    return None if v is None else float(v)


def _date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.astimezone(LONDON).date()
    return v if isinstance(v, dt.date) else None


_PRICE = re.compile(r"^(?P<option>.*?)\s*£(?P<amount>\d+(?:\.\d+)?)\s*(?P<desc>.*)$")


def _price_text(part: str) -> str:
    """'Per session £2.50 per session, tea included' -> '£2.50 per session, tea included'."""
    m = _PRICE.match(part.strip())
    if m is None:
        return part.strip()
    amount = f"£{float(m['amount']):.2f}"
    if m["desc"]:
        return f"{amount} {m['desc']}"
    return f"{m['option']} {amount}".strip()


def cost_note(raw: str | None, free: bool) -> str | None:
    """Tidy the directory's price text ('Free £0.00 free, confidential' -> 'confidential')."""
    if raw is None:
        return None
    if not free:
        return "; ".join(_price_text(part) for part in raw.split("; "))
    text = re.sub(r"£0(\.00)?", " ", raw)
    words = [w for w in re.split(r"[\s,;]+", text) if w and w.lower() != "free"]
    return " ".join(words) or None


def activity_of(s: DatedSession, extras: Extras) -> Activity:
    """The listing fields a link worker needs for the plan and the printout."""
    d = s.details
    free = d.get("free")
    svc = extras.services.get(s.activity_id, {})
    sched = extras.schedules.get(s.schedule_id, {})
    join = [t for t in (_str(sched.get("attending_type")), _str(svc.get("referral_route")),
                        _str(sched.get("notes"))) if t]
    return Activity(
        id=s.activity_id, name=str(d.get("activity_name") or "Activity"),
        organisation=_str(d.get("organization")),
        category=_str(svc.get("primary_category")),
        categories=list(svc.get("categories") or []),
        audience=list(svc.get("audiences") or []),
        description=_str(svc.get("description")),
        how_to_join=" ".join(_full_stop(t) for t in dict.fromkeys(join)) or None,
        cost=Cost(free=_bool(free), amount_gbp=0.0 if free else _float(d.get("min_cost")),
                  note=cost_note(_str(d.get("cost_description")), bool(free))),
        contact=Contact(phone=_str(d.get("contact_phone")), email=_str(d.get("contact_email")),
                        url=_str(svc.get("url"))),
        what_to_bring=_str(d.get("what_to_bring")),
        drop_in=_bool(d.get("drop_in")),
        accepts_referrals=_bool(d.get("accepts_referrals")),
        stale=_bool(d.get("stale")),
        reported_closed=_bool(d.get("reported_closed")),
        last_verified=_date(svc.get("last_verified_at")),
    )


def venue_of(s: DatedSession, extras: Extras) -> Venue:
    """Where the session is held."""
    d = s.details
    access = extras.venues.get(s.location_id or "", {}).get("accessibility_notes")
    name = str(d.get("venue_name") or "Venue")
    # The first address line is often the venue's own name; do not say it twice.
    parts = [p for p in (d.get("address_1"), d.get("city")) if p and p != name]
    address = ", ".join(str(p) for p in parts)
    return Venue(id=s.location_id, name=name, address=address or None,
                 town=_str(d.get("city")), postcode=_str(d.get("postcode")),
                 lat=s.lat, lon=s.lon, step_free=_bool(d.get("step_free")),
                 accessibility=_str(access))


def _seconds(t: dt.time | None) -> int | None:
    return None if t is None else t.hour * 3600 + t.minute * 60 + t.second


def make_row(s: DatedSession, o: Outcome, extras: Extras, *, distance_m: float | None = None,
             agencies: Mapping[str, str] | None = None) -> Row:
    """One response row: session, plans, last bus home and totals."""
    venue = venue_of(s, extras)
    reached = o.status != "unreachable"
    out = journey_out(o.outbound, venue.name, agencies) if o.outbound is not None else None
    back = journey_out(o.ret, venue.name, agencies) if o.ret is not None else None
    both = out is not None and back is not None and reached
    nxt = o.next_way_home if reached and back is not None else None
    return Row(
        id=f"{s.activity_id}:{s.schedule_id}:{s.date.isoformat()}",
        activity=activity_of(s, extras), venue=venue, date=s.date,
        weekday=_WEEKDAYS[s.date.weekday()],
        schedule=extras.schedules.get(s.schedule_id, {}).get("pattern"),
        start_time=s.start.strftime("%H:%M") if s.start else "",
        end_time=s.end.strftime("%H:%M") if s.end else "",
        distance_km=None if distance_m is None else round(distance_m / 1000, 1),
        feasibility=o.status,
        reason=o.reason,
        leave_home_by=out.depart_time if out is not None and reached else None,
        outbound=out,
        home_by=back.arrive_time if back is not None else None,
        return_=back,
        next_way_home=journey_out(nxt, venue.name, agencies) if nxt is not None else None,
        last_bus_home=last_bus(o, _seconds(s.start), _seconds(s.end), agencies),
        reason_code=o.code,
        travel_minutes=(out.minutes + back.minutes) if both and out and back else
        (out.minutes if out is not None and reached else None),
        travel_basis="round_trip" if both else ("one_way" if out is not None and reached
                                                else None),
        buses=max(out.buses, back.buses) if out and back else (out.buses if out else None),
        walk_m=(out.walk_m + back.walk_m) if out and back else (out.walk_m if out else None),
    )
