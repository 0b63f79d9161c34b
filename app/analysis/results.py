"""All metrics of one band for every budget, category and audience, at LSOA, ward and LAD."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from app.analysis.aggregate import weighted_mean_by
from app.analysis.gap import bivariate_class, gap_score, terciles
from app.analysis.metrics import Decay, SessionSet, activity_times, origin_metrics, to_area

METRICS = ("activities_mean", "activities_share", "sessions_mean", "e2sfca", "nearest_min")
GAP_ACCESS_METRIC = "e2sfca"  # the access side of the gap class and score


@dataclass(frozen=True)
class Level:
    """An area level: codes, and for LSOA->level the parent index of each LSOA."""

    name: str
    codes: list[str]
    parent_idx: np.ndarray  # per LSOA, index into codes (identity for 'lsoa')


@dataclass(frozen=True)
class Row:
    """One result row (what gap_result stores)."""

    level: str
    code: str
    budget: int
    category: str
    audience: str
    population: float
    values: dict[str, float]
    need_tercile: int
    access_tercile: int
    gap_class: str | None
    gap_score: float


def classify(need: np.ndarray, access: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                            list[str | None], np.ndarray]:
    """Need terciles, access terciles, bivariate classes and gap scores over one level."""
    return terciles(need), terciles(access), bivariate_class(need, access), gap_score(need, access)


def band_rows(rt_min: np.ndarray, sessions: SessionSet, capacity: np.ndarray,
              categories: dict[str, np.ndarray], audiences: dict[str, tuple[np.ndarray,
                                                                            np.ndarray]],
              origin_area: np.ndarray, origin_weight: np.ndarray, levels: list[Level],
              need_lsoa: np.ndarray, total_pop: np.ndarray, budgets: list[int],
              decay: Decay) -> Iterator[Row]:
    """Yield every row of a band.

    categories: name -> activity mask ('all' included); audiences: name -> (activity
    mask, population per LSOA of the matching age band). Ward and LAD values are
    means over residents (population-weighted over LSOAs); need at those levels is the
    population-weighted IMD score.
    """
    n_lsoa = len(need_lsoa)
    at = activity_times(rt_min, sessions, len(capacity))
    for budget in budgets:
        for aud, (aud_mask, pop) in audiences.items():
            origin_pop = pop[origin_area] * origin_weight
            for cat, cat_mask in categories.items():
                per_origin = origin_metrics(rt_min, at, sessions, cat_mask & aud_mask, capacity,
                                            origin_pop, float(budget), decay)
                area = to_area(per_origin, origin_area, origin_weight, n_lsoa)
                lsoa_vals = {m: getattr(area, m) for m in METRICS}
                for level in levels:
                    n = len(level.codes)
                    if level.name == "lsoa":
                        vals = lsoa_vals
                        lpop = pop
                        need = need_lsoa
                    else:
                        vals = {m: weighted_mean_by(v, pop, level.parent_idx, n)
                                for m, v in lsoa_vals.items()}
                        lpop = np.bincount(level.parent_idx, weights=pop, minlength=n)
                        need = weighted_mean_by(need_lsoa, total_pop, level.parent_idx, n)
                    nt, atc, cls, score = classify(need, vals[GAP_ACCESS_METRIC])
                    for i, code in enumerate(level.codes):
                        yield Row(level.name, code, budget, cat, aud, float(lpop[i]),
                                  {m: float(vals[m][i]) for m in METRICS}, int(nt[i]),
                                  int(atc[i]), cls[i], float(score[i]))
