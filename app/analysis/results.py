"""All metrics of one band for every budget, category and audience, at LSOA, ward and LAD.

Reach (`activities_share`) is the primary access measure; `sessions_mean` is the
frequency-weighted sessions per week within reach; `e2sfca` is the secondary competition
measure (supply = sessions per week x places). Classes are not stored: they are a cheap
function of the stored values and the chosen region and breaks (`app.analysis.classes`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from app.analysis.aggregate import weighted_mean_by
from app.analysis.metrics import Decay, SessionSet, activity_times, area_means, e2sfca_from_weights
from app.analysis.uncertainty import pooled_interval, reach_interval

METRICS = ("activities_mean", "activities_share", "sessions_mean", "e2sfca", "nearest_min")
INTERVAL = ("reach_low", "reach_high")
STORED = (*METRICS, *INTERVAL)
ACCESS_METRIC = "activities_share"  # reach: the access side of the need x access classes


@dataclass(frozen=True)
class Level:
    """An area level: codes, and for LSOA->level the parent index of each LSOA."""

    name: str
    codes: list[str]
    parent_idx: np.ndarray  # per LSOA, index into codes (identity for 'lsoa')


@dataclass(frozen=True)
class Block:
    """Results of one (level, budget, category, audience): arrays aligned with `codes`."""

    level: str
    codes: list[str]
    budget: int
    category: str
    audience: str
    population: np.ndarray
    values: dict[str, np.ndarray]


def weekly_supply(sessions: SessionSet, capacity: np.ndarray) -> np.ndarray:
    """Places per week of each activity in the band: sessions per week x places per session."""
    per_week = np.bincount(sessions.activity, weights=sessions.per_week,
                           minlength=len(capacity))
    return per_week * capacity


class BudgetView:
    """Per-budget matrices shared by every category and audience filter."""

    def __init__(self, rt_min: np.ndarray, act_times: np.ndarray, sessions: SessionSet,
                 budget: float, decay: Decay) -> None:
        self.ok = act_times <= budget  # origins x activities
        self.weights = decay(np.where(self.ok, act_times, np.inf), budget)
        self.times = np.where(self.ok, act_times, np.inf)
        self.sess_ok = (rt_min <= budget).astype(np.float64)  # origins x sessions
        self.sessions = sessions

    def origin_metrics(self, mask: np.ndarray, supply: np.ndarray,
                       origin_pop: np.ndarray) -> dict[str, np.ndarray]:
        """Per-origin metrics for the activities selected by `mask`."""
        cols = np.flatnonzero(mask)
        ok = self.ok[:, cols]
        n_act = ok.sum(axis=1).astype(np.float64)
        per_week = self.sess_ok @ (self.sessions.per_week * mask[self.sessions.activity])
        if len(cols):
            best = self.times[:, cols].min(axis=1)
            nearest = np.where(np.isfinite(best), best, np.nan)
            score = e2sfca_from_weights(self.weights[:, cols], origin_pop, supply[cols])
        else:
            nearest = np.full(len(n_act), np.nan)
            score = np.zeros(len(n_act))
        return {"activities": n_act, "sessions": per_week, "nearest": nearest, "e2sfca": score}


def lsoa_metrics(per_origin: dict[str, np.ndarray], origin_area: np.ndarray,
                 origin_weight: np.ndarray, n_lsoa: int) -> dict[str, np.ndarray]:
    """Per-LSOA means over origins (weights sum to 1 within an LSOA) and the reach interval."""
    reach_any = (per_origin["activities"] > 0).astype(np.float64)
    share = area_means(reach_any, origin_area, origin_weight, n_lsoa)
    n_orig = np.bincount(origin_area, minlength=n_lsoa)
    lo, hi = reach_interval(share, n_orig)
    return {
        "activities_mean": area_means(per_origin["activities"], origin_area, origin_weight,
                                      n_lsoa),
        "activities_share": share,
        "sessions_mean": area_means(per_origin["sessions"], origin_area, origin_weight, n_lsoa),
        "e2sfca": area_means(per_origin["e2sfca"], origin_area, origin_weight, n_lsoa),
        "nearest_min": area_means(per_origin["nearest"], origin_area, origin_weight, n_lsoa),
        "reach_low": lo, "reach_high": hi,
    }


def level_blocks(lsoa_vals: dict[str, np.ndarray], pop: np.ndarray, levels: list[Level],
                 n_origins: np.ndarray, budget: int, category: str,
                 audience: str) -> Iterator[Block]:
    """One block per level: LSOA values as they are, wards and districts population-weighted.

    Ward and LAD values are means over residents (weights: the audience's population);
    their reach interval pools the LSOAs' bootstrap variances.
    """
    for level in levels:
        n = len(level.codes)
        if level.name == "lsoa":
            yield Block(level.name, level.codes, budget, category, audience, pop, lsoa_vals)
            continue
        vals = {m: weighted_mean_by(lsoa_vals[m], pop, level.parent_idx, n) for m in METRICS}
        vals["reach_low"], vals["reach_high"] = pooled_interval(
            lsoa_vals["activities_share"], n_origins, pop, level.parent_idx,
            vals["activities_share"], n)
        lpop = np.bincount(level.parent_idx, weights=pop, minlength=n)
        yield Block(level.name, level.codes, budget, category, audience, lpop, vals)


def band_blocks(rt_min: np.ndarray, sessions: SessionSet, capacity: np.ndarray,
                categories: dict[str, np.ndarray], audiences: dict[str, tuple[np.ndarray,
                                                                              np.ndarray]],
                origin_area: np.ndarray, origin_weight: np.ndarray, levels: list[Level],
                n_lsoa: int, budgets: list[int], decay: Decay) -> Iterator[Block]:
    """Yield every block of a band.

    categories: name -> activity mask ('all' included); audiences: name -> (activity
    mask, population per LSOA of the matching age band); capacity: places per session.
    """
    # Only the activities with a session in this band: the others reach nobody, and dropping
    # them keeps the origins x activities matrices small (the evening has a few dozen).
    present, local = np.unique(sessions.activity, return_inverse=True)
    sessions = SessionSet(local.astype(np.int64), sessions.per_week)
    capacity = np.asarray(capacity)[present]
    categories = {k: np.asarray(m)[present] for k, m in categories.items()}
    audiences = {k: (np.asarray(m)[present], p) for k, (m, p) in audiences.items()}
    at = activity_times(rt_min, sessions, len(capacity))
    supply = weekly_supply(sessions, capacity)
    n_origins = np.bincount(origin_area, minlength=n_lsoa)
    for budget in budgets:
        view = BudgetView(rt_min, at, sessions, float(budget), decay)
        for aud, (aud_mask, pop) in audiences.items():
            origin_pop = pop[origin_area] * origin_weight
            for cat, cat_mask in categories.items():
                per_origin = view.origin_metrics(cat_mask & aud_mask, supply, origin_pop)
                vals = lsoa_metrics(per_origin, origin_area, origin_weight, n_lsoa)
                yield from level_blocks(vals, pop, levels, n_origins, budget, cat, aud)


__all__ = ["ACCESS_METRIC", "INTERVAL", "METRICS", "STORED", "Block", "BudgetView", "Level",
           "band_blocks", "lsoa_metrics", "weekly_supply"]
