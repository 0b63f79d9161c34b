"""Pricing journeys: a fare per leg and in total, there and back, with the client's pass."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np

from app.fares.concessions import PassVerdict, free_windows, pass_verdict
from app.fares.gtfs_fares import FeedFares, Ticket
from app.fares.legs import NO_PASS, BusPass, FareLeg
from app.fares.money import format_pence
from app.fares.policy import FarePolicy, Window, default_policy, load_policy
from app.holidays import BankHolidays, default_bank_holidays, load_bank_holidays

__all__ = ["FareModel", "JourneyFare", "LegFare", "PriceBasis", "RoundTripFare"]

PriceBasis = Literal["walk", "pass", "feed", "feed-capped", "cap", "transfer", "unknown"]


@dataclass(frozen=True)
class LegFare:
    """The price of one leg for the client, and why."""

    leg: FareLeg
    pence: int | None  # None: the fare is not known
    basis: PriceBasis
    reason: str  # in the client's words: "free with your bus pass: ..." or "up to £3: ..."
    pass_free: bool = False
    pass_reason: str = ""  # "" when there is no pass or the leg is a walk
    paid_pence: int | None = 0  # the fare without the pass (what the free option saves)
    upper_bound: bool = False  # pence is the cap; the operator's own fare may be lower
    companion_pence: int | None = None  # set for "companion" passes only
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields of the leg's fare."""
        return {"mode": self.leg.mode, "route_id": self.leg.route_id, "label": self.leg.label,
                "boarding": self.leg.boarding.isoformat(timespec="minutes"),
                "pence": self.pence, "basis": self.basis, "reason": self.reason,
                "pass_free": self.pass_free, "pass_reason": self.pass_reason,
                "paid_pence": self.paid_pence, "upper_bound": self.upper_bound,
                "companion_pence": self.companion_pence}


@dataclass(frozen=True)
class JourneyFare:
    """The fares of a one-way journey."""

    legs: tuple[LegFare, ...]
    holder: BusPass = NO_PASS
    warnings: tuple[str, ...] = ()

    @property
    def total_pence(self) -> int | None:
        """Sum of the legs, or None when any leg's fare is not known."""
        parts = [f.pence for f in self.legs]
        return None if any(p is None for p in parts) else sum(p or 0 for p in parts)

    @property
    def known_pence(self) -> int:
        """Sum of the legs whose fare is known."""
        return sum(f.pence or 0 for f in self.legs)

    @property
    def upper_bound(self) -> bool:
        """Whether any leg is priced at the cap rather than an actual fare."""
        return any(f.upper_bound and f.pence for f in self.legs)

    @property
    def n_buses(self) -> int:
        """Bus rides in the journey."""
        return sum(1 for f in self.legs if f.leg.mode == "bus")

    @property
    def free_with_pass(self) -> bool:
        """Every bus ride is free with the client's pass (False for walk-only journeys)."""
        buses = [f for f in self.legs if f.leg.mode == "bus"]
        return bool(buses) and all(f.pass_free for f in buses)

    @property
    def companion_total_pence(self) -> int | None:
        """What a companion pays (companion passes only; None if not known or no companion)."""
        if self.holder.kind != "companion":
            return None
        parts = [f.companion_pence if f.leg.mode == "bus" else 0 for f in self.legs]
        return None if any(p is None for p in parts) else sum(p or 0 for p in parts)

    def describe(self) -> str:
        """One phrase: "free with your bus pass", "£3", "up to £6", "fare not known"."""
        if self.n_buses == 0:
            return "no bus fare (walk)"
        if self.free_with_pass:
            return "free with your bus pass"
        total = self.total_pence
        if total is None:
            return "fare not known"
        return ("up to " if self.upper_bound else "") + format_pence(total)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields of the journey's fares."""
        return {"total_pence": self.total_pence, "upper_bound": self.upper_bound,
                "free_with_pass": self.free_with_pass, "text": self.describe(),
                "companion_total_pence": self.companion_total_pence,
                "legs": [f.as_dict() for f in self.legs if f.leg.mode == "bus"],
                "warnings": list(self.warnings)}


@dataclass(frozen=True)
class RoundTripFare:
    """Fares there and back."""

    there: JourneyFare
    back: JourneyFare

    @property
    def total_pence(self) -> int | None:
        """Both ways, or None when either is not known."""
        a, b = self.there.total_pence, self.back.total_pence
        return None if a is None or b is None else a + b

    @property
    def upper_bound(self) -> bool:
        """Whether any leg is priced at the cap rather than an actual fare."""
        return self.there.upper_bound or self.back.upper_bound

    @property
    def free_with_pass(self) -> bool:
        """Every bus ride both ways is free with the pass (and there is at least one)."""
        rides = [f for j in (self.there, self.back) for f in j.legs if f.leg.mode == "bus"]
        return bool(rides) and all(f.pass_free for f in rides)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Both journeys' warnings, once each."""
        return tuple(dict.fromkeys(self.there.warnings + self.back.warnings))

    def describe(self) -> str:
        """"£3 each way", "free both ways with your bus pass", "£3 there, free back with
        your bus pass"."""
        a, b = self.there.describe(), self.back.describe()
        if self.free_with_pass:
            return "free both ways with your bus pass"
        if a == b:
            return f"{a} each way"
        # "free with your bus pass back" reads badly; the pass goes after the direction.
        there = "free there with your bus pass" if self.there.free_with_pass else f"{a} there"
        back = "free back with your bus pass" if self.back.free_with_pass else f"{b} back"
        return f"{there}, {back}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (see docs/fares.md for the finder's row fields)."""
        return {"fare_out_pence": self.there.total_pence,
                "fare_back_pence": self.back.total_pence,
                "fare_total_pence": self.total_pence, "fare_upper_bound": self.upper_bound,
                "fare_free_with_pass": self.free_with_pass, "fare_text": self.describe(),
                "fare_out": self.there.as_dict(), "fare_back": self.back.as_dict(),
                "fare_warnings": list(self.warnings)}


def _warnings(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for g in groups for w in g if w))


@dataclass
class FareModel:
    """The fare policy, bank holidays and feeds' own fares, and what they say journeys cost."""

    policy: FarePolicy = field(default_factory=default_policy)
    holidays: BankHolidays = field(default_factory=default_bank_holidays)
    feeds: Mapping[str, FeedFares] = field(default_factory=dict)

    @classmethod
    def from_files(cls, policy_file: str | Path | None = None,
                   bank_holidays_file: str | Path | None = None,
                   feeds: Iterable[FeedFares] = ()) -> FareModel:
        """A model from a policy file and a GOV.UK bank-holidays file (None: shipped ones)."""
        policy = load_policy(policy_file) if policy_file else default_policy()
        holidays = (load_bank_holidays(bank_holidays_file, policy.bank_holiday_division)
                    if bank_holidays_file or policy.bank_holiday_division != "england-and-wales"
                    else default_bank_holidays())
        return cls(policy, holidays, {f.name: f for f in feeds})

    # ---- the pass ---------------------------------------------------------------------

    def pass_verdict(self, leg: FareLeg, holder: BusPass) -> PassVerdict:
        """Whether the pass makes one leg free, and why."""
        return pass_verdict(leg, holder, self.policy, self.holidays)

    def free_windows(self, day: date, holder: BusPass, route_type: int = 3,
                     board_stop_id: str = "") -> list[Window]:
        """When on `day` the pass makes boarding free (seconds after local midnight)."""
        return free_windows(day, holder, self.policy, self.holidays, route_type, board_stop_id)

    def earliest_free_boarding(self, day: date, holder: BusPass, route_type: int = 3,
                               board_stop_id: str = "", not_before_s: int = 0) -> int | None:
        """The first second (local, after midnight) from `not_before_s` at which boarding is
        free with the pass on `day`; None when it is not free again that day."""
        for w in self.free_windows(day, holder, route_type, board_stop_id):
            if w.contains(max(not_before_s, w.start_s)):
                return max(not_before_s, w.start_s)
        return None

    def free_boarding_mask(self, day: date, seconds: np.ndarray, holder: BusPass,
                           route_type: int = 3, board_stop_id: str = "") -> np.ndarray:
        """Vectorised: which boarding times (local seconds after midnight) are free (planner)."""
        secs = np.asarray(seconds)
        mask = np.zeros(secs.shape, dtype=bool)
        for w in self.free_windows(day, holder, route_type, board_stop_id):
            upper = secs <= w.end_s if w.end_inclusive else secs < w.end_s
            mask |= (secs >= w.start_s) & upper
        return mask

    def free_journey_mask(self, day: date, first_board_s: np.ndarray, last_board_s: np.ndarray,
                          holder: BusPass, route_type: int = 3,
                          board_stop_id: str = "") -> np.ndarray:
        """Vectorised: journeys whose every boarding is free, from their first and last
        boardings (local seconds after midnight on `day`; the planner's matrices).

        A window is one unbroken stretch of time, so a journey whose first and last
        boardings fall in the same window has every boarding in between free too.
        """
        first, last = np.asarray(first_board_s), np.asarray(last_board_s)
        mask = np.zeros(np.broadcast(first, last).shape, dtype=bool)
        for w in self.free_windows(day, holder, route_type, board_stop_id):
            upper = last <= w.end_s if w.end_inclusive else last < w.end_s
            mask |= (first >= w.start_s) & (first <= last) & upper
        return mask

    # ---- prices -----------------------------------------------------------------------

    def _paid(self, leg: FareLeg, tickets: list[Ticket]
              ) -> tuple[int | None, PriceBasis, str, bool, str]:
        """(pence, basis, reason, upper_bound, warning) of a bus leg paid without a pass."""
        cap, warn = self.policy.cap_on(leg.boarding.date())
        excluded = cap.exclusion(leg.route_type, leg.route_id, leg.agency_id) if cap else None
        feed = self.feeds.get(leg.feed) if leg.feed else None
        quote = feed.quote(leg, tickets, self.policy.currency) if feed else None
        if quote is not None and quote.currency != self.policy.currency:
            return (None, "unknown", f"fare not known: the timetable's fares are in "
                    f"{quote.currency}, not {self.policy.currency}", False, "")
        if quote is not None and quote.minor is not None:
            if quote.ticket is not None:
                tickets.append(quote.ticket)
            if quote.covered:
                return 0, "transfer", f"£0: {quote.reason}", False, ""
            if cap is not None and excluded is None and quote.minor > cap.single_pence:
                c = format_pence(cap.single_pence)
                return (cap.single_pence, "feed-capped", f"{c}: {quote.reason} is "
                        f"{format_pence(quote.minor)}, capped at {c} by the {cap.name}",
                        False, warn or "")
            return quote.minor, "feed", f"{format_pence(quote.minor)}: {quote.reason}", False, ""
        if cap is not None and excluded is None:
            c = format_pence(cap.single_pence)
            return (cap.single_pence, "cap", f"up to {c}: the {cap.name} on single tickets "
                    "(the operator's own fare may be lower)", True, warn or "")
        why = excluded or warn or "no fare cap is known for that date"
        return (None, "unknown", f"fare not known: {why}, and the timetable carries no fare "
                "for it", False, warn or "")

    def _price(self, legs: Sequence[FareLeg], holder: BusPass) -> list[LegFare]:
        out: list[LegFare] = []
        tickets: list[Ticket] = []
        for leg in legs:
            if leg.mode == "walk":
                out.append(LegFare(leg, 0, "walk", "walk"))
                continue
            verdict = self.pass_verdict(leg, holder)
            if verdict.free:
                for t in tickets:
                    t.open = False  # no ticket for this ride, so no transfer onto the next
                paid, _, _, _, warn = self._paid(leg, [])
                out.append(LegFare(leg, 0, "pass", verdict.reason, True, verdict.reason, paid,
                                   warnings=_warnings([verdict.warning, warn])))
                continue
            pence, basis, reason, upper, warn = self._paid(leg, tickets)
            text = f"{verdict.reason}; {reason}" if verdict.applies else reason
            out.append(LegFare(leg, pence, basis, text, False, verdict.reason, pence, upper,
                               warnings=_warnings([verdict.warning, warn])))
        return out

    def price_journey(self, legs: Sequence[FareLeg], holder: BusPass = NO_PASS) -> JourneyFare:
        """Price a one-way journey leg by leg for a client holding `holder`."""
        priced = self._price(legs, holder)
        extra: list[str] = []
        if holder.holds_pass:
            full = self._price(legs, NO_PASS)
            with_pass = sum(f.pence or 0 for f in priced)
            without = sum(f.pence or 0 for f in full)
            if all(f.pence is not None for f in full) and without < with_pass:
                # Never worse off with a pass: the client can always buy tickets instead.
                priced = full
                extra.append("buying tickets all the way is cheaper here than using the pass")
            if holder.kind == "companion":
                priced = [
                    _with_companion(f, self.pass_verdict(f.leg, holder), full[i])
                    for i, f in enumerate(priced)]
        return JourneyFare(tuple(priced), holder,
                           _warnings(extra, *(f.warnings for f in priced)))

    def price_round_trip(self, there: Sequence[FareLeg], back: Sequence[FareLeg],
                         holder: BusPass = NO_PASS) -> RoundTripFare:
        """Price the journey there and the journey back."""
        return RoundTripFare(self.price_journey(there, holder), self.price_journey(back, holder))


def _with_companion(f: LegFare, verdict: PassVerdict, full: LegFare) -> LegFare:
    """The leg with what a companion pays: nothing when the pass frees them, else the fare."""
    if f.leg.mode != "bus":
        return f
    pence = 0 if verdict.companion_free else full.pence
    return LegFare(f.leg, f.pence, f.basis, f.reason, f.pass_free, f.pass_reason,
                   f.paid_pence, f.upper_bound, pence, f.warnings)
