"""The fare policy: caps, the ENCTS concession and local enhancements, read from TOML.

Every problem in a policy file is gathered and reported at once, each with its key
(`cap[1].single_pence: must be a whole number of pence above 0`), as osmnx does.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.fares.errors import FaresDataError

__all__ = [
    "PASS_KINDS",
    "SCHEMA",
    "SHIPPED_POLICY",
    "Authority",
    "CapRule",
    "Concession",
    "FarePolicy",
    "LocalRule",
    "PassKind",
    "PolicyError",
    "Window",
    "default_policy",
    "load_policy",
]

SCHEMA = "within-reach-fare-policy/1"
SHIPPED_POLICY = Path(__file__).with_name("fare-policy-england.toml")
PassKind = Literal["none", "older", "disabled", "companion"]
PASS_KINDS: tuple[str, ...] = ("none", "older", "disabled", "companion")
_HOLDER_KINDS = PASS_KINDS[1:]

T = TypeVar("T")


class PolicyError(FaresDataError):
    """A fare policy file that cannot be used; `problems` holds every fault as 'key: reason'."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        super().__init__(f"fare policy {path}", problems)


@dataclass(frozen=True)
class Window:
    """A time-of-day window in seconds after local midnight; `end` may be 86400."""

    start_s: int
    end_s: int
    end_inclusive: bool = False

    def contains(self, second: int) -> bool:
        """Whether a boarding at `second` after midnight falls in the window."""
        if second < self.start_s:
            return False
        return second <= self.end_s if self.end_inclusive else second < self.end_s


@dataclass(frozen=True)
class CapRule:
    """A single-fare cap in force from `start` to `end` inclusive."""

    id: str
    name: str
    single_pence: int
    start: date
    end: date
    route_types: frozenset[int]
    excluded_route_ids: frozenset[str]
    excluded_agency_ids: frozenset[str]
    participating_agency_ids: frozenset[str]
    sources: tuple[str, ...]
    note: str = ""

    def exclusion(self, route_type: int, route_id: str, agency_id: str) -> str | None:
        """Why a service is outside this cap, or None when the cap applies."""
        why = _excluded(route_type, route_id, agency_id, self.route_types,
                        self.excluded_route_ids, self.excluded_agency_ids)
        if why:
            return f"{why} {'are' if why.endswith('services') else 'is listed as'} outside " \
                   f"the {self.name}"
        if self.participating_agency_ids and agency_id not in self.participating_agency_ids:
            return f"operator {agency_id or '(unknown)'} is not listed as taking part in the " \
                   f"{self.name}"
        return None


@dataclass(frozen=True)
class Concession:
    """The statutory concession (ENCTS) every English pass gives."""

    name: str
    start: date
    passes: frozenset[str]
    route_types: frozenset[int]
    excluded_route_ids: frozenset[str]
    excluded_agency_ids: frozenset[str]
    weekday: Window
    weekends_all_day: bool
    bank_holidays_all_day: bool
    older_eligibility: str
    sources: tuple[str, ...]
    note: str = ""

    def exclusion(self, route_type: int, route_id: str, agency_id: str) -> str | None:
        """Why a service is outside the concession, or None when passes are accepted."""
        why = _excluded(route_type, route_id, agency_id, self.route_types,
                        self.excluded_route_ids, self.excluded_agency_ids)
        if not why:
            return None
        return f"{why} {'are not covered by' if why.endswith('services') else 'does not accept'}" \
               " the bus pass"


def _excluded(route_type: int, route_id: str, agency_id: str, types: frozenset[int],
              routes: frozenset[str], agencies: frozenset[str]) -> str:
    """What puts a service outside a rule ("coach services", "route X1"), or ""."""
    if route_type not in types:
        return f"{route_type_name(route_type)} services"
    if route_id and route_id in routes:
        return f"route {route_id}"
    if agency_id and agency_id in agencies:
        return f"operator {agency_id}"
    return ""


@dataclass(frozen=True)
class Authority:
    """A travel concession authority: who issues passes for which districts and stops."""

    id: str
    name: str
    lad_codes: frozenset[str]
    atco_prefixes: tuple[str, ...]


@dataclass(frozen=True)
class LocalRule:
    """An enhancement a travel concession authority adds on top of the concession."""

    id: str
    authority: str
    passes: frozenset[str]
    issued_by: frozenset[str]
    boarding_in: frozenset[str]
    boarding_atco_prefixes: tuple[str, ...]
    route_types: frozenset[int]
    weekday_windows: tuple[Window, ...]
    companion_free: bool
    as_of: date
    sources: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class FarePolicy:
    """A complete, validated fare policy."""

    id: str
    name: str
    version: str
    reviewed: date
    currency: str
    timezone: str
    bank_holiday_division: str
    known_until: date
    after_known_until: Literal["keep-last", "unknown"]
    out_of_scope: tuple[str, ...]
    caps: tuple[CapRule, ...]
    concession: Concession
    authorities: dict[str, Authority]
    local: tuple[LocalRule, ...]
    source_file: str

    def cap_on(self, day: date) -> tuple[CapRule | None, str | None]:
        """The cap in force on `day` and a warning when it is assumed rather than known."""
        for cap in self.caps:
            if cap.start <= day <= cap.end:
                return cap, None
        if self.caps and day > self.known_until:
            if self.after_known_until == "keep-last":
                last = self.caps[-1]
                return last, (f"fare policy {self.version} is known only until "
                              f"{_long_date(self.known_until)}: the {last.name} is assumed to "
                              f"continue; the policy may be out of date")
            return None, (f"fare policy {self.version} is known only until "
                          f"{_long_date(self.known_until)}: fares after it are not known")
        if self.caps and day < self.caps[0].start:
            return None, f"no national fare cap before {_long_date(self.caps[0].start)}"
        return None, None

    def authority_for_lad(self, lad_code: str) -> Authority | None:
        """The authority that issues passes to residents of a district."""
        return next((a for a in self.authorities.values() if lad_code in a.lad_codes), None)

    def authority_for_stop(self, stop_id: str) -> Authority | None:
        """The authority whose area a stop (by NaPTAN ATCO code prefix) lies in."""
        best: Authority | None = None
        best_len = 0
        for a in self.authorities.values():
            for p in a.atco_prefixes:
                if stop_id.startswith(p) and len(p) > best_len:
                    best, best_len = a, len(p)
        return best


_ROUTE_TYPE_NAMES = {
    0: "tram", 1: "underground", 2: "rail", 3: "bus", 4: "ferry", 5: "cable tram",
    6: "aerial lift", 7: "funicular", 11: "trolleybus", 12: "monorail", 707: "special needs bus",
    708: "mobility bus", 709: "mobility bus", 710: "sightseeing bus", 712: "school bus",
    714: "rail replacement bus", 1100: "air", 1500: "taxi",
}


def route_type_name(route_type: int) -> str:
    """A plain name for a GTFS route type, for messages ("coach", "school bus")."""
    if route_type in _ROUTE_TYPE_NAMES:
        return _ROUTE_TYPE_NAMES[route_type]
    if 200 <= route_type <= 299:
        return "coach"
    if 100 <= route_type <= 199:
        return "rail"
    if 700 <= route_type <= 799:
        return "bus"
    if 900 <= route_type <= 999:
        return "tram"
    return f"route type {route_type}"


def _long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def parse_clock(text: object) -> int | None:
    """Seconds after midnight of an "HH:MM" string (24:00 allowed), or None if malformed."""
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        return None
    hh, mm = text[:2], text[3:]
    if not (hh.isdigit() and mm.isdigit()):
        return None
    h, m = int(hh), int(mm)
    if m > 59 or h > 24 or (h == 24 and m):
        return None
    return h * 3600 + m * 60


class _Checker:
    """Reads typed values out of nested TOML tables, collecting every problem."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        # A table that is absent altogether: reported once, not key by key.
        self.absent: dict[str, Any] = {}

    def table(self, doc: dict[str, Any], key: str, where: str,
              allowed: set[str]) -> dict[str, Any]:
        """A sub-table, with unknown keys reported (they are usually typos)."""
        value = doc.get(key)
        if not isinstance(value, dict):
            self.problems.append(f"{where}: missing table [{key}]" if value is None
                                 else f"{where}: must be a table")
            return self.absent
        self.unknown(value, where, allowed)
        return value

    def tables(self, doc: dict[str, Any], key: str,
               allowed: set[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(where, table) of each [[key]] entry, with malformed entries and unknown keys
        reported."""
        raw = doc.get(key, [])
        if not isinstance(raw, list):
            self.problems.append(f"{key}: must be an array of tables ([[{key}]])")
            return
        for i, tab in enumerate(raw):
            where = f"{key}[{i}]"
            if not isinstance(tab, dict):
                self.problems.append(f"{where}: must be a table")
                continue
            self.unknown(tab, where, allowed)
            yield where, tab

    def unknown(self, tab: dict[str, Any], where: str, allowed: set[str]) -> None:
        """Report keys the schema does not know."""
        for k in sorted(set(tab) - allowed):
            self.problems.append(f"{where}.{k}: unknown key "
                                 f"(allowed: {', '.join(sorted(allowed))})")

    def get(self, tab: dict[str, Any], key: str, where: str, check: Callable[[Any], bool],
            expect: str, default: T | None = None, required: bool = True) -> Any:
        """One value, checked; a problem (and `default`) when absent or malformed."""
        if key not in tab:
            if required and tab is not self.absent:
                self.problems.append(f"{where}.{key}: missing ({expect})")
            return default
        value = tab[key]
        if not check(value):
            self.problems.append(f"{where}.{key}: {value!r} is not {expect}")
            return default
        return value

    def text(self, tab: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        """A non-empty string."""
        return cast(str, self.get(tab, key, where, lambda v: isinstance(v, str) and bool(
            v.strip()), "a non-empty string", "", required))

    def day(self, tab: dict[str, Any], key: str, where: str) -> date:
        """A TOML date (not a datetime)."""
        return cast(date, self.get(tab, key, where, lambda v: type(v) is date,
                                   "a date such as 2025-01-01", date.min))

    def flag(self, tab: dict[str, Any], key: str, where: str, default: bool) -> bool:
        """A boolean, optional."""
        return cast(bool, self.get(tab, key, where, lambda v: isinstance(v, bool),
                                   "true or false", default, required=False))

    def strings(self, tab: dict[str, Any], key: str, where: str,
                required: bool = False) -> tuple[str, ...]:
        """A list of strings."""
        value = self.get(tab, key, where, lambda v: isinstance(v, list) and all(
            isinstance(x, str) for x in v), "a list of strings", [], required)
        return tuple(value or [])

    def route_types(self, tab: dict[str, Any], key: str, where: str,
                    required: bool = True) -> frozenset[int]:
        """A list of GTFS route types."""
        value = self.get(tab, key, where, lambda v: isinstance(v, list) and all(
            type(x) is int and 0 <= x <= 1799 for x in v),
            "a list of GTFS route types (whole numbers 0-1799)", [], required)
        return frozenset(value or [])

    def passes(self, tab: dict[str, Any], key: str, where: str) -> frozenset[str]:
        """A list of pass kinds (holders only)."""
        value = self.get(tab, key, where, lambda v: isinstance(v, list) and bool(v) and all(
            x in _HOLDER_KINDS for x in v),
            f"a non-empty list of pass kinds ({', '.join(_HOLDER_KINDS)})", [])
        return frozenset(value or [])

    def window(self, start: object, end: object, where: str,
               inclusive: bool = False) -> Window | None:
        """A start-end window of "HH:MM" strings."""
        a, b = parse_clock(start), parse_clock(end)
        if a is None or b is None:
            self.problems.append(f"{where}: {start!r}-{end!r} is not a pair of HH:MM times")
            return None
        if a >= b:
            self.problems.append(f"{where}: starts at {start} but ends at {end}; "
                                 "the start must come first")
            return None
        return Window(a, b, inclusive)


_TOP = {"schema", "policy", "cap", "concession", "authority", "local"}
_POLICY = {"id", "name", "version", "reviewed", "currency", "timezone", "bank_holidays",
           "known_until", "after_known_until", "out_of_scope"}
_CAP = {"id", "name", "single_pence", "start", "end", "route_types", "excluded_route_ids",
        "excluded_agency_ids", "participating_agency_ids", "sources", "note"}
_CONCESSION = {"name", "start", "passes", "route_types", "excluded_route_ids",
               "excluded_agency_ids", "weekday_from", "weekday_until", "until_inclusive",
               "weekends_all_day", "bank_holidays_all_day", "older_eligibility", "sources",
               "note"}
_AUTHORITY = {"id", "name", "lad_codes", "atco_prefixes"}
_LOCAL = {"id", "authority", "passes", "issued_by", "boarding_in", "boarding_atco_prefixes",
          "route_types", "weekday_windows", "companion_free", "as_of", "sources", "note"}


def _sources(c: _Checker, tab: dict[str, Any], where: str) -> tuple[str, ...]:
    """Every rule must say where it comes from."""
    got = c.strings(tab, "sources", where, required=True)
    if "sources" in tab and not got:
        c.problems.append(f"{where}.sources: empty; cite where the rule comes from")
    return got


def _read_caps(c: _Checker, doc: dict[str, Any]) -> tuple[CapRule, ...]:
    caps: list[CapRule] = []
    for where, tab in c.tables(doc, "cap", _CAP):
        start, end = c.day(tab, "start", where), c.day(tab, "end", where)
        if start != date.min and end != date.min and end < start:
            c.problems.append(f"{where}.end: {end} is before start {start}")
        caps.append(CapRule(
            id=c.text(tab, "id", where), name=c.text(tab, "name", where),
            single_pence=cast(int, c.get(tab, "single_pence", where,
                                         lambda v: type(v) is int and v > 0,
                                         "a whole number of pence above 0", 0)),
            start=start, end=end, route_types=c.route_types(tab, "route_types", where),
            excluded_route_ids=frozenset(c.strings(tab, "excluded_route_ids", where)),
            excluded_agency_ids=frozenset(c.strings(tab, "excluded_agency_ids", where)),
            participating_agency_ids=frozenset(c.strings(tab, "participating_agency_ids",
                                                         where)),
            sources=_sources(c, tab, where), note=str(tab.get("note", ""))))
    caps.sort(key=lambda r: r.start)
    for a, b in pairwise(caps):
        if b.start <= a.end:
            c.problems.append(f"cap: '{a.id}' ({a.start}..{a.end}) overlaps '{b.id}' "
                              f"({b.start}..{b.end})")
    return tuple(caps)


def _read_concession(c: _Checker, doc: dict[str, Any]) -> Concession:
    tab = c.table(doc, "concession", "concession", _CONCESSION)
    w = "concession"
    inclusive = c.flag(tab, "until_inclusive", w, False)
    window = Window(0, 0)
    if tab is not c.absent:
        window = c.window(tab.get("weekday_from"), tab.get("weekday_until"),
                          f"{w}.weekday_from/weekday_until", inclusive) or window
    return Concession(
        name=c.text(tab, "name", w), start=c.day(tab, "start", w),
        passes=c.passes(tab, "passes", w), route_types=c.route_types(tab, "route_types", w),
        excluded_route_ids=frozenset(c.strings(tab, "excluded_route_ids", w)),
        excluded_agency_ids=frozenset(c.strings(tab, "excluded_agency_ids", w)),
        weekday=window, weekends_all_day=c.flag(tab, "weekends_all_day", w, True),
        bank_holidays_all_day=c.flag(tab, "bank_holidays_all_day", w, True),
        older_eligibility=str(tab.get("older_eligibility", "")),
        sources=_sources(c, tab, w), note=str(tab.get("note", "")))


def _read_authorities(c: _Checker, doc: dict[str, Any]) -> dict[str, Authority]:
    out: dict[str, Authority] = {}
    for where, tab in c.tables(doc, "authority", _AUTHORITY):
        aid = c.text(tab, "id", where)
        if aid in out:
            c.problems.append(f"{where}.id: '{aid}' is defined twice")
        out[aid] = Authority(aid, c.text(tab, "name", where),
                             frozenset(c.strings(tab, "lad_codes", where)),
                             c.strings(tab, "atco_prefixes", where))
    return out


def _read_local(c: _Checker, doc: dict[str, Any],
                authorities: dict[str, Authority]) -> tuple[LocalRule, ...]:
    rules: list[LocalRule] = []
    for where, tab in c.tables(doc, "local", _LOCAL):
        refs: dict[str, tuple[object, ...]] = {"authority": (tab.get("authority"),)}
        issued = c.strings(tab, "issued_by", where)
        within = c.strings(tab, "boarding_in", where)
        refs["issued_by"] = issued
        refs["boarding_in"] = within
        for key, ids in refs.items():
            for aid in ids:
                if isinstance(aid, str) and aid not in authorities:
                    c.problems.append(f"{where}.{key}: '{aid}' is not an [[authority]] id")
        windows: list[Window] = []
        raw_w = c.get(tab, "weekday_windows", where, lambda v: isinstance(v, list) and bool(v)
                      and all(isinstance(p, list) and len(p) == 2 for p in v),
                      'a list of ["HH:MM", "HH:MM"] pairs', [])
        for j, pair in enumerate(raw_w or []):
            win = c.window(pair[0], pair[1], f"{where}.weekday_windows[{j}]")
            if win:
                windows.append(win)
        rules.append(LocalRule(
            id=c.text(tab, "id", where), authority=c.text(tab, "authority", where),
            passes=c.passes(tab, "passes", where), issued_by=frozenset(issued),
            boarding_in=frozenset(within),
            boarding_atco_prefixes=c.strings(tab, "boarding_atco_prefixes", where),
            route_types=c.route_types(tab, "route_types", where, required=False),
            weekday_windows=tuple(windows),
            companion_free=c.flag(tab, "companion_free", where, False),
            as_of=c.day(tab, "as_of", where), sources=_sources(c, tab, where),
            note=str(tab.get("note", ""))))
    return tuple(rules)


def _policy_from_doc(doc: dict[str, Any], path: str) -> FarePolicy:
    c = _Checker()
    c.unknown(doc, "(top level)", _TOP)
    if doc.get("schema") != SCHEMA:
        c.problems.append(f"schema: {doc.get('schema')!r} is not {SCHEMA!r}")
    meta = c.table(doc, "policy", "policy", _POLICY)
    w = "policy"
    currency = c.text(meta, "currency", w)
    if currency and currency != "GBP":
        c.problems.append(f"policy.currency: {currency!r}: only GBP (pence) is supported")
    tz = c.text(meta, "timezone", w)
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            c.problems.append(f"policy.timezone: {tz!r} is not an IANA time zone")
    after = c.get(meta, "after_known_until", w, lambda v: v in ("keep-last", "unknown"),
                  "'keep-last' or 'unknown'", "keep-last", required=False)
    caps = _read_caps(c, doc)
    concession = _read_concession(c, doc)
    authorities = _read_authorities(c, doc)
    local = _read_local(c, doc, authorities)
    known_until = c.day(meta, "known_until", w)
    last_end = max((cap.end for cap in caps), default=date.min)
    if known_until != date.min and known_until < last_end:
        c.problems.append(f"policy.known_until: {known_until} is before the last cap ends "
                          f"({last_end})")
    policy = FarePolicy(
        id=c.text(meta, "id", w), name=c.text(meta, "name", w),
        version=c.text(meta, "version", w), reviewed=c.day(meta, "reviewed", w),
        currency=currency, timezone=tz, bank_holiday_division=c.text(meta, "bank_holidays", w),
        known_until=known_until, after_known_until=after,
        out_of_scope=c.strings(meta, "out_of_scope", w), caps=caps, concession=concession,
        authorities=authorities, local=local, source_file=path)
    if c.problems:
        raise PolicyError(path, c.problems)
    return policy


def load_policy(path: str | Path | None = None) -> FarePolicy:
    """Read and validate a fare policy TOML file (None or "": the shipped England policy)."""
    file = Path(path) if path else SHIPPED_POLICY
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise PolicyError(str(file), [f"cannot read the file ({exc.strerror})"]) from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(str(file), ["not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(str(file), [f"not valid TOML: {exc}"]) from None
    return _policy_from_doc(doc, str(file))


@lru_cache(maxsize=1)
def default_policy() -> FarePolicy:
    """The shipped England policy, read once."""
    return load_policy()
