"""Fares in the words a client reads: the handout's fare line and the finder's two options."""

from __future__ import annotations

from datetime import datetime

from app.fares.pricing import JourneyFare, RoundTripFare

__all__ = ["first_bus_at", "handout_fare_line", "option_text"]


def _hhmm(when: datetime) -> str:
    return f"{when:%H:%M}"


def first_bus_at(journey: JourneyFare) -> datetime | None:
    """When the journey's first bus leaves (None for a walk)."""
    return next((f.leg.boarding for f in journey.legs if f.leg.mode == "bus"), None)


def _unknown_why(trip: RoundTripFare) -> str:
    for f in trip.there.legs + trip.back.legs:
        if f.pence is None:
            return f.reason.removeprefix("fare not known: ")
    return ""


def handout_fare_line(trip: RoundTripFare, free_trip: RoundTripFare | None = None) -> str:
    """Page 1 of the handout: "Bus fare: £3 each way; or free both ways with your bus pass if
    you catch the 09:40". `free_trip` is the later option the pass makes free, if any."""
    rides = trip.there.n_buses + trip.back.n_buses
    if rides == 0:
        return "Bus fare: none, you walk both ways"
    if trip.free_with_pass:
        return "Bus fare: free with your bus pass, both ways"
    if trip.total_pence is None:
        return f"Bus fare: not known ({_unknown_why(trip)}); ask the operator"
    line = f"Bus fare: {trip.describe()}"
    if free_trip is not None and free_trip.free_with_pass:
        catch = first_bus_at(free_trip.there)
        if catch is not None:
            # A semicolon: the fare before it may itself hold a comma ("£3 there, free back").
            line += f"; or free both ways with your bus pass if you catch the {_hhmm(catch)}"
    return line


def option_text(journey: JourneyFare, leave: datetime, arrive: datetime) -> str:
    """One way of getting there: "leave at 09:31: free with your bus pass, arrive 10:40"."""
    return f"leave at {_hhmm(leave)}: {journey.describe()}, arrive {_hhmm(arrive)}"
