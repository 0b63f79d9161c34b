"""`journey.retimed` moves a leg's ends and times and keeps every other field."""

from __future__ import annotations

from dataclasses import fields

from app.routing.journey import Leg, Place, mirror_legs, retimed

A, B = Place("A", 53.1, -1.2, "s1"), Place("B", 53.2, -1.1, "s2")
BUS = Leg("bus", A, B, 100, 700, 12.5, "7", "Mansfield", "t1", "feed:r7", 4)


def test_retimed_keeps_every_field_it_is_not_told_to_change() -> None:
    moved = retimed(BUS, B, A, -700, -100)
    changed = {"start", "end", "depart_s", "arrive_s"}
    for f in fields(Leg):  # a field added to Leg later must not be dropped here
        if f.name not in changed:
            assert getattr(moved, f.name) == getattr(BUS, f.name), f.name
    assert (moved.start, moved.end, moved.depart_s, moved.arrive_s) == (B, A, -700, -100)


def test_mirroring_twice_gives_the_legs_back() -> None:
    walk = Leg("walk", B, A, 700, 900, walk_m=150.0)
    legs = [BUS, walk]
    assert mirror_legs(mirror_legs(legs)) == legs
