"""The batch keeps the collector off its gathered results, and leaves it as it found it."""

from __future__ import annotations

import gc

from app.services.gaps.heap import results_held


def test_results_are_frozen_while_held_and_handed_back_after() -> None:
    assert gc.get_freeze_count() == 0
    with results_held() as keep:
        held = [{"detail": i} for i in range(1000)]
        keep()
        assert gc.get_freeze_count() >= len(held)
    assert gc.get_freeze_count() == 0


def test_a_callers_frozen_objects_stay_frozen() -> None:
    mine = [{"start-up": i} for i in range(100)]
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with results_held() as keep:
            keep()
            assert gc.get_freeze_count() == before
        assert gc.get_freeze_count() == before, "the caller's frozen objects were unfrozen"
    finally:
        gc.unfreeze()
    assert mine


def test_the_held_results_are_handed_back_after_an_error() -> None:
    try:
        with results_held() as keep:
            keep()
            raise RuntimeError("a worker was lost")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0
