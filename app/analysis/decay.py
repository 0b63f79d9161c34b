"""Distance-decay functions on travel time (minutes) used by the floating catchment."""

from __future__ import annotations

import numpy as np

# Luo & Qi (2009) E2SFCA weights for the inner, middle and outer third of the catchment
# (they come from a Gaussian with the outer zone weighted 0.22); stated in docs/method.md.
STEP_WEIGHTS: tuple[float, float, float] = (1.0, 0.68, 0.22)


def stepped_decay(minutes: np.ndarray, budget_min: float) -> np.ndarray:
    """Weight 1.0 / 0.68 / 0.22 in the 1st / 2nd / 3rd third of the budget, 0 beyond or if NaN."""
    t = np.asarray(minutes, dtype=np.float64)
    w = np.zeros(t.shape, dtype=np.float64)
    third = budget_min / 3.0
    ok = np.isfinite(t)
    w[ok & (t <= budget_min)] = STEP_WEIGHTS[2]
    w[ok & (t <= 2 * third)] = STEP_WEIGHTS[1]
    w[ok & (t <= third)] = STEP_WEIGHTS[0]
    return w


def gaussian_decay(minutes: np.ndarray, budget_min: float) -> np.ndarray:
    """Dai (2010) truncated Gaussian: 1 at 0 min, 0 at the budget, smooth in between."""
    t = np.asarray(minutes, dtype=np.float64)
    # sigma so that the untruncated curve is 0.22 at the budget, matching the stepped outer zone.
    sigma = budget_min / np.sqrt(-2.0 * np.log(0.22))
    g0 = np.exp(-0.5 * (budget_min / sigma) ** 2)
    with np.errstate(invalid="ignore"):
        g = (np.exp(-0.5 * (t / sigma) ** 2) - g0) / (1.0 - g0)
    return np.where(np.isfinite(t) & (t <= budget_min), np.clip(g, 0.0, 1.0), 0.0)


DECAYS = {"stepped": stepped_decay, "gaussian": gaussian_decay}
