"""The fare model: what a walk-and-bus journey costs, and when a bus pass makes it free.

Pure (no FastAPI, SQLAlchemy or pydantic). Rules are data: a dated, versioned TOML policy
(`fare-policy-england.toml`: the national £2/£3 single-fare caps, the ENCTS bus pass
window, local enhancements by travel concession authority) plus England and Wales bank
holidays (`app.holidays`) and, where a GTFS feed carries them, the feed's own fares.

    model = FareModel.from_files(settings.fare_policy_file or None,
                                 feeds=[load_feed_fares(path, name)])
    legs = fare_legs_from_engine(journey.legs, service_date, model.feeds)
    fare = model.price_journey(legs, BusPass("older", issued_by="nottinghamshire"))
    fare.total_pence, fare.describe(), [leg.reason for leg in fare.legs]

See docs/fares.md.
"""

from app.fares.budget import CostCheck, check_cost_cap
from app.fares.concessions import PassVerdict
from app.fares.errors import FaresDataError
from app.fares.feed_store import feed_fares_from_json, feed_fares_from_routes, feed_fares_to_json
from app.fares.gtfs_fares import FeedFareError, FeedFares, load_feed_fares
from app.fares.legs import NO_PASS, BusPass, EngineLeg, FareLeg, fare_legs_from_engine, service_time
from app.fares.money import format_pence
from app.fares.policy import (
    PASS_KINDS,
    SHIPPED_POLICY,
    FarePolicy,
    PassKind,
    PolicyError,
    Window,
    default_policy,
    load_policy,
)
from app.fares.pricing import FareModel, JourneyFare, LegFare, PriceBasis, RoundTripFare
from app.fares.wording import first_bus_at, handout_fare_line, option_text

__all__ = [
    "NO_PASS",
    "PASS_KINDS",
    "SHIPPED_POLICY",
    "BusPass",
    "CostCheck",
    "EngineLeg",
    "FareLeg",
    "FareModel",
    "FarePolicy",
    "FaresDataError",
    "FeedFareError",
    "FeedFares",
    "JourneyFare",
    "LegFare",
    "PassKind",
    "PassVerdict",
    "PolicyError",
    "PriceBasis",
    "RoundTripFare",
    "Window",
    "check_cost_cap",
    "default_policy",
    "fare_legs_from_engine",
    "feed_fares_from_json",
    "feed_fares_from_routes",
    "feed_fares_to_json",
    "first_bus_at",
    "format_pence",
    "handout_fare_line",
    "load_feed_fares",
    "load_policy",
    "option_text",
    "service_time",
]
