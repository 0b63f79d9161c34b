"""Round trips home -> activity -> home for many sessions from two profiles (client side).

The other strategy, `roundtrip_venue`, searches from each venue instead, for batches of
many origins.

One forward profile from home (leaving in a window before the sessions start) and one
reverse profile to home (arriving in a window after they end) answer every session of
the same service date; no per-target search is run.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numba as nb
import numpy as np

from app.routing.gtfs_time import format_hm
from app.routing.journey import Journey, Place, walk_only
from app.routing.profile import Profile, forward_profile, reverse_profile
from app.routing.raptor import INF, MAX_BUSES, MAX_MINUTES, QueryParams, Router, SearchResult
from app.routing.timetable import Timetable
from app.routing.venue_session import VenueSession
from app.routing.walk import walk_seconds, walk_seconds_array

NEG = -(1 << 40)
POS = 1 << 40
DAY_S = 86_400


# Arrive this long before a session starts and leave this long after it ends (method.md).
BUFFER_S = 300


@dataclass(frozen=True)
class RoundTripParams:
    """Constraints of a round trip."""

    query: QueryParams = field(default_factory=QueryParams)
    arrival_buffer_s: int = BUFFER_S  # arrive this long before the start
    return_buffer_s: int = BUFFER_S  # leave this long after the end
    max_journey_s: int | None = 3600  # each way, from leaving to arriving; None = no limit
    lookback_s: int = 3 * 3600  # profile windows reach this far beyond the sessions
    # The client's hours (leave home from, be home by), service-day seconds. When given,
    # every answer for a session depends on that session alone, never on the others in
    # the batch: ways there are searched from `lookback_s` before the hours start; the
    # last departure is the latest leave-the-target time whose journey gets home by the
    # end of the hours, searched over the whole service day.
    home_window_s: tuple[int, int] | None = None


@dataclass
class RoundTrip:
    """The answer for one session."""

    session: VenueSession
    feasible: bool
    reasons: list[str]
    leave_home_s: int | None = None  # latest time to leave home
    arrive_target_s: int | None = None
    outbound: Journey | None = None
    leave_target_s: int | None = None  # when the return plan leaves the target
    arrive_home_s: int | None = None  # earliest arrival home
    inbound: Journey | None = None
    last_departure_s: int | None = None  # latest leave-target time that still gets home
    walkable: bool = False  # target within walking distance of home: no bus needed
    last_way_home: Journey | None = None  # the journey leaving at last_departure_s
    next_inbound: Journey | None = None  # the way home if the planned one is missed

    @property
    def reason(self) -> str | None:
        """Human-readable reason when infeasible."""
        return "; ".join(self.reasons) if self.reasons else None


@nb.njit(cache=True)
def _scan_outbound(ptr: np.ndarray, dep: np.ndarray, arr: np.ndarray, nbus: np.ndarray,
                   eg_ptr: np.ndarray, eg_stop: np.ndarray, eg_time: np.ndarray,
                   deadline: np.ndarray, earliest: np.ndarray, max_k: int, max_j: int) -> tuple:
    """Per target: best entry (latest departure) and diagnostics for failures.

    Only departures at or after `earliest[j]` count, so that what is reported for a target
    does not depend on how far the profile window reaches for the other targets.
    """
    n = deadline.shape[0]
    best_i = np.full(n, -1, np.int64)
    best_x = np.full(n, -1, np.int64)
    best_dep = np.full(n, NEG, np.int64)
    min_k_needed = np.full(n, 99, np.int64)  # fewest buses among in-time, short-enough ones
    too_long = np.zeros(n, np.bool_)  # in time with allowed buses, but too long
    for j in range(n):
        for x in range(eg_ptr[j], eg_ptr[j + 1]):
            s = eg_stop[x]
            w = eg_time[x]
            for i in range(ptr[s], ptr[s + 1]):
                a = arr[i] + w
                if a > deadline[j] or dep[i] < earliest[j]:
                    continue
                dur_ok = max_j < 0 or a - dep[i] <= max_j
                if dur_ok and nbus[i] < min_k_needed[j]:
                    min_k_needed[j] = nbus[i]
                if nbus[i] <= max_k:
                    if not dur_ok:
                        too_long[j] = True
                    elif dep[i] > best_dep[j] or (dep[i] == best_dep[j]
                                                   and nbus[i] < nbus[best_i[j]]):
                        best_dep[j] = dep[i]
                        best_i[j] = i
                        best_x[j] = x
    return best_i, best_x, min_k_needed, too_long


@nb.njit(cache=True)
def _scan_return(ptr: np.ndarray, dep: np.ndarray, arr: np.ndarray, nbus: np.ndarray,
                 ac_ptr: np.ndarray, ac_stop: np.ndarray, ac_time: np.ndarray,
                 leave: np.ndarray, home_lo: int, home_hi: int, max_k: int,
                 max_j: int) -> tuple:
    """Per target: earliest arrival home leaving at/after `leave`, last departure, diagnostics.

    The last departure counts only journeys reaching home in [home_lo, home_hi]; among
    equally late ones, the fewest buses and then the earliest arrival win (stable ties).
    """
    n = leave.shape[0]
    best_i = np.full(n, -1, np.int64)
    best_x = np.full(n, -1, np.int64)
    best_arr = np.full(n, POS, np.int64)
    last_dep = np.full(n, NEG, np.int64)
    last_i = np.full(n, -1, np.int64)
    last_x = np.full(n, -1, np.int64)
    min_k_needed = np.full(n, 99, np.int64)
    too_long = np.zeros(n, np.bool_)
    for j in range(n):
        for x in range(ac_ptr[j], ac_ptr[j + 1]):
            s = ac_stop[x]
            w = ac_time[x]
            for i in range(ptr[s], ptr[s + 1]):
                go = dep[i] - w  # leave the target, walk, board
                dur_ok = max_j < 0 or arr[i] - go <= max_j
                if nbus[i] <= max_k and dur_ok and home_lo <= arr[i] <= home_hi:
                    li = last_i[j]
                    if go > last_dep[j] or (go == last_dep[j] and (
                            nbus[i] < nbus[li] or (nbus[i] == nbus[li] and arr[i] < arr[li]))):
                        last_dep[j] = go
                        last_i[j] = i
                        last_x[j] = x
                if go < leave[j]:
                    continue
                if dur_ok and nbus[i] < min_k_needed[j]:
                    min_k_needed[j] = nbus[i]
                if nbus[i] <= max_k:
                    if not dur_ok:
                        too_long[j] = True
                    elif arr[i] < best_arr[j] or (arr[i] == best_arr[j]
                                                   and nbus[i] < nbus[best_i[j]]):
                        best_arr[j] = arr[i]
                        best_i[j] = i
                        best_x[j] = x
    return best_i, best_x, last_dep, last_i, last_x, min_k_needed, too_long


@nb.njit(cache=True)
def _scan_next(ptr: np.ndarray, dep: np.ndarray, arr: np.ndarray, nbus: np.ndarray,
               trip: np.ndarray, ac_ptr: np.ndarray, ac_stop: np.ndarray, ac_time: np.ndarray,
               after: np.ndarray, missed: np.ndarray, max_k: int, max_j: int) -> tuple:
    """Per target: the earliest-arriving way home boarding its first bus after `after[j]`.

    `trip` is each entry's first bus; the missed bus (`missed[j]`) caught further along
    its route is not another way home.
    """
    n = after.shape[0]
    best_i = np.full(n, -1, np.int64)
    best_x = np.full(n, -1, np.int64)
    best_arr = np.full(n, POS, np.int64)
    for j in range(n):
        if after[j] <= NEG:
            continue
        for x in range(ac_ptr[j], ac_ptr[j + 1]):
            s = ac_stop[x]
            w = ac_time[x]
            for i in range(ptr[s], ptr[s + 1]):
                if dep[i] <= after[j] or nbus[i] > max_k or trip[i] == missed[j]:
                    continue
                if max_j >= 0 and arr[i] - (dep[i] - w) > max_j:
                    continue
                if arr[i] < best_arr[j] or (arr[i] == best_arr[j] and nbus[i] < nbus[best_i[j]]):
                    best_arr[j] = arr[i]
                    best_i[j] = i
                    best_x[j] = x
    return best_i, best_x


def _minutes(seconds: int) -> int:
    return seconds // 60


@dataclass(frozen=True)
class HomeProfile:
    """The forward profile out of home over a departure window, computed once and handed
    to `plan_round_trips` (e.g. after reading how far it reaches)."""

    profile: Profile
    home_lat: float
    home_lon: float
    t_from: int
    t_to: int

    def reached_stops(self) -> np.ndarray:
        """Stops some way there reaches by bus (within the journey limit, if any)."""
        return np.flatnonzero(np.diff(self.profile.ptr) > 0)


def _profile_query(p: RoundTripParams) -> QueryParams:
    """The profiles' query: every bus count (so "needs 3 buses" can be told) and, with a
    journey limit, a time cap at it (see `plan_round_trips`)."""
    q = p.query
    cap = _cap_minutes(-1 if p.max_journey_s is None else int(p.max_journey_s))
    return QueryParams(max_buses=MAX_BUSES, wheelchair=q.wheelchair, walk=q.walk,
                       max_minutes=cap)


def home_profile(router: Router, home_lat: float, home_lon: float, t_from: int, t_to: int,
                 params: RoundTripParams | None = None) -> HomeProfile:
    """The forward profile from home for departures in [t_from, t_to] (see HomeProfile)."""
    p = params or RoundTripParams()
    prof = forward_profile(router, home_lat, home_lon, int(t_from), int(t_to),
                           _profile_query(p), name="home")
    return HomeProfile(prof, float(home_lat), float(home_lon), int(t_from), int(t_to))


def plan_round_trips(router: Router, home_lat: float, home_lon: float,
                     sessions: Sequence[VenueSession],
                     params: RoundTripParams | None = None, *,
                     home_fwd: HomeProfile | None = None) -> list[RoundTrip]:
    """Round trips from home for sessions on the router's service date (two profiles total).

    `home_fwd` is a forward profile from `home_profile` with the same router, point and
    params; it is used when its window covers what the sessions need (else one is run).
    """
    p = params or RoundTripParams()
    if not sessions:
        return []
    day = router.tt.service_date
    for s in sessions:
        if s.date.isoformat() != day:
            raise ValueError(f"session on {s.date} but the timetable is for {day}")
    q = p.query
    wp = q.walk
    max_j = -1 if p.max_journey_s is None else int(p.max_journey_s)
    # With a journey limit the profiles stop each search at the limit: every journey a
    # plan may use is within it, and what lies beyond it is only needed to tell "over N
    # min" from "no bus", which two plain searches answer (`_ever_there`, `_ever_back`).
    qmax = _profile_query(p)
    cap = qmax.max_minutes
    starts = np.array([s.start_s for s in sessions], np.int64)
    ends = np.array([s.end_s for s in sessions], np.int64)
    deadline = starts - p.arrival_buffer_s
    leave = ends + p.return_buffer_s
    if p.home_window_s is None:
        earliest = deadline - p.lookback_s
        rev_from = int(leave.min()) - p.lookback_s
        home_lo, home_hi = NEG, POS
    else:
        # Fixed per client, not per batch: a way there may leave as early as this.
        earliest = np.minimum(deadline, int(p.home_window_s[0])) - p.lookback_s
        home_lo, home_hi = 0, int(p.home_window_s[1])
        rev_from = min(home_lo, int(leave.min()))
    lo, hi = int(earliest.min()), int(deadline.max())
    hp = home_fwd
    if hp is not None and hp.t_from <= lo and hi <= hp.t_to and hp.profile.params == qmax \
            and hp.profile.side is router.forward \
            and (hp.home_lat, hp.home_lon) == (float(home_lat), float(home_lon)):
        # A wider window changes no answer: each target reads only the departures in its
        # own [earliest, deadline], and later departures arrive after every deadline.
        fwd = hp.profile
    else:
        fwd = forward_profile(router, home_lat, home_lon, lo, hi, qmax, name="home")
    # The day's end does not depend on the sessions, so neither does any return found.
    day_end = max(_last_arrival(router.tt), DAY_S) + p.lookback_s
    rev = reverse_profile(router, home_lat, home_lon, rev_from, day_end, qmax, name="home")
    lats = np.array([s.lat for s in sessions], float)
    lons = np.array([s.lon for s in sessions], float)
    eg_ptr, eg_stop, eg_m = router.walker.egress_many(lats, lons, wp.max_walk_m)
    ac_ptr, ac_stop, ac_m = router.walker.access_many(lats, lons, wp.max_walk_m)
    eg_t = walk_seconds_array(eg_m, wp.speed_kmh).astype(np.int64)
    out_i, out_x, out_k, out_long = _scan_outbound(
        fwd.ptr, fwd.dep, fwd.arr, fwd.n_buses.astype(np.int64), eg_ptr, eg_stop, eg_t,
        deadline, earliest.astype(np.int64), q.max_buses, max_j)
    rev_nbus = rev.n_buses.astype(np.int64)
    ac_t = walk_seconds_array(ac_m, wp.speed_kmh).astype(np.int64)
    ret_i, ret_x, last, last_i, last_x, ret_k, ret_long = _scan_return(
        rev.ptr, rev.dep, rev.arr, rev_nbus, ac_ptr, ac_stop, ac_t, leave, home_lo, home_hi,
        q.max_buses, max_j)
    if cap is not None:
        # The capped profiles hold no journey over the limit; "over N min" needs only
        # whether any journey (of any length) gets there in time / back that day.
        qk = QueryParams(max_buses=q.max_buses, wheelchair=q.wheelchair, walk=wp)
        need = (out_i < 0) & (out_k > MAX_BUSES)
        out_long = _ever_there(router, home_lat, home_lon, qk, need, earliest.astype(np.int64),
                               deadline, eg_ptr, eg_stop, eg_t)
        need = (ret_i < 0) & (ret_k > MAX_BUSES)
        ret_long = _ever_back(router, home_lat, home_lon, qk, need, day_end, leave, ac_ptr,
                              ac_stop, ac_t)
    # The first bus of each planned way home: the next way home boards after it.
    first_trip = rev.log[5][rev.entry].astype(np.int64)
    pad_dep, pad_trip = np.r_[rev.dep, NEG], np.r_[first_trip, -1]  # index -1: no plan
    first_bus = pad_dep[ret_i].astype(np.int64)
    missed = pad_trip[ret_i].astype(np.int64)
    nxt_i, nxt_x = _scan_next(rev.ptr, rev.dep, rev.arr, rev_nbus, first_trip, ac_ptr, ac_stop,
                              ac_t, first_bus, missed, q.max_buses, max_j)
    home = Place("home", home_lat, home_lon)
    results = []
    direct_all = router.walker.direct_many(home_lat, home_lon, lats, lons)
    for j, s in enumerate(sessions):
        target = Place(s.name, s.lat, s.lon)
        rt = RoundTrip(session=s, feasible=False, reasons=[])
        direct = float(direct_all[j])
        walk_t = walk_seconds(direct, wp.speed_kmh) if direct <= wp.max_walk_m else None
        rt.walkable = walk_t is not None and (max_j < 0 or walk_t <= max_j)
        _outbound(rt, fwd, int(out_i[j]), int(out_x[j]), target, eg_m, int(deadline[j]),
                  home, direct if rt.walkable else None, wp.speed_kmh)
        _inbound(rt, rev, int(ret_i[j]), int(ret_x[j]), target, ac_m, int(leave[j]),
                 int(last[j]), home, direct if rt.walkable else None, wp.speed_kmh)
        if rt.last_departure_s is not None and last_i[j] >= 0:
            rt.last_way_home = Journey(rev.legs(int(last_i[j]), target, float(ac_m[last_x[j]])))
        if rt.inbound is not None and rt.inbound.n_buses and nxt_i[j] >= 0:
            rt.next_inbound = Journey(rev.legs(int(nxt_i[j]), target, float(ac_m[nxt_x[j]])))
        if rt.outbound is None:
            rt.reasons.append(_why(int(out_k[j]), bool(out_long[j]), q.max_buses, p,
                                   f"no bus there by {format_hm(int(deadline[j]))}"))
        if rt.inbound is None:
            if rt.last_departure_s is not None:
                fail = f"no bus back after {format_hm(rt.last_departure_s)}"
            else:
                fail = "no bus back that day"
            rt.reasons.append(_why(int(ret_k[j]), bool(ret_long[j]), q.max_buses, p, fail))
        rt.feasible = rt.outbound is not None and rt.inbound is not None
        results.append(rt)
    return results


_LAST: dict[int, tuple[weakref.ref[Timetable], int]] = {}


def _last_arrival(tt: Timetable) -> int:
    """The timetable's latest arrival, worked out once per timetable (a national one has
    tens of millions of times, too many to scan on every request)."""
    hit = _LAST.get(id(tt))
    if hit is not None and hit[0]() is tt:
        return hit[1]
    value = int(tt.arr.max(initial=0))
    for key in [k for k, (ref, _) in _LAST.items() if ref() is None]:
        del _LAST[key]
    _LAST[id(tt)] = (weakref.ref(tt), value)
    return value


def _cap_minutes(max_j: int) -> int | None:
    """The search cap (whole minutes) for a journey limit in seconds; None: no cap."""
    if max_j < 0:
        return None
    minutes = -(-max_j // 60)
    return max(1, minutes) if minutes <= MAX_MINUTES else None


def _bus_labels(res: SearchResult, stops: np.ndarray) -> np.ndarray:
    """Final-round bus label (search side, int64; INF when unreached) at each stop."""
    if len(stops) == 0:
        return np.full(0, INF, np.int64)
    # The result knows its own label layout (dense over all stops, or the touched stops).
    return res._bus_k_at(np.asarray(stops))


def _any_per_target(ptr: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Per target (CSR `ptr` over its stop entries): True when any entry is ok."""
    n = len(ptr) - 1
    owner = np.repeat(np.arange(n), np.diff(ptr))
    return np.bincount(owner[ok], minlength=n) > 0


def _ever_there(router: Router, lat: float, lon: float, q: QueryParams, need: np.ndarray,
                earliest: np.ndarray, deadline: np.ndarray, eg_ptr: np.ndarray,
                eg_stop: np.ndarray, eg_t: np.ndarray) -> np.ndarray:
    """Per target (only where `need`): does any journey with at most q.max_buses buses,
    leaving home at or after earliest[j], reach it by deadline[j]? One uncapped
    earliest-arrival search per distinct earliest time (what the uncapped profile's scan
    tells as `too_long` for a target with no plan)."""
    out = np.zeros(len(need), np.bool_)
    if not need.any():
        return out
    owner = np.repeat(np.arange(len(need)), np.diff(eg_ptr))
    for e in np.unique(earliest[need]):
        res = router.earliest_arrival(lat, lon, int(e), q)
        t = _bus_labels(res, eg_stop)
        ok = (t < INF) & (t + eg_t <= deadline[owner]) & need[owner] & (earliest[owner] == e)
        out |= _any_per_target(eg_ptr, ok)
    return out


def _ever_back(router: Router, lat: float, lon: float, q: QueryParams, need: np.ndarray,
               day_end: int, leave: np.ndarray, ac_ptr: np.ndarray, ac_stop: np.ndarray,
               ac_t: np.ndarray) -> np.ndarray:
    """Per target (only where `need`): does any journey with at most q.max_buses buses,
    leaving it at or after leave[j], get home by the end of the reverse profile's window?
    One uncapped latest-departure search (the return's `too_long` without a plan)."""
    out = np.zeros(len(need), np.bool_)
    if not need.any():
        return out
    owner = np.repeat(np.arange(len(need)), np.diff(ac_ptr))
    res = router.latest_departure(lat, lon, int(day_end), q)
    t = _bus_labels(res, ac_stop)  # minus the latest boarding time at each stop
    ok = (t < INF) & (-t - ac_t >= leave[owner]) & need[owner]
    return _any_per_target(ac_ptr, ok)


def _why(min_k: int, too_long: bool, max_k: int, p: RoundTripParams, fallback: str) -> str:
    """The most useful reason: too many buses, too long, or simply no bus in time."""
    if max_k < min_k <= MAX_BUSES:
        return f"needs {min_k} buses"
    if too_long and p.max_journey_s is not None:
        return f"over {_minutes(p.max_journey_s)} min"
    return fallback


def _outbound(rt: RoundTrip, fwd: Profile, i: int, x: int, target: Place, eg_m: np.ndarray,
              deadline: int, home: Place, direct_m: float | None, speed: float) -> None:
    """Fill the outbound half: the later of the best bus plan and the direct walk."""
    if direct_m is not None:
        w = walk_seconds(direct_m, speed)
        if i < 0 or deadline - w >= int(fwd.dep[i]):
            rt.outbound = walk_only(home, target, deadline - w, direct_m, speed)
    if rt.outbound is None and i >= 0:
        rt.outbound = Journey(fwd.legs(i, target, float(eg_m[x])))
    if rt.outbound is not None:
        rt.leave_home_s = rt.outbound.depart_s
        rt.arrive_target_s = rt.outbound.arrive_s


def _inbound(rt: RoundTrip, rev: Profile, i: int, x: int, target: Place, ac_m: np.ndarray,
             leave: int, last: int, home: Place, direct_m: float | None, speed: float) -> None:
    """Fill the return half and the last departure from the target."""
    rt.last_departure_s = last if last > NEG else None
    if direct_m is not None:
        rt.last_departure_s = None  # walking home is always possible
        w = walk_seconds(direct_m, speed)
        if i < 0 or leave + w <= int(rev.arr[i]):
            rt.inbound = walk_only(target, home, leave, direct_m, speed)
    if rt.inbound is None and i >= 0:
        rt.inbound = Journey(rev.legs(i, target, float(ac_m[x])))
    if rt.inbound is not None:
        rt.leave_target_s = rt.inbound.depart_s
        rt.arrive_home_s = rt.inbound.arrive_s


def plan_round_trips_by_date(router_for: Callable[[dt.date], Router], home_lat: float,
                             home_lon: float, sessions: Sequence[VenueSession],
                             params: RoundTripParams | None = None) -> list[RoundTrip]:
    """Round trips for sessions on several dates (two profiles per date), in input order."""
    by_date: dict[dt.date, list[int]] = {}
    for j, s in enumerate(sessions):
        by_date.setdefault(s.date, []).append(j)
    out: list[RoundTrip | None] = [None] * len(sessions)
    for day, idx in by_date.items():
        res = plan_round_trips(router_for(day), home_lat, home_lon, [sessions[j] for j in idx],
                               params)
        for j, r in zip(idx, res, strict=True):
            out[j] = r
    return [r for r in out if r is not None]
