"""Keep a feed's fare tables without its GTFS zip: to and from JSON, or from route tables.

The finder compiles timetables from feeds stored in the database, so the original zip may
be gone when a journey is priced. `ingest gtfs` can save `feed_fares_to_json(...)` beside
the feed; a feed without fares needs only its routes and trips (`feed_fares_from_routes`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple
from datetime import date
from typing import Any

from app.fares.errors import FaresDataError
from app.fares.gtfs_fares import (
    FeedFares,
    RouteInfo,
    _FareV1,
    _LegRule,
    _Product,
    _read_trip_zones,
    _RuleV1,
    _TransferRule,
)

__all__ = ["FORMAT", "feed_fares_from_json", "feed_fares_from_routes", "feed_fares_to_json"]

FORMAT = "within-reach-feed-fares/1"


def feed_fares_from_routes(name: str, routes: Iterable[tuple[str, str, int, str]],
                           trips: Iterable[tuple[str, str]]) -> FeedFares:
    """A feed with no fares of its own from (route_id, agency_id, route_type, short_name)
    and (trip_id, route_id) rows, e.g. the engine's Feed tables."""
    return FeedFares(name, {r[0]: RouteInfo(r[0], r[1], int(r[2]), r[3]) for r in routes},
                     dict(trips))


def feed_fares_to_json(feed: FeedFares) -> dict[str, Any]:
    """Everything pricing needs, as JSON-ready data (trip zones included when needed)."""
    zones = None
    if any(r.contains_id for r in feed.rules_v1):
        zones = feed._trip_zones
        if zones is None and feed._source is not None:
            zones = _read_trip_zones(feed)
    return {
        "format": FORMAT, "name": feed.name,
        "routes": [astuple(r) for r in feed.routes.values()],
        "trip_routes": feed.trip_routes, "stop_zones": feed.stop_zones,
        "fares_v1": [astuple(f) for f in feed.fares_v1.values()],
        "rules_v1": [astuple(r) for r in feed.rules_v1], "has_rules_file": feed.has_rules_file,
        "products": [astuple(p) for ps in feed.products.values() for p in ps],
        "leg_rules": [astuple(r) for r in feed.leg_rules], "uses_priority": feed.uses_priority,
        "transfer_rules": [astuple(t) for t in feed.transfer_rules],
        "stop_areas": {s: sorted(a) for s, a in feed.stop_areas.items()},
        "route_networks": feed.route_networks,
        "timeframes": {g: [list(t) for t in ts] for g, ts in feed.timeframes.items()},
        "services": {s: [sorted(d), a.isoformat(), b.isoformat()]
                     for s, (d, a, b) in feed.services.items()},
        "service_dates": [[s, d.isoformat(), on] for (s, d), on in feed.service_dates.items()],
        "default_riders": sorted(feed.default_riders),
        "trip_zones": None if zones is None else {t: [list(c) for c in cs]
                                                  for t, cs in zones.items()},
    }


def feed_fares_from_json(doc: dict[str, Any]) -> FeedFares:
    """Rebuild FeedFares from `feed_fares_to_json` output."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise FaresDataError("stored feed fares", [f"format: not {FORMAT!r}"])
    try:
        feed = FeedFares(doc["name"], {r[0]: RouteInfo(*r) for r in doc["routes"]},
                         dict(doc["trip_routes"]), dict(doc["stop_zones"]))
        feed.fares_v1 = {f[0]: _FareV1(*f) for f in doc["fares_v1"]}
        feed.rules_v1 = [_RuleV1(*r) for r in doc["rules_v1"]]
        feed.has_rules_file = bool(doc["has_rules_file"])
        for p in doc["products"]:
            feed.products.setdefault(p[0], []).append(_Product(*p))
        feed.leg_rules = [_LegRule(*r) for r in doc["leg_rules"]]
        feed.uses_priority = bool(doc["uses_priority"])
        feed.transfer_rules = [_TransferRule(*t) for t in doc["transfer_rules"]]
        feed.stop_areas = {s: set(a) for s, a in doc["stop_areas"].items()}
        feed.route_networks = dict(doc["route_networks"])
        feed.timeframes = {g: [(int(a), int(b), str(s)) for a, b, s in ts]
                           for g, ts in doc["timeframes"].items()}
        feed.services = {s: (set(d), date.fromisoformat(a), date.fromisoformat(b))
                         for s, (d, a, b) in doc["services"].items()}
        feed.service_dates = {(s, date.fromisoformat(d)): bool(on)
                              for s, d, on in doc["service_dates"]}
        feed.default_riders = set(doc["default_riders"])
        zones = doc["trip_zones"]
        feed._trip_zones = {} if zones is None else {
            t: [(str(s), str(z)) for s, z in cs] for t, cs in zones.items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise FaresDataError("stored feed fares", [f"malformed: {exc!r}"]) from None
    return feed
