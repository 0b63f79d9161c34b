"""app.geo: the one Great Britain box and the lat/lon and bbox parsers both front doors use."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import InvalidInput
from app.geo import (
    GB_BOUNDS,
    LatLon,
    in_gb,
    looks_like_latlon,
    parse_bbox,
    parse_latlon,
    require_in_gb,
)


def test_parse_latlon_reads_a_pair_with_spaces() -> None:
    assert parse_latlon(" 53.1430 , -1.1970 ", field="near") == LatLon(53.143, -1.197)


@pytest.mark.parametrize(("raw", "says"), [
    ("53.1", "expected 'lat,lon'"), ("1,2,3", "expected 'lat,lon'"),
    ("53.1,abc", "must be numbers"), ("91,0", "-90..90"), ("0,181", "-180..180"),
    ("", "expected 'lat,lon'"),
])
def test_parse_latlon_refuses_naming_the_field(raw: str, says: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_latlon(raw, field="from")
    assert info.value.field == "from" and says in info.value.message
    # The typed text never rides along in the chain (float()'s error quotes it).
    exc = info.value
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)


def test_gb_box_and_swapped_coordinates() -> None:
    assert in_gb(53.14, -1.19) and in_gb(GB_BOUNDS[1], GB_BOUNDS[0])
    assert not in_gb(-1.19, 53.14)  # swapped
    assert not in_gb(-30.03, -51.22)  # Porto Alegre
    assert require_in_gb(LatLon(53.14, -1.19), field="near") == LatLon(53.14, -1.19)
    with pytest.raises(InvalidInput, match="outside Great Britain") as info:
        require_in_gb(LatLon(-1.19, 53.14), field="origin")
    assert info.value.field == "origin"


def test_parse_bbox_order_and_errors() -> None:
    assert parse_bbox("-1.3,53.0,-1.1,53.2") == (-1.3, 53.0, -1.1, 53.2)
    for raw in ("1,2,3", "a,b,c,d", "-1.1,53.0,-1.3,53.2", "0,91,1,92"):
        with pytest.raises(InvalidInput) as info:
            parse_bbox(raw)
        assert info.value.field == "bbox"


@pytest.mark.parametrize(("raw", "point"), [
    ("53.1,-1.2", True), ("-1.2", True), ("+5", True), (" 7", True), ("NG18 1AA", False),
    ("ng18", False), ("", False), ("a,b", True),
])
def test_what_counts_as_a_coordinate(raw: str, point: bool) -> None:
    assert looks_like_latlon(raw) is point


def test_the_box_is_written_once() -> None:
    """No other module of the app or the loaders spells the Great Britain box again."""
    root = Path(__file__).resolve().parents[2]
    copies = [str(p.relative_to(root)) for d in ("app", "ingest") for p in (root / d).rglob("*.py")
              if "49.0" in p.read_text(encoding="utf-8") and "61.5" in
              p.read_text(encoding="utf-8")]
    assert copies == ["app/geo.py"]
