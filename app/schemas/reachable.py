"""Request and response models of POST /api/reachable-activities (pydantic, documented)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

from app.routing.walk import DEFAULT_SPEED_KMH, SLOW_SPEED_KMH

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAY_CODES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Feasibility = Literal["feasible", "outbound_only", "unreachable"]
REASON_CODES = {
    "no_bus_there": "no journey arrives in time",
    "too_many_buses_there": "getting there needs more buses than allowed",
    "too_long_there": "getting there takes longer than the limit",
    "before_hours": "would have to leave home before the client's hours",
    "no_bus_back": "no journey home after the session (last bus gone)",
    "too_many_buses_back": "getting home needs more buses than allowed",
    "too_long_back": "getting home takes longer than the limit",
    "home_too_late": "would get home after the client's hours",
    "over_cost_limit": "the activity plus the fares there and back cost more than the limit",
}
PassKindField = Literal["none", "older", "disabled", "companion"]

# Dates outside these bounds cannot be in any timetable and would overflow date arithmetic.
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)
SearchDate = Annotated[dt.date, Field(ge=FIRST_DATE, le=LAST_DATE)]



class Origin(BaseModel):
    """Where the client starts: a full postcode, an outward code, or a lat/lon point."""

    model_config = ConfigDict(extra="forbid")

    postcode: str | None = Field(None, max_length=10, description="Full postcode (NG18 1AA) or "
                                 "outward code (NG18); sent only in this body, never logged.")
    outward: str | None = Field(None, max_length=4, description="Outward code alone, e.g. NG18.")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)

    @model_validator(mode="after")
    def _exactly_one(self) -> Origin:
        given = [self.postcode is not None and self.postcode.strip() != "",
                 self.outward is not None and self.outward.strip() != "",
                 self.lat is not None or self.lon is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of postcode, outward, or lat and lon")
        if given[2] and (self.lat is None or self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self


class Filters(BaseModel):
    """Directory filters; every given filter must match (lists match any of their values)."""

    model_config = ConfigDict(extra="forbid")

    category: list[str] = Field(default_factory=list, max_length=20)
    audience: list[str] = Field(default_factory=list, max_length=20)
    age: int | None = Field(None, ge=0, le=120, description="Client's age: excludes sessions "
                            "whose age limits exclude them.")
    free_only: bool = False
    max_cost_gbp: float | None = Field(None, ge=0)
    step_free: bool = False
    accepts_referrals: bool = False
    drop_in: bool = False


class ReachableRequest(BaseModel):
    """The finder query. Dates default to the next 7 days starting today (Europe/London)."""

    model_config = ConfigDict(extra="forbid")

    origin: Origin
    date_from: SearchDate | None = Field(None, description="First date (default today).")
    date_to: SearchDate | None = Field(None, description="Last date (default date_from + 6).")
    dates: list[SearchDate] | None = Field(None, max_length=31,
                                           description="Specific dates instead of a range.")
    days: list[Weekday] | None = Field(None, description="Only these weekdays (mon..sun).")
    hours_from: dt.time = Field(dt.time(9, 0), description="Earliest time to leave home.")
    hours_to: dt.time = Field(dt.time(17, 0), description="Latest time to be back home.")
    mode: Literal["walk", "walk+bus"] = "walk+bus"
    max_minutes: int = Field(45, ge=5, le=120, description="Longest journey each way.")
    max_buses: int = Field(2, ge=0, le=3, description="Most buses each way.")
    walk_speed: Literal["normal", "slow"] | float = Field(
        "normal", description=f"normal ({DEFAULT_SPEED_KMH} km/h), slow ({SLOW_SPEED_KMH} km/h)"
                              " or km/h as a number.")
    max_walk_m: int = Field(800, ge=0, le=3000, description="Longest walk to or from a stop.")
    wheelchair: bool = Field(False, description="Accessible trips and stops, step-free venues.")
    filters: Filters = Field(default_factory=Filters)
    arrival_buffer_min: int = Field(5, ge=0, le=60, description="Arrive this early.")
    return_buffer_min: int = Field(5, ge=0, le=120, description="Leave this long after the end.")
    bus_pass: PassKindField = Field(
        "none", description="The client's bus pass: none, older (older person's), disabled "
        "(disabled person's) or companion (disabled person's pass with a companion, C+).")
    bus_pass_issuer: str | None = Field(
        None, max_length=60, description="Travel concession authority that issued the pass "
        "(a fare policy authority id, e.g. nottinghamshire); default: the one for the "
        "client's home district.")
    max_visit_cost_gbp: float | None = Field(
        None, ge=0, le=1000, description="Most the client can spend per visit: the "
        "activity's price plus the bus fares there and back. Fares without a price in the "
        "timetable count at the fare cap (the most they can cost).")
    fare_preference: Literal["earliest", "free"] = Field(
        "earliest", description="With a bus pass that is valid only from 09:30: earliest "
        "(the way there that arrives on time first) or free (the way the pass makes free "
        "first, and rows sorted by cost).")

    @field_validator("walk_speed")
    @classmethod
    def _speed(cls, v: str | float) -> str | float:
        if isinstance(v, float | int) and not 1.5 <= float(v) <= 7.0:
            raise ValueError("walking speed must be between 1.5 and 7 km/h")
        return v

    @field_validator("date_to")
    @classmethod
    def _range(cls, v: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("date_from")
        if v is not None and start is not None and v < start:
            raise ValueError("date_to is before date_from")
        return v

    @field_validator("hours_from", "hours_to")
    @classmethod
    def _hours(cls, v: dt.time, info: ValidationInfo) -> dt.time:
        # "17:00Z" or "17:00+01:00": the timetable runs on UK local time, and an offset's
        # meaning changes with the date (GMT/BST), so only plain clock times are accepted.
        if v.tzinfo is not None:
            raise ValueError("give a UK local clock time such as 17:00, without a time zone "
                             "or offset")
        start = info.data.get("hours_from")
        if info.field_name == "hours_to" and start is not None and v <= start:
            raise ValueError("hours_to must be after hours_from")
        return v

    @property
    def speed_kmh(self) -> float:
        """The walking speed in km/h."""
        if self.walk_speed == "slow":
            return SLOW_SPEED_KMH
        if self.walk_speed == "normal":
            return DEFAULT_SPEED_KMH
        return float(self.walk_speed)

    @property
    def bus_limit(self) -> int:
        """Buses allowed each way: none when walking only."""
        return 0 if self.mode == "walk" else self.max_buses


# ---------------------------------------------------------------- response


def _deprecated(new: str) -> dict[str, Any]:
    """Keyword arguments of a deprecated response name kept for one release."""
    return {"description": f"Deprecated: use `{new}`; this name is removed in the next "
                           "release.", "json_schema_extra": {"deprecated": True}}


class OriginArea(BaseModel):
    """The client's area at outward-code level: safe to draw, never the exact point."""

    outward: str
    lat: float
    lon: float
    radius_m: int
    district: str | None = None
    approximate: bool = Field(False, description="True when only an outward code (e.g. NG18) "
                              "was given: journeys start from the district's centre, so walks "
                              "and times are approximate.")


class _Timed(BaseModel):
    """Something that departs and arrives: a journey or one of its legs."""

    depart_time: str = Field(description="HH:MM: leave the start.")
    arrive_time: str = Field(description="HH:MM: reach the end.")

    @computed_field(**_deprecated("depart_time"))  # type: ignore[prop-decorator]
    @property
    def depart(self) -> str:
        """Old name of depart_time."""
        return self.depart_time

    @computed_field(**_deprecated("arrive_time"))  # type: ignore[prop-decorator]
    @property
    def arrive(self) -> str:
        """Old name of arrive_time."""
        return self.arrive_time


class Leg(_Timed):
    """One leg of a journey: a walk, or one bus ride."""

    mode: Literal["walk", "bus"]
    from_name: str
    to_name: str
    minutes: int
    distance_m: int | None = Field(None, description="Walking metres (walk legs).")
    route: str | None = None
    headsign: str | None = None
    agency: str | None = Field(None, description="The bus operator (bus legs).")
    from_stop_code: str | None = None
    to_stop_code: str | None = None
    stops: int | None = Field(None, description="Number of stops ridden (bus legs).")


class Journey(_Timed):
    """A one-way journey with its legs."""

    minutes: int
    buses: int
    walk_m: int
    legs: list[Leg]


class LegFare(BaseModel):
    """What one bus ride costs the client, and why."""

    mode: Literal["walk", "bus"]
    route_id: str
    label: str
    boarding: str = Field(description="Local date and time the ride begins (ISO).")
    pence: int | None = Field(description="The price (null: not known).")
    basis: Literal["walk", "pass", "feed", "feed-capped", "cap", "transfer", "unknown"]
    reason: str = Field(description="In the client's words, e.g. 'free with your bus pass: "
                        "boards at 09:40, at or after 09:30 on a weekday'.")
    pass_free: bool
    pass_reason: str
    paid_pence: int | None = Field(description="The fare without the pass.")
    upper_bound: bool = Field(description="The price is the fare cap; the operator's own "
                              "fare may be lower.")
    companion_pence: int | None = None


class JourneyFare(BaseModel):
    """The fares of one way (there, or back)."""

    total_pence: int | None
    upper_bound: bool
    free_with_pass: bool
    text: str
    companion_total_pence: int | None = None
    legs: list[LegFare]
    warnings: list[str]


class FreeOption(BaseModel):
    """A later way there that the client's bus pass makes free."""

    text: str = Field(description="e.g. 'leave at 09:31: free with your bus pass, arrive "
                      "10:40'.")
    leave_home_time: str
    first_bus_time: str
    arrive_time: str
    minutes_late: int = Field(description="Minutes after the session starts that it "
                              "arrives (0: in time).")
    outbound: Journey
    fare_out_pence: int = 0
    fare_total_pence: int | None = Field(description="Fares there (free) and back.")
    fare_text: str
    cost_within_limit: bool | None = None
    cost_reason: str | None = None


class LastBus(BaseModel):
    """The latest way home from the venue that day, reaching home by the end of the hours."""

    leave_venue_by: str = Field(description="HH:MM: leave the venue by then.")
    route: str | None = Field(None, description="Bus route of that last way home.")
    agency: str | None = Field(None, description="Its operator.")
    stop_name: str | None = Field(None, description="Where to catch it.")
    bus_depart_time: str | None = Field(None, description="HH:MM the bus leaves that stop.")
    home_by: str | None = None
    before_session: Literal["starts", "ends"] | None = Field(
        None, description="Set when the last way home leaves before the session starts or "
                          "before it ends.")
    note: str | None = Field(None, description="That fact in words, when set.")

    @computed_field(**_deprecated("leave_venue_by"))  # type: ignore[prop-decorator]
    @property
    def departs(self) -> str:
        """Old name of leave_venue_by."""
        return self.leave_venue_by

    @computed_field(**_deprecated("bus_depart_time"))  # type: ignore[prop-decorator]
    @property
    def bus_departs(self) -> str | None:
        """Old name of bus_depart_time."""
        return self.bus_depart_time


class Cost(BaseModel):
    """What a session costs."""

    free: bool | None
    amount_gbp: float | None = None
    note: str | None = None


class Contact(BaseModel):
    """How to contact the organiser."""

    phone: str | None = None
    email: str | None = None
    url: str | None = None


class Activity(BaseModel):
    """The listing a session belongs to."""

    id: str
    name: str
    organisation: str | None = None
    category: str | None = None
    categories: list[str] = Field(default_factory=list)
    audience: list[str] = Field(default_factory=list)
    description: str | None = None
    cost: Cost | None = None
    contact: Contact | None = None
    what_to_bring: str | None = None
    how_to_join: str | None = None
    drop_in: bool | None = None
    accepts_referrals: bool | None = None
    stale: bool | None = Field(None, description="Not verified within the stale period.")
    reported_closed: bool | None = Field(
        None, description="Someone reported it closed; an editor has not yet checked the report.")
    last_verified: dt.date | None = Field(None, description="When the organiser last "
                                          "confirmed the listing (None: never).")


class Venue(BaseModel):
    """Where the session is held."""

    id: str | None
    name: str
    address: str | None = None
    town: str | None = None
    postcode: str | None = None
    lat: float | None
    lon: float | None
    step_free: bool | None = None
    accessibility: str | None = None


class Row(BaseModel):
    """One session occurrence with its there-and-back plan.

    Every field is a function of the origin, this session, its date and the limits only:
    the same session gives the same row however many others are searched with it.
    """

    id: str
    activity: Activity
    venue: Venue
    date: dt.date
    weekday: str
    schedule: str | None = Field(None, description="How often it runs, e.g. 'Every "
                                 "Wednesday, 10:00-12:00'.")
    start_time: str = Field(description="HH:MM the session starts.")
    end_time: str = Field(description="HH:MM the session ends.")
    distance_km: float | None = Field(None, description="Straight-line distance from home.")
    feasibility: Feasibility
    reason: str | None = None
    reason_code: str | None = Field(None, description="One of REASON_CODES when infeasible.")
    leave_home_by: str | None = None
    outbound: Journey | None = None
    home_by: str | None = None
    return_: Journey | None = Field(None, alias="return")
    next_way_home: Journey | None = Field(None, description="The way home if the planned "
                                          "bus home is missed (None: it is the last).")
    last_bus_home: LastBus | None = None
    travel_minutes: int | None = Field(None, description="Out plus back (travel_basis "
                                       "round_trip), or out only when there is no way back "
                                       "(one_way).")
    travel_basis: Literal["round_trip", "one_way"] | None = None
    buses: int | None = Field(None, description="Most buses on either way.")
    walk_m: int | None = Field(None, description="Walking out plus back.")
    fare_out_pence: int | None = Field(None, description="Bus fares there (null: not known "
                                       "or no plan).")
    fare_back_pence: int | None = None
    fare_total_pence: int | None = Field(None, description="Fares there and back.")
    fare_upper_bound: bool = Field(False, description="A fare is the cap, not the "
                                   "operator's own: the real fare may be lower.")
    fare_free_with_pass: bool = False
    fare_text: str | None = Field(None, description="e.g. 'up to £3 each way (fare cap)'.")
    fare_out: JourneyFare | None = None
    fare_back: JourneyFare | None = None
    fare_warnings: list[str] = Field(default_factory=list)
    free_option: FreeOption | None = Field(None, description="With a pass valid only "
                                           "from 09:30: the way there it makes free.")
    preferred_option: Literal["paid", "free"] = Field(
        "paid", description="Which way there to show first (fare_preference).")
    handout_fare_line: str | None = Field(None, description="e.g. 'Bus fare: up to £3 each "
                                          "way; or free both ways with your bus pass if you "
                                          "catch the 09:40'.")
    cost_within_limit: bool | None = Field(None, description="Within max_visit_cost_gbp "
                                           "(null: no limit, or a price is not known).")
    cost_total_pence: int | None = None
    cost_limit_pence: int | None = None
    cost_reason: str | None = Field(None, description="e.g. '£6 return, over your £4 "
                                    "limit'.")
    cost_exact: bool | None = None

    model_config = ConfigDict(populate_by_name=True)

    @computed_field(**_deprecated("start_time"))  # type: ignore[prop-decorator]
    @property
    def starts(self) -> str:
        """Old name of start_time."""
        return self.start_time

    @computed_field(**_deprecated("end_time"))  # type: ignore[prop-decorator]
    @property
    def ends(self) -> str:
        """Old name of end_time."""
        return self.end_time


class Summary(BaseModel):
    """One line per activity: how each weekday works out."""

    activity_id: str
    name: str
    venue: str
    text: str
    best: Feasibility


class ReachableResponse(BaseModel):
    """Rows (feasible first, then by travel time), summaries and explanations."""

    origin_area: OriginArea
    dates: list[dt.date]
    hours: dict[str, str]
    rows: list[Row]
    summaries: list[Summary]
    explanations: list[str]
    counts: dict[str, int]
    isochrone: dict[str, object] | None = None
    notices: list[str]
    parameters: dict[str, object]
