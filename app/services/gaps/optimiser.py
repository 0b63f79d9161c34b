"""Where and when should a new group go? Rank candidate venues by need-weighted new round trips.

Candidates are every loaded venue (listed venues, libraries and community buildings) plus
any postcodes or points the planner types. For each candidate and start time, the new
session is routed like any other (two venue-side searches); the origins it would give a
first round trip (none in the baseline for this category and audience) are its cover.
Weight of an origin = its residents of the audience's age band x need weight (the LSOA's
IMD score / the region's population-weighted mean), origins outside the comparison region
weigh 0. Greedy maximal covering picks the top k with marginal gains.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import Connection

from app.analysis.bands import BANDS, band_of
from app.analysis.optimise import Pick, exact_mclp, greedy_cover
from app.errors import InvalidInput
from app.routing.venue_session import VenueSession
from app.schemas.gaps import WEEKDAYS, OptimiseRequest
from app.services.gaps.placement import Place, candidate_venues, resolve
from app.services.gaps.query import (
    ROUND_TRIP_URL,
    comparison_region,
    known_districts,
    parse_region,
)
from app.services.gaps.scenario import (
    budget_of,
    load_baseline,
    reached,
    route_spots,
    view_mask,
    view_population,
)
from app.services.gaps.whatif import seconds

AUDIENCE_VIEW = {"young-people-16-25": "young", "older-adults": "older",
                 "retired-or-semi-retired": "older"}
DEFAULT_TIMES = {"weekday_day": [("10:00", "12:00"), ("13:30", "15:30")],
                 "weekday_evening": [("18:00", "20:00"), ("19:00", "21:00")],
                 "weekend": [("10:00", "12:00"), ("14:00", "16:00")]}
DEFAULT_DAY = {"weekday_day": "wed", "weekday_evening": "wed", "weekend": "sat"}


def _candidates(conn: Connection, req: OptimiseRequest) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if req.venues:
        for v in candidate_venues(conn):
            out.append({"kind": v["kind"], "name": v["name"], "venue_id": v["id"],
                        "town": v["town"], "lat": v["lat"], "lon": v["lon"]})
    for i, pc in enumerate(req.postcodes):
        p: Place = resolve(conn, postcode=pc)
        out.append({"kind": "postcode", "name": f"Typed postcode {i + 1}", "venue_id": None,
                    "town": None, "lat": p.lat, "lon": p.lon, "typed": i})
    if not out:
        raise InvalidInput("no candidates: include the venues or type postcodes",
                           field="postcodes")
    return out


EXACT_POOL = 25  # the exact MCLP check runs on this many best stand-alone placements


def exact_check(cover: np.ndarray, weight: np.ndarray, alone: np.ndarray, picks: list[Pick],
                k: int) -> dict[str, Any] | None:
    """Greedy against the exact MCLP on the best EXACT_POOL placements (plus the picks)."""
    if not picks:
        return None
    pool = sorted(set(np.argsort(-alone, kind="stable")[:EXACT_POOL].tolist())
                  | {p.candidate for p in picks})
    _, best = exact_mclp(cover[pool], weight, k)
    greedy = float(sum(p.marginal for p in picks))
    return {"pool": len(pool), "greedy": round(greedy, 1), "optimal": round(best, 1),
            "greedy_share_of_optimal": round(greedy / best, 4) if best > 0 else 1.0}


def optimise(conn: Connection, req: OptimiseRequest) -> dict[str, Any]:
    """Top-k sites and times by need-weighted residents newly given a round trip."""
    region_req = parse_region(req.region, known_districts(conn))
    day = req.day or DEFAULT_DAY[req.band]
    wd = WEEKDAYS.index(day)
    times = req.times or DEFAULT_TIMES[req.band]
    for start, _ in times:
        if band_of(wd, seconds(start)) != req.band:
            raise InvalidInput(f"{day} {start} is not in the {req.band} band", field="times")
    base = load_baseline(conn, req.band)
    budget = budget_of(base, req.budget)
    audience_view = AUDIENCE_VIEW.get(req.audience or "", "all")
    mask = view_mask(base.acts, req.category, audience_view)
    before = reached(base.rt, base.slot_activity, mask, budget)
    areas = base.areas
    codes, how = comparison_region(base.state, region_req)
    inside_lsoa = np.array([c in set(codes) for c in areas.lad_codes], bool)
    pop = view_population(areas, audience_view)
    imd = np.nan_to_num(areas.imd_score)
    total = areas.population["total"]
    mean_need = float((imd * total)[inside_lsoa].sum() / max(total[inside_lsoa].sum(), 1))
    need_w = imd / mean_need if mean_need > 0 else np.ones(len(imd))
    oa = base.origin_area
    residents = base.origin_weight * pop[oa] * inside_lsoa[oa]
    weight = residents * need_w[oa] * ~before
    cands = _candidates(conn, req)
    spots = [(wd, VenueSession(c["lat"], c["lon"], base.week[wd], seconds(s), seconds(e)))
             for c in cands for s, e in times]
    rt = route_spots(conn, base, spots)
    cover = (rt <= budget).T  # (candidate x time) x origins
    picks = greedy_cover(cover, weight, req.k)
    alone = cover.astype(float) @ weight
    new_residents = cover.astype(float) @ (residents * ~before)
    order = np.argsort(-alone, kind="stable")
    rank_of = {int(j): r + 1 for r, j in enumerate(order.tolist())}
    n_t = len(times)

    def describe(j: int) -> dict[str, Any]:
        c = cands[j // n_t]
        s, e = times[j % n_t]
        return {"name": c["name"], "kind": c["kind"], "venue_id": c["venue_id"],
                "town": c["town"], "lat": round(c["lat"], 5), "lon": round(c["lon"], 5),
                "day": day, "start": s, "end": e,
                "need_weighted_gain": round(float(alone[j]), 1),
                "residents_newly_reached": round(float(new_residents[j])),
                "lsoas_newly_reached": len(set(oa[cover[j] & (weight > 0)].tolist())),
                "rank": rank_of[j]}

    top = [describe(p.candidate) | {"pick": i + 1, "marginal_gain": round(p.marginal, 1)}
           for i, p in enumerate(picks)]
    typed = []
    for j in range(len(spots)):
        c = cands[j // n_t]
        if "typed" in c:
            typed.append(describe(j))
    covered = cover[[p.candidate for p in picks]].any(axis=0) if picks else None
    check = exact_check(cover, weight, alone, picks, req.k)
    return {
        "band": req.band, "band_label": BANDS[req.band].label, "budget": budget,
        "category": req.category, "audience": req.audience, "audience_view": audience_view,
        "day": day, "times": [list(t) for t in times], "region": codes, "region_rule": how,
        "candidates": len(cands), "placements_tested": len(spots),
        "baseline_reached_share": round(float(
            (residents * before).sum() / max(residents.sum(), 1e-9)), 4),
        "top": top, "typed": typed,
        "total_need_weighted_gain": round(float(weight[covered].sum()), 1) if picks else 0.0,
        "exact_check": check,
        "method": "greedy maximal covering (marginal gains); see /method#optimiser",
        "round_trip": ROUND_TRIP_URL, "saved": False,
    }
