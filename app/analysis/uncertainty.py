"""Uncertainty of reach: the exact bootstrap interval of a share over equally weighted origins.

Resampling an LSOA's n origins with replacement, the number reaching an activity is
Binomial(n, p) with p the observed share, so the bootstrap percentile interval is the
binomial quantiles divided by n: exact, with no Monte Carlo noise. Wards and districts
combine their LSOAs' bootstrap variances (population weights) with a normal interval.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

LEVEL = 0.90  # a 90% interval: 5th and 95th percentiles
Z90 = 1.6448536269514722


@lru_cache(maxsize=65_536)
def _binomial_interval(n: int, hits: int) -> tuple[float, float]:
    """5th and 95th percentile of Binomial(n, hits/n) / n."""
    if n <= 0:
        return (math.nan, math.nan)
    if hits <= 0 or hits >= n:
        v = hits / n
        return (v, v)
    p = hits / n
    k = np.arange(n + 1)
    logpmf = (math.lgamma(n + 1) - np.array([math.lgamma(i + 1) + math.lgamma(n - i + 1)
                                              for i in k])
              + k * math.log(p) + (n - k) * math.log1p(-p))
    cdf = np.cumsum(np.exp(logpmf))
    lo_q, hi_q = (1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2
    lo = int(np.searchsorted(cdf, lo_q - 1e-12))
    hi = int(np.searchsorted(cdf, hi_q - 1e-12))
    return (lo / n, min(hi, n) / n)


def reach_interval(share: np.ndarray, n_origins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per LSOA: the exact 90% bootstrap interval of the share of origins with a round trip."""
    lo = np.full(len(share), np.nan)
    hi = np.full(len(share), np.nan)
    for i, (s, n) in enumerate(zip(share.tolist(), n_origins.tolist(), strict=True)):
        if n > 0 and not math.isnan(s):
            lo[i], hi[i] = _binomial_interval(int(n), round(s * n))
    return lo, hi


def pooled_interval(share: np.ndarray, n_origins: np.ndarray, pop: np.ndarray,
                    parent_idx: np.ndarray, parent_share: np.ndarray, n_parents: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Ward/district 90% interval: sum of (w_i)^2 p_i (1-p_i)/n_i over LSOAs, normal, clipped."""
    ok = (n_origins > 0) & ~np.isnan(share) & (pop > 0)
    tot = np.bincount(parent_idx[ok], weights=pop[ok], minlength=n_parents)
    var_i = np.where(ok, share * (1 - share) / np.maximum(n_origins, 1), 0.0)
    num = np.bincount(parent_idx[ok], weights=(pop[ok] ** 2) * var_i[ok], minlength=n_parents)
    var = np.divide(num, tot ** 2, out=np.full(n_parents, np.nan), where=tot > 0)
    half = Z90 * np.sqrt(var)
    return np.clip(parent_share - half, 0, 1), np.clip(parent_share + half, 0, 1)
