"""Postcode normalisation accepts the forms people type and names the field when it refuses."""

from __future__ import annotations

import pytest

from app.errors import InvalidInput
from app.postcodes import parse_postcode


@pytest.mark.parametrize("raw", ["ng18 1aa", "NG181AA", " NG18  1AA ", "Ng18\t1aA"])
def test_full_forms_normalise(raw: str) -> None:
    pc = parse_postcode(raw)
    assert (pc.compact, pc.outward, pc.inward, pc.display) == ("NG181AA", "NG18", "1AA",
                                                               "NG18 1AA")


@pytest.mark.parametrize("raw,outward", [("NG18", "NG18"), ("ng1", "NG1"), ("S81", "S81"),
                                         ("W1A", "W1A")])
def test_outward_codes_are_partial(raw: str, outward: str) -> None:
    pc = parse_postcode(raw)
    assert pc.is_partial and pc.outward == outward


@pytest.mark.parametrize("raw", ["", "   ", "NG18 1A", "18NG 1AA", "NG18 1AAA", "hello", "N",
                                 "NG18-1AA"])
def test_malformed_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_postcode(raw)
    assert err.value.field == "postcode"


def test_partial_can_be_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_postcode("NG18", allow_partial=False)
