"""Accessibility metrics per origin and per area: counts, sessions/week, E2SFCA, nearest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Decay = Callable[[np.ndarray, float], np.ndarray]
PER_POPULATION = 1000.0  # E2SFCA scores are activities per 1,000 residents of the age band


@dataclass(frozen=True)
class SessionSet:
    """The sessions of one band: which activity each belongs to and how often it happens."""

    activity: np.ndarray  # int32 index into the activity arrays, per session
    per_week: np.ndarray  # float64 sessions per week this session slot stands for


@dataclass(frozen=True)
class AreaMetrics:
    """Per-area results of one (band, budget, category, audience) combination."""

    activities_mean: np.ndarray  # mean over origins of distinct activities reachable
    activities_share: np.ndarray  # share of origins reaching >= 1 activity
    sessions_mean: np.ndarray  # mean sessions per week reachable
    e2sfca: np.ndarray  # weighted mean E2SFCA score per 1,000 residents
    nearest_min: np.ndarray  # mean over origins that reach something, minutes (NaN if none)


def activity_times(rt_min: np.ndarray, sessions: SessionSet, n_activities: int) -> np.ndarray:
    """Best round-trip time per (origin, activity): min over that activity's sessions."""
    out = np.full((rt_min.shape[0], n_activities), np.inf)
    if rt_min.shape[1] == 0:
        return out
    order = np.argsort(sessions.activity, kind="stable")
    acts = sessions.activity[order]
    starts = np.flatnonzero(np.r_[True, acts[1:] != acts[:-1]])
    out[:, acts[starts]] = np.minimum.reduceat(rt_min[:, order], starts, axis=1)
    return out


def e2sfca(times: np.ndarray, origin_pop: np.ndarray, capacity: np.ndarray, budget_min: float,
           decay: Decay) -> np.ndarray:
    """Enhanced two-step floating catchment score per origin (per 1,000 population).

    Step 1: R_j = capacity_j / sum_o pop_o f(t_oj). Step 2: A_o = sum_j R_j f(t_oj).
    `times` is (origins x activities) minutes, inf when unreachable within the budget.
    """
    weights = decay(times, budget_min)
    demand = origin_pop @ weights
    ratio = np.divide(capacity, demand, out=np.zeros_like(demand, dtype=np.float64),
                      where=demand > 0)
    return (weights @ ratio) * PER_POPULATION


def origin_metrics(rt_min: np.ndarray, act_times: np.ndarray, sessions: SessionSet,
                   act_mask: np.ndarray, capacity: np.ndarray, origin_pop: np.ndarray,
                   budget_min: float, decay: Decay) -> dict[str, np.ndarray]:
    """All per-origin metrics for the activities selected by `act_mask` under a budget."""
    t = np.where(act_mask[None, :], act_times, np.inf)
    ok = t <= budget_min
    n_act = ok.sum(axis=1).astype(np.float64)
    sess_ok = (rt_min <= budget_min) & act_mask[sessions.activity][None, :]
    per_week = sess_ok.astype(np.float64) @ sessions.per_week
    with np.errstate(invalid="ignore"):
        nearest = np.where(ok.any(axis=1), np.min(np.where(ok, t, np.inf), axis=1), np.nan)
    score = e2sfca(np.where(ok, t, np.inf), origin_pop,
                   np.where(act_mask, capacity, 0.0), budget_min, decay)
    return {"activities": n_act, "sessions": per_week, "nearest": nearest, "e2sfca": score}


def area_means(values: np.ndarray, area_idx: np.ndarray, weight: np.ndarray,
               n_areas: int) -> np.ndarray:
    """Weighted mean per area of per-origin values, ignoring NaN (NaN if the area has none)."""
    ok = ~np.isnan(values)
    num = np.bincount(area_idx[ok], weights=values[ok] * weight[ok], minlength=n_areas)
    den = np.bincount(area_idx[ok], weights=weight[ok], minlength=n_areas)
    return np.divide(num, den, out=np.full(n_areas, np.nan), where=den > 0)


def to_area(per_origin: dict[str, np.ndarray], area_idx: np.ndarray, weight: np.ndarray,
            n_areas: int) -> AreaMetrics:
    """Aggregate per-origin metrics to areas (weights sum to 1 within an area)."""
    reach_any = (per_origin["activities"] > 0).astype(np.float64)
    return AreaMetrics(
        activities_mean=area_means(per_origin["activities"], area_idx, weight, n_areas),
        activities_share=area_means(reach_any, area_idx, weight, n_areas),
        sessions_mean=area_means(per_origin["sessions"], area_idx, weight, n_areas),
        e2sfca=area_means(per_origin["e2sfca"], area_idx, weight, n_areas),
        nearest_min=area_means(per_origin["nearest"], area_idx, weight, n_areas),
    )
