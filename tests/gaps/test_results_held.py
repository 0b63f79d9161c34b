"""The batch keeps the collector off its gathered results, and leaves it as it found it."""

from __future__ import annotations

import gc

from app.services.gaps.heap import results_held


class Summary:
    """Stands for a gathered part summary (instances are always tracked by the collector)."""


def scanned(obj: object) -> bool:
    """Whether full collections walk obj (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


def test_results_are_frozen_while_held_and_handed_back_after() -> None:
    gc.unfreeze()  # whatever an earlier test left: this batch is the owner
    with results_held() as keep:
        held = Summary()
        assert scanned(held)
        keep()
        assert not scanned(held)
    assert scanned(held)
    assert gc.get_freeze_count() == 0


def test_a_callers_frozen_objects_stay_frozen() -> None:
    gc.unfreeze()
    mine = Summary()
    gc.freeze()  # a caller's own, before the batch
    try:
        with results_held() as keep:
            new = Summary()
            keep()
            assert scanned(new), "the batch froze objects while someone else's were frozen"
        assert not scanned(mine), "the caller's frozen objects were unfrozen"
    finally:
        gc.unfreeze()


def test_the_held_results_are_handed_back_after_an_error() -> None:
    gc.unfreeze()
    try:
        with results_held() as keep:
            held = Summary()
            keep()
            raise RuntimeError("a worker was lost")
    except RuntimeError:
        pass
    assert scanned(held)
    assert gc.get_freeze_count() == 0
