"""A GTFS feed's own fares (Fares v1 and the Fares v2 leg rules), read from a zip or folder.

Only the small files are read: agency, routes, trips, stops (zones), fare tables, and for
Fares v2 areas, networks, timeframes and the calendar. stop_times.txt is streamed only when
a Fares v1 rule uses contains_id (it needs the zones a ride passes through).
Every faulty row is reported at once with its file, line and column.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from app.fares.errors import FaresDataError
from app.fares.legs import FareLeg

__all__ = [
    "FeedFareError",
    "FeedFares",
    "FeedQuote",
    "Ticket",
    "load_feed_fares",
]

_Bad = Callable[[str, int, str, str], None]  # records "file:line column: reason"

# ISO 4217 minor units for the currencies a feed is likely to carry; others assume 2.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "KWD": 3, "BHD": 3, "TND": 3}


class FeedFareError(FaresDataError):
    """Fare files that cannot be used; `problems` lists 'file:line column: reason'."""

    def __init__(self, feed: str, problems: list[str]) -> None:
        self.feed = feed
        super().__init__(f"fares in {feed}", problems)


@dataclass(frozen=True)
class RouteInfo:
    """What fares need to know about a route."""

    route_id: str
    agency_id: str
    route_type: int
    short_name: str
    network_id: str = ""


@dataclass(frozen=True)
class _FareV1:
    fare_id: str
    minor: int
    currency: str
    transfers: int | None  # None = unlimited
    transfer_duration: int | None
    agency_id: str


@dataclass(frozen=True)
class _RuleV1:
    fare_id: str
    route_id: str
    origin_id: str
    destination_id: str
    contains_id: str


@dataclass(frozen=True)
class _Product:
    product_id: str
    name: str
    minor: int
    currency: str
    rider_category_id: str


@dataclass(frozen=True)
class _LegRule:
    network_id: str
    from_area_id: str
    to_area_id: str
    from_timeframe: str
    to_timeframe: str
    product_id: str
    priority: int
    leg_group_id: str = ""


@dataclass(frozen=True)
class _TransferRule:
    from_group: str
    to_group: str
    transfer_count: int | None  # None: no limit (-1 or empty)
    duration_limit: int | None
    duration_type: int  # 0 dep-arr, 1 dep-dep, 2 arr-dep, 3 arr-arr (from leg to this leg)
    transfer_type: int  # 0 A+AB, 1 A+AB+B, 2 AB
    product_id: str


@dataclass
class Ticket:
    """A ticket bought on one leg that may cover later rides (Fares v1 transfers), or the
    start of a Fares v2 transfer chain."""

    feed: str
    fare_id: str
    bought_at: datetime
    label: str
    transfers_left: int | None
    transfer_duration: int | None
    leg_group: str = ""  # Fares v2: the leg group of the ride that bought it
    arrived_at: datetime | None = None
    paid_minor: int = 0  # Fares v2: what its ride cost (for "AB" transfer products)
    chain: int = 0  # Fares v2: transfers taken since it was bought
    open: bool = True  # Fares v2: the very next ride may transfer from it


@dataclass(frozen=True)
class FeedQuote:
    """The feed's price for one leg (minor units of `currency`), or why there is none."""

    minor: int | None
    currency: str
    fare_id: str
    reason: str
    ticket: Ticket | None = None  # a new ticket bought (may cover later legs)
    covered: bool = False  # covered by an earlier ticket


@dataclass
class FeedFares:
    """The fare tables of one feed, and the route lookups that pricing legs needs."""

    name: str
    routes: dict[str, RouteInfo]
    trip_routes: dict[str, str]
    stop_zones: dict[str, str] = field(default_factory=dict)
    fares_v1: dict[str, _FareV1] = field(default_factory=dict)
    rules_v1: list[_RuleV1] = field(default_factory=list)
    has_rules_file: bool = False
    products: dict[str, list[_Product]] = field(default_factory=dict)
    leg_rules: list[_LegRule] = field(default_factory=list)
    uses_priority: bool = False
    transfer_rules: list[_TransferRule] = field(default_factory=list)
    stop_areas: dict[str, set[str]] = field(default_factory=dict)
    route_networks: dict[str, str] = field(default_factory=dict)
    timeframes: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    services: dict[str, tuple[set[int], date, date]] = field(default_factory=dict)
    service_dates: dict[tuple[str, date], bool] = field(default_factory=dict)
    default_riders: set[str] = field(default_factory=set)
    _source: Path | None = None
    _trip_zones: dict[str, list[tuple[str, str]]] | None = None

    @property
    def version(self) -> str | None:
        """"v2", "v1" or None when the feed carries no fares."""
        if self.leg_rules:
            return "v2"
        return "v1" if self.fares_v1 else None

    def fare_leg(self, trip_id: str, board_stop_id: str, alight_stop_id: str,
                 boarding: datetime, alighting: datetime | None = None,
                 label: str = "") -> FareLeg:
        """A bus FareLeg with route, operator and route type looked up from the trip."""
        route = self.routes.get(self.trip_routes.get(trip_id, ""))
        return FareLeg(
            "bus", boarding, route_id=route.route_id if route else "",
            route_type=route.route_type if route else 3,
            agency_id=route.agency_id if route else "", board_stop_id=board_stop_id,
            alight_stop_id=alight_stop_id, trip_id=trip_id, feed=self.name,
            label=label or (f"the {route.short_name}" if route and route.short_name else ""),
            alighting=alighting)

    # ---- Fares v1 -------------------------------------------------------------------

    def _zones_passed(self, leg: FareLeg) -> set[str] | None:
        """Zones of the stops a ride calls at, boarding to alighting (None if unknown)."""
        if self._trip_zones is None:
            self._trip_zones = _read_trip_zones(self) if self._source else {}
        seq = self._trip_zones.get(leg.trip_id)
        if not seq:
            return None
        stops = [s for s, _ in seq]
        try:
            i = stops.index(leg.board_stop_id)
            j = stops.index(leg.alight_stop_id, i)
        except ValueError:
            return None
        return {z for _, z in seq[i:j + 1] if z}

    def _v1_matches(self, fare: _FareV1, leg: FareLeg) -> bool:
        if fare.agency_id and leg.agency_id and fare.agency_id != leg.agency_id:
            return False
        if not self.has_rules_file:
            return True  # no fare_rules.txt: each fare covers the whole feed (or its agency)
        rules = [r for r in self.rules_v1 if r.fare_id == fare.fare_id]
        origin = self.stop_zones.get(leg.board_stop_id, "")
        dest = self.stop_zones.get(leg.alight_stop_id, "")
        groups: dict[tuple[str, str, str], set[str]] = {}
        for r in rules:
            if r.route_id and r.route_id != leg.route_id:
                continue
            if r.origin_id and r.origin_id != origin:
                continue
            if r.destination_id and r.destination_id != dest:
                continue
            if not r.contains_id:
                return True
            groups.setdefault((r.route_id, r.origin_id, r.destination_id), set()).add(
                r.contains_id)
        if groups:
            passed = self._zones_passed(leg)
            return passed is not None and any(passed == need for need in groups.values())
        return False

    def _quote_v1(self, leg: FareLeg, tickets: list[Ticket], currency: str) -> FeedQuote | None:
        for t in tickets:
            if t.feed != self.name or t.transfers_left == 0:
                continue
            if t.transfer_duration is not None and (
                    leg.boarding - t.bought_at).total_seconds() > t.transfer_duration:
                continue
            if self._v1_matches(self.fares_v1[t.fare_id], leg):
                if t.transfers_left is not None:
                    t.transfers_left -= 1
                return FeedQuote(0, currency, t.fare_id,
                                 f"covered by the ticket bought on {t.label} (transfer)",
                                 covered=True)
        fits = [f for f in self.fares_v1.values() if self._v1_matches(f, leg)]
        if not fits:
            return None
        best = min(fits, key=lambda f: (f.currency != currency, f.minor))
        ticket = Ticket(self.name, best.fare_id, leg.boarding, leg.name, best.transfers,
                        best.transfer_duration)
        return FeedQuote(best.minor, best.currency, best.fare_id,
                         f"the timetable's fare '{best.fare_id}'", ticket=ticket)

    # ---- Fares v2 -------------------------------------------------------------------

    def _service_on(self, service_id: str, day: date) -> bool:
        explicit = self.service_dates.get((service_id, day))
        if explicit is not None:
            return explicit
        cal = self.services.get(service_id)
        return cal is not None and cal[1] <= day <= cal[2] and day.weekday() in cal[0]

    def _in_timeframe(self, group: str, when: datetime) -> bool:
        second = when.hour * 3600 + when.minute * 60 + when.second
        return any(a <= second < b and (not sid or self._service_on(sid, when.date()))
                   for a, b, sid in self.timeframes.get(group, []))

    def _quote_v2(self, leg: FareLeg, tickets: list[Ticket], currency: str) -> FeedQuote | None:
        network = self.route_networks.get(leg.route_id) or (
            self.routes[leg.route_id].network_id if leg.route_id in self.routes else "")
        board = self.stop_areas.get(leg.board_stop_id, set())
        alight = self.stop_areas.get(leg.alight_stop_id, set())
        end = leg.alighting or leg.boarding
        # (field of a rule, does a non-empty value match the leg?)
        fields: list[tuple[Callable[[_LegRule], str], Callable[[str], bool]]] = [
            (lambda r: r.network_id, lambda v: v == network),
            (lambda r: r.from_area_id, lambda v: v in board),
            (lambda r: r.to_area_id, lambda v: v in alight),
            (lambda r: r.from_timeframe, lambda v: self._in_timeframe(v, leg.boarding)),
            (lambda r: r.to_timeframe, lambda v: self._in_timeframe(v, end)),
        ]
        rules = list(self.leg_rules)
        for value, ok in fields:
            if self.uses_priority:
                # With rule_priority an empty field does not affect matching.
                rules = [r for r in rules if not value(r) or ok(value(r))]
                continue
            # Without it, an empty field stands for every value not listed in any rule of
            # the file (the GTFS Fares v2 reference), so it loses to a rule naming the value.
            listed = {value(r) for r in self.leg_rules if value(r)}
            leg_listed = any(ok(v) for v in listed)
            rules = [r for r in rules if (ok(value(r)) if value(r) else not leg_listed)]
        if self.uses_priority and rules:
            top = max(r.priority for r in rules)
            rules = [r for r in rules if r.priority == top]
        offers = [(p, r.leg_group_id) for r in rules for p in self._adult(r.product_id)]
        if not offers:
            return None
        best, group = min(offers, key=lambda o: (o[0].currency != currency, o[0].minor))
        own = FeedQuote(best.minor, best.currency, best.product_id,
                        f"the timetable's fare '{best.name or best.product_id}'",
                        ticket=Ticket(self.name, best.product_id, leg.boarding, leg.name, None,
                                      None, group, end, best.minor))
        prev = next((t for t in reversed(tickets) if t.feed == self.name), None)
        transfer = self._transfer_v2(prev, leg, own, group, currency) if prev else None
        if prev is None or transfer is None or transfer.minor is None or (
                own.minor is not None and transfer.minor > own.minor):
            return own
        # the ride joins the chain: later rules match from its group, durations from the start
        prev.chain += 1
        prev.leg_group = group
        prev.arrived_at = end
        prev.paid_minor += transfer.minor
        return transfer

    def _adult(self, product_id: str) -> list[_Product]:
        """The product's offers for the default rider category (or for everyone)."""
        return [p for p in self.products.get(product_id, [])
                if not p.rider_category_id or p.rider_category_id in self.default_riders]

    def _transfer_v2(self, prev: Ticket, leg: FareLeg, own: FeedQuote, group: str,
                     currency: str) -> FeedQuote | None:
        """The cheapest fare_transfer_rules price for this ride after `prev`, if any applies."""
        if not prev.open or own.minor is None:
            return None
        start, end = leg.boarding, leg.alighting or leg.boarding
        listed_from = {t.from_group for t in self.transfer_rules if t.from_group}
        listed_to = {t.to_group for t in self.transfer_rules if t.to_group}
        best: FeedQuote | None = None
        for t in self.transfer_rules:
            # an empty group stands for every group no rule names (as for leg rules)
            if not (t.from_group == prev.leg_group if t.from_group else
                    prev.leg_group not in listed_from):
                continue
            if not (t.to_group == group if t.to_group else group not in listed_to):
                continue
            if t.transfer_count is not None and prev.chain >= t.transfer_count:
                continue
            if t.duration_limit is not None:
                a = prev.bought_at if t.duration_type in (0, 1) else (
                    prev.arrived_at or prev.bought_at)
                b = end if t.duration_type in (0, 3) else start
                if (b - a).total_seconds() > t.duration_limit:
                    continue
            fee = min((p.minor for p in self._adult(t.product_id) if p.currency == currency),
                      default=None) if t.product_id else 0
            if fee is None:
                continue
            price = {0: fee, 1: own.minor + fee}.get(t.transfer_type,
                                                     max(0, fee - prev.paid_minor))
            if best is None or (best.minor is not None and price < best.minor):
                kind = {0: "a transfer fare", 1: "its fare plus a transfer fee"}.get(
                    t.transfer_type, "a through fare")
                best = FeedQuote(price, currency, t.product_id or own.fare_id,
                                 f"{kind} after {prev.label} (the timetable's transfer rules)",
                                 covered=price == 0)
        return best


    def quote(self, leg: FareLeg, tickets: list[Ticket], currency: str = "GBP"
              ) -> FeedQuote | None:
        """The feed's fare for a bus leg (None: no fare in the feed matches the leg)."""
        if self.version == "v2":
            return self._quote_v2(leg, tickets, currency)
        if self.version == "v1":
            return self._quote_v1(leg, tickets, currency)
        return None


# ---- reading ----------------------------------------------------------------------------


class _Tables:
    """Rows of the text files of a GTFS zip or folder, with 1-based line numbers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        if path.is_dir():
            self._names = {p.name for p in path.iterdir() if p.is_file()}
        else:
            self._zip = zipfile.ZipFile(path)
            names = [n for n in self._zip.namelist() if n.endswith(".txt")]
            top = {n.rsplit("/", 1)[0] for n in names if "/" in n}
            if not any("/" not in n for n in names) and len(top) == 1:
                self._prefix = top.pop() + "/"  # a feed zipped inside one folder
            self._names = {n[len(self._prefix):] for n in names if n.startswith(self._prefix)}

    def has(self, name: str) -> bool:
        return name in self._names

    def rows(self, name: str) -> Iterator[tuple[int, dict[str, str]]]:
        """(line, row) pairs; values stripped; a missing file yields nothing."""
        if not self.has(name):
            return
        text: IO[str]
        if self._zip is not None:
            raw = self._zip.open(self._prefix + name)
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        else:
            text = (self.path / name).open(encoding="utf-8-sig", newline="")
        with text:
            reader = csv.DictReader(text)
            for row in reader:
                yield reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items()
                                        if k is not None}

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _minor(text: str, currency: str) -> int | None:
    """A decimal price in minor units (pence), or None if malformed."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if value < 0 or not value.is_finite():
        return None
    scaled = value.scaleb(_MINOR_UNITS.get(currency.upper(), 2))
    return int(scaled) if scaled == scaled.to_integral_value() else None


def _gtfs_clock(text: str, default: int) -> int | None:
    """Seconds of a GTFS H:MM:SS time within a day (empty: default), None if malformed."""
    if not text:
        return default
    parts = text.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    h, m, s = (int(p) for p in parts)
    value = h * 3600 + m * 60 + s
    return value if m < 60 and s < 60 and value <= 86400 else None


def _int_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def load_feed_fares(path: str | Path, name: str = "") -> FeedFares:
    """Read a feed's routes, trips and fare tables; FeedFareError lists every bad row."""
    src = Path(path)
    feed_name = name or src.stem
    try:
        tabs = _Tables(src)
    except (OSError, zipfile.BadZipFile) as exc:
        raise FeedFareError(feed_name, [f"{src}: cannot open ({exc})"]) from None
    problems: list[str] = []
    try:
        feed = _read(tabs, feed_name, problems)
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(f"{src}: unreadable text ({exc})")
        feed = None
    finally:
        tabs.close()
    if problems or feed is None:
        raise FeedFareError(feed_name, problems)
    feed._source = src
    return feed


def _read(tabs: _Tables, name: str, problems: list[str]) -> FeedFares:
    def bad(file: str, line: int, col: str, why: str) -> None:
        problems.append(f"{file}:{line} {col}: {why}")

    agencies = [r.get("agency_id", "") for _, r in tabs.rows("agency.txt")]
    only_agency = agencies[0] if len(agencies) == 1 else ""
    routes: dict[str, RouteInfo] = {}
    for line, r in tabs.rows("routes.txt"):
        rt = r.get("route_type", "")
        if not rt.isdigit():
            bad("routes.txt", line, "route_type", f"{rt!r} is not a GTFS route type")
            continue
        routes[r.get("route_id", "")] = RouteInfo(
            r.get("route_id", ""), r.get("agency_id", "") or only_agency, int(rt),
            r.get("route_short_name", ""), r.get("network_id", ""))
    trips = {r.get("trip_id", ""): r.get("route_id", "") for _, r in tabs.rows("trips.txt")}
    feed = FeedFares(name, routes, trips)
    feed.stop_zones = {r["stop_id"]: r.get("zone_id", "") for _, r in tabs.rows("stops.txt")
                       if r.get("zone_id") and r.get("stop_id")}
    _read_v1(tabs, feed, bad, only_agency)
    _read_v2(tabs, feed, bad)
    return feed


def _read_v1(tabs: _Tables, feed: FeedFares, bad: _Bad, only_agency: str) -> None:
    f = "fare_attributes.txt"
    for line, r in tabs.rows(f):
        fid, cur = r.get("fare_id", ""), r.get("currency_type", "").upper()
        if not fid:
            bad(f, line, "fare_id", "empty")
            continue
        if fid in feed.fares_v1:
            bad(f, line, "fare_id", f"{fid!r} is listed twice")
        if len(cur) != 3 or not cur.isalpha():
            bad(f, line, "currency_type", f"{cur!r} is not an ISO 4217 code")
        minor = _minor(r.get("price", ""), cur)
        if minor is None:
            bad(f, line, "price", f"{r.get('price', '')!r} is not a price in {cur or 'money'}")
        transfers = r.get("transfers", "")
        if transfers not in ("", "0", "1", "2"):
            bad(f, line, "transfers", f"{transfers!r} is not 0, 1, 2 or empty")
        duration = r.get("transfer_duration", "")
        if duration and not duration.isdigit():
            bad(f, line, "transfer_duration", f"{duration!r} is not whole seconds")
        feed.fares_v1[fid] = _FareV1(fid, minor or 0, cur, _int_or_none(transfers),
                                     _int_or_none(duration),
                                     r.get("agency_id", "") or only_agency)
    f = "fare_rules.txt"
    feed.has_rules_file = tabs.has(f)
    zones = set(feed.stop_zones.values())
    for line, r in tabs.rows(f):
        rule = _RuleV1(r.get("fare_id", ""), r.get("route_id", ""), r.get("origin_id", ""),
                       r.get("destination_id", ""), r.get("contains_id", ""))
        if rule.fare_id not in feed.fares_v1:
            bad(f, line, "fare_id", f"{rule.fare_id!r} is not in fare_attributes.txt")
        if rule.route_id and rule.route_id not in feed.routes:
            bad(f, line, "route_id", f"{rule.route_id!r} is not in routes.txt")
        for col in ("origin_id", "destination_id", "contains_id"):
            z = getattr(rule, col)
            if z and z not in zones:
                bad(f, line, col, f"zone {z!r} is not the zone_id of any stop")
        feed.rules_v1.append(rule)


def _read_v2(tabs: _Tables, feed: FeedFares, bad: _Bad) -> None:
    f = "fare_products.txt"
    for line, r in tabs.rows(f):
        pid, cur = r.get("fare_product_id", ""), r.get("currency", "").upper()
        minor = _minor(r.get("amount", ""), cur)
        if not pid:
            bad(f, line, "fare_product_id", "empty")
        if len(cur) != 3 or not cur.isalpha():
            bad(f, line, "currency", f"{cur!r} is not an ISO 4217 code")
        if minor is None:
            bad(f, line, "amount", f"{r.get('amount', '')!r} is not an amount in {cur}")
        feed.products.setdefault(pid, []).append(_Product(
            pid, r.get("fare_product_name", ""), minor or 0, cur, r.get("rider_category_id", "")))
    for _, r in tabs.rows("rider_categories.txt"):
        if r.get("is_default_fare_category") == "1":
            feed.default_riders.add(r.get("rider_category_id", ""))
    for _, r in tabs.rows("stop_areas.txt"):
        feed.stop_areas.setdefault(r.get("stop_id", ""), set()).add(r.get("area_id", ""))
    for _, r in tabs.rows("route_networks.txt"):
        feed.route_networks[r.get("route_id", "")] = r.get("network_id", "")
    f = "timeframes.txt"
    for line, r in tabs.rows(f):
        a = _gtfs_clock(r.get("start_time", ""), 0)
        b = _gtfs_clock(r.get("end_time", ""), 86400)
        if a is None or b is None:
            bad(f, line, "start_time/end_time", "not HH:MM:SS times")
            continue
        feed.timeframes.setdefault(r.get("timeframe_group_id", ""), []).append(
            (a, b, r.get("service_id", "")))
    if feed.timeframes:
        _read_calendar(tabs, feed, bad)
    f = "fare_leg_rules.txt"
    priorities = False
    for line, r in tabs.rows(f):
        pid = r.get("fare_product_id", "")
        if pid not in feed.products:
            bad(f, line, "fare_product_id", f"{pid!r} is not in fare_products.txt")
        prio = r.get("rule_priority", "")
        if prio and not prio.isdigit():
            bad(f, line, "rule_priority", f"{prio!r} is not a whole number")
        priorities = priorities or "rule_priority" in r
        for col in ("from_timeframe_group_id", "to_timeframe_group_id"):
            if r.get(col) and r[col] not in feed.timeframes:
                bad(f, line, col, f"{r[col]!r} is not in timeframes.txt")
        feed.leg_rules.append(_LegRule(
            r.get("network_id", ""), r.get("from_area_id", ""), r.get("to_area_id", ""),
            r.get("from_timeframe_group_id", ""), r.get("to_timeframe_group_id", ""), pid,
            int(prio) if prio.isdigit() else 0, r.get("leg_group_id", "")))
    feed.uses_priority = priorities
    _read_transfers(tabs, feed, bad)


def _read_transfers(tabs: _Tables, feed: FeedFares, bad: _Bad) -> None:
    f = "fare_transfer_rules.txt"
    groups = {r.leg_group_id for r in feed.leg_rules if r.leg_group_id}
    for line, r in tabs.rows(f):
        for col in ("from_leg_group_id", "to_leg_group_id"):
            if r.get(col) and r[col] not in groups:
                bad(f, line, col, f"{r[col]!r} is not a leg_group_id of fare_leg_rules.txt")
        count, limit = r.get("transfer_count", ""), r.get("duration_limit", "")
        ltype, ttype = r.get("duration_limit_type", ""), r.get("fare_transfer_type", "")
        if count not in ("", "-1") and not count.isdigit():
            bad(f, line, "transfer_count", f"{count!r} is not -1 or a whole number")
        if limit and not limit.isdigit():
            bad(f, line, "duration_limit", f"{limit!r} is not whole seconds")
        if limit and ltype not in ("0", "1", "2", "3"):
            bad(f, line, "duration_limit_type", f"{ltype!r} is not 0, 1, 2 or 3")
        if ttype not in ("0", "1", "2"):
            bad(f, line, "fare_transfer_type", f"{ttype!r} is not 0, 1 or 2")
        pid = r.get("fare_product_id", "")
        if pid and pid not in feed.products:
            bad(f, line, "fare_product_id", f"{pid!r} is not in fare_products.txt")
        feed.transfer_rules.append(_TransferRule(
            r.get("from_leg_group_id", ""), r.get("to_leg_group_id", ""),
            int(count) if count.isdigit() else None, int(limit) if limit.isdigit() else None,
            int(ltype) if ltype.isdigit() else 0, int(ttype) if ttype.isdigit() else 0, pid))


def _read_calendar(tabs: _Tables, feed: FeedFares, bad: _Bad) -> None:
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    for line, r in tabs.rows("calendar.txt"):
        try:
            start = datetime.strptime(r.get("start_date", ""), "%Y%m%d").date()
            end = datetime.strptime(r.get("end_date", ""), "%Y%m%d").date()
        except ValueError:
            bad("calendar.txt", line, "start_date/end_date", "not YYYYMMDD dates")
            continue
        feed.services[r.get("service_id", "")] = (
            {i for i, d in enumerate(days) if r.get(d) == "1"}, start, end)
    for line, r in tabs.rows("calendar_dates.txt"):
        try:
            day = datetime.strptime(r.get("date", ""), "%Y%m%d").date()
        except ValueError:
            bad("calendar_dates.txt", line, "date", "not a YYYYMMDD date")
            continue
        feed.service_dates[(r.get("service_id", ""), day)] = r.get("exception_type") == "1"


def _read_trip_zones(feed: FeedFares) -> dict[str, list[tuple[str, str]]]:
    """Per trip, the (stop, zone) calls in stop_sequence order (for contains_id rules)."""
    assert feed._source is not None
    tabs = _Tables(feed._source)
    calls: dict[str, list[tuple[int, str]]] = {}
    try:
        for _, r in tabs.rows("stop_times.txt"):
            seq = r.get("stop_sequence", "")
            calls.setdefault(r.get("trip_id", ""), []).append(
                (int(seq) if seq.isdigit() else 0, r.get("stop_id", "")))
    finally:
        tabs.close()
    return {t: [(s, feed.stop_zones.get(s, "")) for _, s in sorted(c)]
            for t, c in calls.items()}


