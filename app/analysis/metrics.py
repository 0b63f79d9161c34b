"""Building blocks of the accessibility metrics: activity times, E2SFCA, area means."""

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


def e2sfca_from_weights(weights: np.ndarray, origin_pop: np.ndarray,
                        capacity: np.ndarray) -> np.ndarray:
    """E2SFCA per origin (per 1,000 population) from decay weights f(t_oj).

    Step 1: R_j = capacity_j / sum_o pop_o f(t_oj). Step 2: A_o = sum_j R_j f(t_oj).
    """
    demand = origin_pop @ weights
    ratio = np.divide(capacity, demand, out=np.zeros_like(demand, dtype=np.float64),
                      where=demand > 0)
    return (weights @ ratio) * PER_POPULATION


def e2sfca(times: np.ndarray, origin_pop: np.ndarray, capacity: np.ndarray, budget_min: float,
           decay: Decay) -> np.ndarray:
    """Enhanced two-step floating catchment score per origin; `times` in minutes (inf = none)."""
    return e2sfca_from_weights(decay(times, budget_min), origin_pop, capacity)


def area_means(values: np.ndarray, area_idx: np.ndarray, weight: np.ndarray,
               n_areas: int) -> np.ndarray:
    """Weighted mean per area of per-origin values, ignoring NaN (NaN if the area has none)."""
    ok = ~np.isnan(values)
    num = np.bincount(area_idx[ok], weights=values[ok] * weight[ok], minlength=n_areas)
    den = np.bincount(area_idx[ok], weights=weight[ok], minlength=n_areas)
    return np.divide(num, den, out=np.full(n_areas, np.nan), where=den > 0)
