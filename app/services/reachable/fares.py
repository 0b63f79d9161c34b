"""The finder's fares: one cached fare model per process, and a row's fares and cost check.

The fare model itself is pure (`app.fares`); this module only loads it for the loaded
timetables and applies it to the engine's journeys for one session.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, text

from app.errors import DataNotLoaded, InvalidInput
from app.fares import (
    NO_PASS,
    BusPass,
    CostCheck,
    EngineLeg,
    FareLeg,
    FareModel,
    FaresDataError,
    FeedFares,
    RoundTripFare,
    check_cost_cap,
    fare_legs_from_engine,
    feed_fares_from_routes,
    handout_fare_line,
    load_feed_fares,
    option_text,
    service_time,
)
from app.routing.journey import Journey
from app.services.reachable.evaluate import clock
from app.settings import get_settings

_LOCK = threading.Lock()
_CACHE: dict[tuple[object, ...], FareModel] = {}

_FEEDS = text("SELECT id, name, sha256, source_file FROM gtfs_feed ORDER BY name")
_ROUTES = text("SELECT route_id, agency_id, route_type, route_short_name FROM gtfs_route "
               "WHERE feed_id = :f")
_TRIPS = text("SELECT trip_id, route_id FROM gtfs_trip WHERE feed_id = :f")


@dataclass(frozen=True)
class FareParams:
    """The client's pass and cost limit, as the finder applies them to every row."""

    holder: BusPass = NO_PASS
    limit_pence: int | None = None  # activity plus fares there and back, per visit
    prefer: str = "earliest"  # "earliest" or "free": which option a row shows first
    model: FareModel | None = None  # the fare model already loaded for this request


def _feed_fares(conn: Connection, feed_id: int, name: str, source: str) -> FeedFares:
    """The feed's own fares from its GTFS file when it is still there, else its routes."""
    path = Path(source) if source else None
    if path is not None and path.exists():
        try:
            return load_feed_fares(path, name)
        except FaresDataError:
            raise
        except (OSError, ValueError):
            pass  # the file changed or went: fall back to the routes, priced at the cap
    routes = conn.execute(_ROUTES, {"f": feed_id}).all()
    trips = conn.execute(_TRIPS, {"f": feed_id}).all()
    return feed_fares_from_routes(name, [(r[0], r[1], int(r[2]), r[3] or "") for r in routes],
                                  [(t[0], t[1]) for t in trips])


def fare_model(conn: Connection) -> FareModel:
    """The fare model for the loaded timetables (cached per feed version and settings)."""
    s = get_settings()
    feeds = conn.execute(_FEEDS).all()
    key = (s.fare_policy_file, s.bank_holidays_file, tuple((f[1], f[2]) for f in feeds))
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    try:
        model = FareModel.from_files(s.fare_policy_file or None, s.bank_holidays_file or None,
                                     [_feed_fares(conn, f[0], f[1], f[3]) for f in feeds])
    except FaresDataError as exc:
        raise DataNotLoaded(f"the fare rules could not be read: {exc}") from None
    with _LOCK:
        _CACHE.clear()  # only the current feeds' model is kept
        _CACHE[key] = model
    return model


def bus_pass(model: FareModel, kind: str, issuer: str | None, lad_code: str | None) -> BusPass:
    """The client's pass; the issuer defaults to the authority for the home district."""
    if kind == "none":
        return NO_PASS
    if issuer is not None:
        if issuer not in model.policy.authorities:
            raise InvalidInput(f"unknown bus pass issuer {issuer!r}; use one of "
                               f"{', '.join(sorted(model.policy.authorities))}",
                               field="bus_pass_issuer")
        return BusPass(kind, issuer)  # type: ignore[arg-type]
    found = model.policy.authority_for_lad(lad_code) if lad_code else None
    return BusPass(kind, found.id if found else None)  # type: ignore[arg-type]


def fare_legs(model: FareModel, day: dt.date, j: Journey | None) -> list[FareLeg]:
    """The fare model's legs for an engine journey (None: no journey, no legs)."""
    if j is None:
        return []
    # The engine's legs have the shape EngineLeg describes (frozen places, hence the cast).
    return fare_legs_from_engine(cast(list[EngineLeg], j.legs), day, model.feeds)


def price(model: FareModel, day: dt.date, there: Journey, back: Journey | None,
          holder: BusPass) -> RoundTripFare:
    """Fares there and back (no way back: priced as a walk, i.e. nothing)."""
    return model.price_round_trip(fare_legs(model, day, there), fare_legs(model, day, back),
                                  holder)


def cost_check(activity_gbp: float | None, trip: RoundTripFare,
               limit_pence: int) -> CostCheck:
    """The visit's cost (activity plus fares there and back) against the client's limit."""
    pence = None if activity_gbp is None else round(activity_gbp * 100)
    rides = trip.there.n_buses + trip.back.n_buses
    return check_cost_cap(pence, trip if rides else None, limit_pence)


def fare_text(trip: RoundTripFare) -> str:
    """The row's fare in words, saying when the price is the cap rather than the fare."""
    words = trip.describe()
    return f"{words} (fare cap)" if trip.upper_bound else words


def fare_fields(trip: RoundTripFare) -> dict[str, Any]:
    """The row's fare fields from the priced round trip."""
    fields = trip.as_dict()
    fields["fare_text"] = fare_text(trip)
    return fields


def row_fares(model: FareModel, day: dt.date, there: Journey | None, back: Journey | None,
              free_there: Journey | None, start_s: int, activity_gbp: float | None,
              fp: FareParams, free_outbound: Any) -> dict[str, Any]:
    """The fare, free-option and cost fields of one row (empty when there is no way there).

    `free_outbound` is the free way there already in response form (schema.Journey).
    """
    if there is None:
        return {}
    trip = price(model, day, there, back, fp.holder)
    fields = fare_fields(trip)
    free_trip = None
    if free_there is not None:
        free_trip = price(model, day, free_there, back, fp.holder)
        board = next(leg.depart_s for leg in free_there.legs if leg.mode == "bus")
        fields["free_option"] = {
            "text": option_text(free_trip.there, service_time(day, free_there.depart_s),
                                service_time(day, free_there.arrive_s)),
            "leave_home_time": clock(free_there.depart_s), "first_bus_time": clock(board),
            "arrive_time": clock(free_there.arrive_s),
            # In the clock minutes shown (arrive 10:04 for 10:00 is 4 min late).
            "minutes_late": max(0, free_there.arrive_s // 60 - start_s // 60),
            "outbound": free_outbound, "fare_out_pence": 0,
            "fare_total_pence": free_trip.total_pence, "fare_text": fare_text(free_trip)}
        if fp.prefer == "free":
            fields["preferred_option"] = "free"
    fields["handout_fare_line"] = handout_fare_line(trip, free_trip)
    if back is None:
        # No way home: the model prices a missing journey like a walk ("no bus fare"), which
        # would read as "walk back" to a client who cannot get back at all.
        there_words = trip.there.describe()
        cap = " (fare cap)" if trip.there.upper_bound else ""
        fields["fare_text"] = f"{there_words} there{cap}; no bus back in time"
        fields["handout_fare_line"] = f"Bus fare: {there_words} there; there is no bus back in time"
    if fp.limit_pence is None:
        return fields
    paid = cost_check(activity_gbp, trip, fp.limit_pence)
    fields.update(paid.as_dict())
    if free_trip is not None:
        free = cost_check(activity_gbp, free_trip, fp.limit_pence)
        fields["free_option"].update(cost_within_limit=free.within, cost_reason=free.reason)
        if paid.within is False and free.within:
            # The pass rescues the visit: the row stays, on the free way there.
            catch = fields["free_option"]["first_bus_time"]
            fields.update(free.as_dict())
            fields["cost_reason"] = f"{free.reason} if you catch the {catch}"
    return fields
