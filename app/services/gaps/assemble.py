"""The gap batch by parts of the map: the run's spec for the workers, and its results rebuilt.

`run_spec` turns a run's context into what every part task needs (`app.analysis.gap_parts`):
per band its sessions and the two views `compute_band` computes (every trip; trips free
with the older person's pass). `band_results` rebuilds the `BandResult`s of the dense path
from the parts' per-LSOA values, summed E2SFCA demand and details, in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from app.analysis.decay import DECAYS
from app.analysis.gap_parts import (
    LOCAL_METRICS,
    BandSpec,
    Key,
    PartLegs,
    PartMetrics,
    RunSpec,
    part_details,
    view_spec,
)
from app.analysis.results import STORED, Block, level_blocks
from app.services.gaps.compute import (
    LATE_S,
    BandResult,
    Context,
    activity_masks,
    band_slots,
    capacities,
    levels_of,
)
from app.services.gaps.free_pass import BASE_AUDIENCE, FREE_AUDIENCE
from app.services.gaps.inputs import AUDIENCE_GROUPS, Slot

MAIN, FREE = "main", "free"


def run_spec(ctx: Context, bands: Sequence[str], keep_rt: bool) -> tuple[RunSpec, list[Slot]]:
    """The spec of a run over some bands, and the run's slots (bands concatenated)."""
    cats, auds = activity_masks(ctx.listings, ctx.areas)
    capacity = capacities(ctx.listings)
    older = auds[BASE_AUDIENCE][0]
    older_pop = auds[BASE_AUDIENCE][1]
    slots: list[Slot] = []
    specs = []
    for band in bands:
        mine = band_slots(ctx, band)
        idx = np.arange(len(slots), len(slots) + len(mine), dtype=np.int64)
        slots += mine
        act = np.array([s.activity for s in mine], dtype=np.int64)
        per_week = np.array([s.per_week for s in mine], dtype=np.float64)
        everything = np.arange(len(mine), dtype=np.int64)
        keep = older[act] if len(act) else np.zeros(0, bool)
        views = (view_spec(MAIN, "all", everything, act, per_week, capacity, cats, auds),
                 view_spec(FREE, "free", everything[keep], act[keep], per_week[keep],
                           capacity, cats, {FREE_AUDIENCE: (older, older_pop)}))
        specs.append(BandSpec(band, idx, act, np.array([s.end_s >= LATE_S for s in mine],
                                                       dtype=bool),
                              keep, older_pop, views))
    acts = ctx.listings.activities
    return RunSpec(tuple(specs), tuple(ctx.params.budgets), DECAYS[ctx.params.decay],
                   keep_rt, tuple(a.id for a in acts), tuple(a.name for a in acts)), slots


def with_free_from(run: RunSpec, slots: Sequence[Slot], free_from: dict[int, str | None]
                   ) -> RunSpec:
    """The run with each band's free-from time: the latest over the band's weekdays."""
    specs = []
    for spec in run.bands:
        weekdays = {slots[int(k)].weekday for k in spec.slots}
        times = sorted({t for wd, t in free_from.items() if wd in weekdays and t is not None})
        specs.append(replace(spec, free_from=times[-1] if times else None))
    return replace(run, bands=tuple(specs))


def summed_demand(run: RunSpec, parts: Sequence[PartMetrics]) -> dict[Key, np.ndarray]:
    """Step 1 of E2SFCA over the whole run: every part's demand, added in part order."""
    total: dict[Key, np.ndarray] = {}
    for spec in run.bands:
        for view in spec.views:
            for budget in run.budgets:
                for aud in view.audiences:
                    total[(spec.band, view.name, budget, aud)] = np.zeros(len(view.present))
    for p in parts:
        for key, (acts, d) in p.demand.items():
            total[key][acts] += d
    return total


def _details(ctx: Context, run: RunSpec, spec: BandSpec, areas: Sequence[np.ndarray],
             per_area: Sequence[list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """code -> budget -> detail: the parts' details filed by LSOA (written whole on them)."""
    n = len(ctx.areas.codes)
    covered = np.zeros(n, bool)
    for ids in areas:
        covered[ids] = True
    # LSOAs without an origin: the same function over no origins gives their details
    empty_ids = np.flatnonzero(~covered)
    zero = np.zeros((0, 0))
    none = part_details(run, spec, PartLegs(np.zeros(0, np.int64), zero, zero, zero, zero),
                        np.zeros(0, np.int64), np.zeros(0), len(empty_ids),
                        spec.older_pop[empty_ids])
    by_index: list[Any] = [None] * n
    for i, d in zip(empty_ids.tolist(), none, strict=True):
        by_index[i] = d
    for ids, rows in zip(areas, per_area, strict=True):
        for i, d in zip(ids.tolist(), rows, strict=True):
            by_index[i] = d
    return dict(zip(ctx.areas.codes, by_index, strict=True))


def band_results(ctx: Context, run: RunSpec, slots: list[Slot], parts: Sequence[np.ndarray],
                 summaries: Sequence[Any], scores: Sequence[Any]) -> list[BandResult]:
    """Every band's blocks, details and (if kept) round-trip matrix, from the parts.

    parts: each part's origin indices; summaries / scores: every part's `PartSummary` and
    `PartScores`, in part order.
    """
    n = len(ctx.areas.codes)
    levels = levels_of(ctx.areas)
    n_origins = np.bincount(ctx.origin_area, minlength=n)
    areas = [s.area_ids for s in summaries]
    n_stored = len(STORED)
    local_at = [STORED.index(m) for m in LOCAL_METRICS]
    results = []
    for spec in run.bands:
        keys = [((spec.band, view.name, budget, aud, cat), pop)
                for view in spec.views for budget in run.budgets
                for aud, (_, pop) in view.audiences.items() for cat in view.categories]
        order = [(k, m) for k, _ in keys for m in LOCAL_METRICS]
        # The band's stored values as one (keys x metrics x LSOAs) array, filled part by
        # part from the packed rows: one write of the output, not a join and then a copy
        # per key and metric (that faulted in six times the fresh pages: 390k against 62k).
        full = np.full((len(keys), n_stored, n), np.nan)  # NaN: LSOAs of no part
        flat = full.reshape(len(keys) * n_stored, n)
        local_rows = np.array([r * n_stored + j for r in range(len(keys)) for j in local_at],
                              dtype=np.int64)
        e2sfca_rows = np.arange(len(keys), dtype=np.int64) * n_stored + STORED.index("e2sfca")
        score_keys = [k for k, _ in keys]
        for s, sc in zip(summaries, scores, strict=True):
            flat[np.ix_(local_rows, s.area_ids)] = s.metrics.local_rows(order)
            flat[np.ix_(e2sfca_rows, s.area_ids)] = sc.score_rows(score_keys)
        blocks: list[Block] = []
        for r, ((_, _, budget, aud, cat), pop) in enumerate(keys):
            vals = {m: full[r, j] for j, m in enumerate(STORED)}
            blocks += level_blocks(vals, pop, levels, n_origins, budget, cat, aud)
        mine = slots[int(spec.slots[0]):int(spec.slots[-1]) + 1] if len(spec.slots) else []
        details = _details(ctx, run, spec, areas, [s.metrics.details[spec.band]
                                                   for s in summaries])
        rt = None
        if run.keep_rt:
            rt = np.full((len(ctx.origins), len(mine)), np.inf, dtype=np.float32)
            for idx, s in zip(parts, summaries, strict=True):
                cols, m = s.metrics.rt[spec.band]
                rt[np.ix_(idx, cols)] = m
        results.append(BandResult(spec.band, blocks, rt, mine, details,
                                  searches=2 * len(mine)))
    return results


__all__ = ["AUDIENCE_GROUPS", "band_results", "run_spec", "summed_demand", "with_free_from"]
