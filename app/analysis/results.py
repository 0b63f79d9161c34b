"""All metrics of one band for every budget, category and audience, at LSOA, ward and LAD."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from app.analysis.aggregate import weighted_mean_by
from app.analysis.gap import bivariate_class, gap_score, terciles
from app.analysis.metrics import Decay, SessionSet, activity_times, area_means, e2sfca_from_weights

METRICS = ("activities_mean", "activities_share", "sessions_mean", "e2sfca", "nearest_min")
GAP_ACCESS_METRIC = "e2sfca"  # the access side of the gap class and score


@dataclass(frozen=True)
class Level:
    """An area level: codes, and for LSOA->level the parent index of each LSOA."""

    name: str
    codes: list[str]
    parent_idx: np.ndarray  # per LSOA, index into codes (identity for 'lsoa')
    in_region: np.ndarray | None = None  # per area of this level: classify within these


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
    need_tercile: np.ndarray
    access_tercile: np.ndarray
    gap_class: list[str | None]
    gap_score: np.ndarray


class BudgetView:
    """Per-budget matrices shared by every category and audience filter."""

    def __init__(self, rt_min: np.ndarray, act_times: np.ndarray, sessions: SessionSet,
                 budget: float, decay: Decay) -> None:
        self.ok = act_times <= budget  # origins x activities
        self.weights = decay(np.where(self.ok, act_times, np.inf), budget)
        self.times = np.where(self.ok, act_times, np.inf)
        self.sess_ok = (rt_min <= budget).astype(np.float64)  # origins x sessions
        self.sessions = sessions

    def origin_metrics(self, mask: np.ndarray, capacity: np.ndarray,
                       origin_pop: np.ndarray) -> dict[str, np.ndarray]:
        """Per-origin metrics for the activities selected by `mask`."""
        cols = np.flatnonzero(mask)
        ok = self.ok[:, cols]
        n_act = ok.sum(axis=1).astype(np.float64)
        per_week = self.sess_ok @ (self.sessions.per_week * mask[self.sessions.activity])
        if len(cols):
            best = self.times[:, cols].min(axis=1)
            nearest = np.where(np.isfinite(best), best, np.nan)
            score = e2sfca_from_weights(self.weights[:, cols], origin_pop, capacity[cols])
        else:
            nearest = np.full(len(n_act), np.nan)
            score = np.zeros(len(n_act))
        return {"activities": n_act, "sessions": per_week, "nearest": nearest, "e2sfca": score}


def lsoa_metrics(per_origin: dict[str, np.ndarray], origin_area: np.ndarray,
                 origin_weight: np.ndarray, n_lsoa: int) -> dict[str, np.ndarray]:
    """Per-LSOA means over origins (weights sum to 1 within an LSOA)."""
    reach_any = (per_origin["activities"] > 0).astype(np.float64)
    return {
        "activities_mean": area_means(per_origin["activities"], origin_area, origin_weight,
                                      n_lsoa),
        "activities_share": area_means(reach_any, origin_area, origin_weight, n_lsoa),
        "sessions_mean": area_means(per_origin["sessions"], origin_area, origin_weight, n_lsoa),
        "e2sfca": area_means(per_origin["e2sfca"], origin_area, origin_weight, n_lsoa),
        "nearest_min": area_means(per_origin["nearest"], origin_area, origin_weight, n_lsoa),
    }


def level_blocks(lsoa_vals: dict[str, np.ndarray], pop: np.ndarray, levels: list[Level],
                 need_lsoa: np.ndarray, total_pop: np.ndarray, budget: int, category: str,
                 audience: str) -> Iterator[Block]:
    """One block per level: LSOA values as they are, wards and districts population-weighted.

    Ward and LAD values are means over residents (weights: the audience's population);
    need there is the IMD score weighted by total population. Terciles and z-scores are
    taken over the level's areas inside the region (`Level.in_region`); areas outside it
    get no class.
    """
    for level in levels:
        n = len(level.codes)
        if level.name == "lsoa":
            vals, lpop, need = lsoa_vals, pop, need_lsoa
        else:
            vals = {m: weighted_mean_by(v, pop, level.parent_idx, n) for m, v in lsoa_vals.items()}
            lpop = np.bincount(level.parent_idx, weights=pop, minlength=n)
            need = weighted_mean_by(need_lsoa, total_pop, level.parent_idx, n)
        inside = level.in_region if level.in_region is not None else np.ones(n, bool)
        need = np.where(inside, need, np.nan)
        access = np.where(inside, vals[GAP_ACCESS_METRIC], np.nan)
        yield Block(level.name, level.codes, budget, category, audience, lpop, vals,
                    terciles(need), terciles(access), bivariate_class(need, access),
                    gap_score(need, access))


def band_blocks(rt_min: np.ndarray, sessions: SessionSet, capacity: np.ndarray,
                categories: dict[str, np.ndarray], audiences: dict[str, tuple[np.ndarray,
                                                                              np.ndarray]],
                origin_area: np.ndarray, origin_weight: np.ndarray, levels: list[Level],
                need_lsoa: np.ndarray, total_pop: np.ndarray, budgets: list[int],
                decay: Decay) -> Iterator[Block]:
    """Yield every block of a band.

    categories: name -> activity mask ('all' included); audiences: name -> (activity
    mask, population per LSOA of the matching age band).
    """
    n_lsoa = len(need_lsoa)
    at = activity_times(rt_min, sessions, len(capacity))
    for budget in budgets:
        view = BudgetView(rt_min, at, sessions, float(budget), decay)
        for aud, (aud_mask, pop) in audiences.items():
            origin_pop = pop[origin_area] * origin_weight
            for cat, cat_mask in categories.items():
                per_origin = view.origin_metrics(cat_mask & aud_mask, capacity, origin_pop)
                vals = lsoa_metrics(per_origin, origin_area, origin_weight, n_lsoa)
                yield from level_blocks(vals, pop, levels, need_lsoa, total_pop, budget, cat, aud)


__all__ = ["GAP_ACCESS_METRIC", "METRICS", "Block", "BudgetView", "Level", "band_blocks",
           "lsoa_metrics"]
