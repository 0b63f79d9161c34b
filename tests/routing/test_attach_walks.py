"""Plans a person can follow: each walk is attached to the bus it serves."""

from __future__ import annotations

from app.routing.journey import Leg, Place, attach_walks

HOME, STOP_A, STOP_B, VENUE = (Place(n, 53.0, -1.0, sid) for n, sid in
                               (("home", None), ("A", "a"), ("B", "b"), ("venue", None)))


def test_first_walk_leaves_late_and_last_walk_follows_the_bus() -> None:
    # A search label may start the walk early and wait at the stop, or wait before walking on.
    legs = [Leg("walk", HOME, STOP_A, 1000, 1300, walk_m=300.0),
            Leg("bus", STOP_A, STOP_B, 1900, 2500, route_short_name="D1"),
            Leg("walk", STOP_B, VENUE, 2800, 3000, walk_m=200.0)]
    out = attach_walks(legs)
    assert (out[0].depart_s, out[0].arrive_s) == (1600, 1900)
    assert (out[2].depart_s, out[2].arrive_s) == (2500, 2700)
    assert out[1] == legs[1] and out[0].walk_m == 300.0
    assert legs[0].depart_s == 1000  # the input is left as it was


def test_walk_only_is_unchanged() -> None:
    legs = [Leg("walk", HOME, VENUE, 100, 700, walk_m=600.0)]
    assert attach_walks(legs) == legs
