"""What the fare model is given: a journey's legs, the client's pass, and GTFS clock times."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal, Protocol
from zoneinfo import ZoneInfo

from app.fares.policy import PASS_KINDS, PassKind

if TYPE_CHECKING:
    from app.fares.gtfs_fares import FeedFares

__all__ = [
    "NO_PASS",
    "BusPass",
    "EngineLeg",
    "FareLeg",
    "fare_legs_from_engine",
    "service_time",
]


@dataclass(frozen=True)
class BusPass:
    """The client's bus pass: its kind and (optionally) the authority that issued it.

    kind "companion" is a disabled person's pass with a companion entitlement ("C+").
    issued_by is an [[authority]] id of the policy ("nottinghamshire"); None = not known,
    so only the national concession (ENCTS) is assumed.
    """

    kind: PassKind = "none"
    issued_by: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in PASS_KINDS:
            raise ValueError(f"pass kind {self.kind!r} is not one of {', '.join(PASS_KINDS)}")

    @property
    def holds_pass(self) -> bool:
        """Whether the client holds any bus pass."""
        return self.kind != "none"


NO_PASS = BusPass()


@dataclass(frozen=True)
class FareLeg:
    """One leg of a journey as the fare model sees it.

    boarding is the local wall-clock time the leg starts (naive, in the policy's time
    zone); for GTFS times use `service_time(service_date, seconds)`.
    """

    mode: Literal["walk", "bus"]
    boarding: datetime
    route_id: str = ""
    route_type: int = 3
    agency_id: str = ""
    board_stop_id: str = ""
    alight_stop_id: str = ""
    trip_id: str = ""
    feed: str = ""  # name of the feed whose own fares apply ("" = none)
    label: str = ""  # how to name the bus in messages ("the D1")
    alighting: datetime | None = None

    def __post_init__(self) -> None:
        if self.mode not in ("walk", "bus"):
            raise ValueError(f"leg mode {self.mode!r} is not 'walk' or 'bus'")
        if self.boarding.tzinfo is not None:
            raise ValueError("boarding must be a naive local time (use service_time())")

    @property
    def name(self) -> str:
        """The leg's bus for messages: its label, else its route id."""
        return self.label or (f"route {self.route_id}" if self.route_id else "this bus")


def service_time(service_date: date, seconds: int, tz: str = "Europe/London") -> datetime:
    """Local wall-clock time of a GTFS time (seconds from "noon minus 12h" of the service day).

    Handles times past 24:00 (a 25:10 trip on Friday's service boards on Saturday at 01:10)
    and the two daylight-saving change days, as the GTFS reference defines.
    """
    zone = ZoneInfo(tz)
    noon = datetime.combine(service_date, time(12), tzinfo=zone).astimezone(UTC)
    return (noon - timedelta(hours=12) + timedelta(seconds=seconds)).astimezone(zone).replace(
        tzinfo=None)


class _Stop(Protocol):
    stop_id: str | None


class EngineLeg(Protocol):
    """The shape of a routing-engine leg (app.routing.journey.Leg), without importing it."""

    mode: str
    depart_s: int
    arrive_s: int
    trip_id: str
    route_short_name: str

    @property
    def start(self) -> _Stop: ...

    @property
    def end(self) -> _Stop: ...


def fare_legs_from_engine(legs: Iterable[EngineLeg], service_date: date,
                          feeds: Mapping[str, FeedFares], tz: str = "Europe/London"
                          ) -> list[FareLeg]:
    """Fare legs from engine legs whose trip ids are "feed:trip_id" (the timetable's form).

    Route, operator and route type come from the named feed's routes and trips; a bus leg
    whose feed is not in `feeds` keeps route type 3 (bus) and no operator.
    """
    out: list[FareLeg] = []
    for leg in legs:
        boarding = service_time(service_date, int(leg.depart_s), tz)
        alighting = service_time(service_date, int(leg.arrive_s), tz)
        if leg.mode != "bus":
            out.append(FareLeg("walk", boarding, alighting=alighting))
            continue
        feed_name, _, trip = str(leg.trip_id).partition(":")
        if not trip:
            feed_name, trip = "", feed_name
        board = leg.start.stop_id or ""
        alight = leg.end.stop_id or ""
        label = f"the {leg.route_short_name}" if leg.route_short_name else ""
        feed = feeds.get(feed_name)
        if feed is not None:
            out.append(feed.fare_leg(trip, board, alight, boarding, alighting, label=label))
        else:
            out.append(FareLeg("bus", boarding, board_stop_id=board, alight_stop_id=alight,
                               trip_id=trip, label=label, alighting=alighting))
    return out
