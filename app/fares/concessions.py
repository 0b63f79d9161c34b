"""When a bus pass makes a leg free: the ENCTS window, weekends, bank holidays, local extras."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.fares.legs import BusPass, FareLeg
from app.fares.policy import FarePolicy, LocalRule, Window
from app.holidays import BankHolidays

__all__ = ["PassVerdict", "free_windows", "pass_verdict"]

DAY_S = 86400
_ALL_DAY = Window(0, DAY_S)


@dataclass(frozen=True)
class PassVerdict:
    """Whether the client's pass makes one leg free, and why (in words for the client)."""

    applies: bool  # the client holds a pass and the leg is a bus ride
    free: bool
    companion_free: bool
    reason: str
    rule: str = ""  # "ENCTS" or the id of the local rule that made it free
    warning: str = ""


def clock(second: int) -> str:
    """HH:MM of seconds after midnight."""
    return f"{second // 3600:02d}:{second % 3600 // 60:02d}"


def _day_kind(day: date, policy: FarePolicy, holidays: BankHolidays) -> tuple[str, str]:
    """("bank holiday"|"weekend"|"weekday", words) for a date."""
    name = holidays.name(day)
    if name:
        return "bank holiday", f"bank holiday ({name})"
    if day.weekday() >= 5:
        return "weekend", f"{day:%A}"
    return "weekday", "weekday"


def _holiday_warning(day: date, holidays: BankHolidays) -> str:
    if holidays.covers(day) or day.weekday() >= 5:
        return ""
    return (f"bank holidays for {day.year} are not in the calendar data: weekday rules were "
            "applied; check whether this is a bank holiday")


def _local_applies(rule: LocalRule, holder: BusPass, leg_route_type: int, stop_id: str,
                   policy: FarePolicy) -> bool:
    """Whether a local enhancement covers this pass, service and boarding place at all."""
    if holder.kind not in rule.passes:
        return False
    if rule.issued_by and holder.issued_by not in rule.issued_by:
        return False
    types = rule.route_types or policy.concession.route_types
    if leg_route_type not in types:
        return False
    if not rule.boarding_in and not rule.boarding_atco_prefixes:
        return True
    if any(stop_id.startswith(p) for p in rule.boarding_atco_prefixes):
        return True
    area = policy.authority_for_stop(stop_id) if stop_id else None
    return area is not None and area.id in rule.boarding_in


def _statutory_windows(day_kind: str, holder: BusPass, policy: FarePolicy,
                       day: date) -> list[Window]:
    c = policy.concession
    if holder.kind not in c.passes or day < c.start:
        return []
    if day_kind == "bank holiday" and c.bank_holidays_all_day:
        return [_ALL_DAY]
    if day_kind == "weekend" and c.weekends_all_day:
        return [_ALL_DAY]
    return [c.weekday]


def _local_windows(rule: LocalRule, day_kind: str, policy: FarePolicy) -> list[Window]:
    c = policy.concession
    if (day_kind == "bank holiday" and c.bank_holidays_all_day) or (
            day_kind == "weekend" and c.weekends_all_day):
        return [_ALL_DAY]
    return list(rule.weekday_windows)


def free_windows(day: date, holder: BusPass, policy: FarePolicy, holidays: BankHolidays,
                 route_type: int = 3, board_stop_id: str = "", route_id: str = "",
                 agency_id: str = "") -> list[Window]:
    """The times of `day` (seconds after local midnight) a pass makes boarding free, merged."""
    if not holder.holds_pass:
        return []
    kind, _ = _day_kind(day, policy, holidays)
    wins: list[Window] = []
    if policy.concession.exclusion(route_type, route_id, agency_id) is None:
        wins += _statutory_windows(kind, holder, policy, day)
    for rule in policy.local:
        if _local_applies(rule, holder, route_type, board_stop_id, policy) and (
                route_id not in policy.concession.excluded_route_ids):
            wins += _local_windows(rule, kind, policy)
    return _merge(wins)


def _merge(wins: list[Window]) -> list[Window]:
    """Union of windows, as few as possible, in time order."""
    out: list[Window] = []
    for w in sorted(wins, key=lambda w: (w.start_s, -w.end_s)):
        if out and w.start_s <= out[-1].end_s:
            last = out[-1]
            if w.end_s > last.end_s or (w.end_s == last.end_s and w.end_inclusive):
                out[-1] = Window(last.start_s, w.end_s, w.end_inclusive)
        else:
            out.append(w)
    return out


def pass_verdict(leg: FareLeg, holder: BusPass, policy: FarePolicy,
                 holidays: BankHolidays) -> PassVerdict:
    """Whether `holder`'s pass makes `leg` free, with the reason in a client's words."""
    if leg.mode != "bus" or not holder.holds_pass:
        return PassVerdict(False, False, False, "")
    when: datetime = leg.boarding
    day = when.date()
    second = when.hour * 3600 + when.minute * 60 + when.second
    kind, words = _day_kind(day, policy, holidays)
    warning = _holiday_warning(day, holidays)
    c = policy.concession
    excluded = c.exclusion(leg.route_type, leg.route_id, leg.agency_id)
    at = clock(second)

    granted_by = ""
    if excluded is None and any(w.contains(second) for w in
                                _statutory_windows(kind, holder, policy, day)):
        granted_by = "ENCTS"
    companion = False
    for rule in policy.local:
        if leg.route_id and leg.route_id in c.excluded_route_ids:
            break
        if not _local_applies(rule, holder, leg.route_type, leg.board_stop_id, policy):
            continue
        if any(w.contains(second) for w in _local_windows(rule, kind, policy)):
            granted_by = granted_by or rule.id
            companion = companion or (rule.companion_free and holder.kind == "companion")

    if granted_by:
        if kind != "weekday":
            why = f"free with your bus pass: {words}, all day"
        elif granted_by == "ENCTS":
            why = (f"free with your bus pass: boards at {at}, at or after "
                   f"{clock(c.weekday.start_s)} on a weekday")
        else:
            auth = policy.authorities.get(_rule(policy, granted_by).authority)
            why = (f"free with your bus pass: boards at {at}, which "
                   f"{auth.name if auth else granted_by} allows on weekdays")
        if holder.kind == "companion":
            why += "; your companion travels free too" if companion else \
                "; your companion pays"
        return PassVerdict(True, True, companion, why, granted_by, warning)

    if excluded is not None and not any(
            _local_applies(r, holder, leg.route_type, leg.board_stop_id, policy)
            for r in policy.local):
        return PassVerdict(True, False, False, f"not free: {excluded}", "", warning)
    if holder.kind not in c.passes or day < c.start:
        return PassVerdict(True, False, False,
                           f"not free: this pass is not valid on {c.name} journeys", "", warning)
    wins = free_windows(day, holder, policy, holidays, leg.route_type, leg.board_stop_id,
                        leg.route_id, leg.agency_id)
    later = [w for w in wins if w.start_s > second]
    if later:
        why = f"not free: boards at {at}, before {clock(later[0].start_s)}"
    elif wins:
        end = wins[-1]
        why = f"not free: boards at {at}, after {clock(end.end_s)}"
    else:
        why = f"not free: boards at {at}, outside the bus pass hours"
    return PassVerdict(True, False, False, why, "", warning)


def _rule(policy: FarePolicy, rule_id: str) -> LocalRule:
    return next(r for r in policy.local if r.id == rule_id)
