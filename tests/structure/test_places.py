"""The one place resolver: lat,lon, full postcodes and outward codes, and what it never logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.errors import AppError, InvalidInput, NotFound
from app.postcodes import parse_postcode
from app.privacy import install_log_redaction
from app.services.places import outward_centre, postcode_point, resolve_place, resolve_point
from app.services.transit.places import resolve_place as resolve_journey_end

ROOT = Path(__file__).resolve().parents[2]


def test_full_postcode_outward_code_and_point(tiny_postcodes: Engine) -> None:
    with tiny_postcodes.connect() as conn:
        full = resolve_place(conn, " ng18 1aa ", field="near")
        assert (round(full.lat, 6), round(full.lon, 6)) == (53.143612, -1.194788)
        assert full.label == "NG18 1AA" and not full.approximate
        assert full.postcode is not None and full.postcode.compact == "NG181AA"
        outward = resolve_place(conn, "NG18", field="near")
        assert outward.approximate and outward.label == "NG18" and outward.note
        assert (outward.lat, outward.lon) == pytest.approx((53.143612, -1.194788))
        point = resolve_place(conn, "53.12,-1.27", field="near")
        assert (point.lat, point.lon, point.postcode) == (53.12, -1.27, None)
        assert resolve_point(conn, "NG17 1FU") == pytest.approx((53.121786, -1.274587))
        centre = outward_centre(conn, "NG24")
        assert centre is not None and centre.count == 1 and centre.r90_m == 0.0
        assert outward_centre(conn, "NG99") is None
        found = postcode_point(conn, parse_postcode("NG24 1AB"))
        assert found is not None and found.outward == "NG24"


def test_errors_name_the_field(tiny_postcodes: Engine) -> None:
    with tiny_postcodes.connect() as conn:
        with pytest.raises(NotFound, match="not in the loaded postcode directory") as info:
            resolve_place(conn, "NG18 9ZZ", field="postcode")
        assert info.value.field == "postcode" and "9ZZ" not in info.value.message
        with pytest.raises(NotFound, match="no postcodes in district NG99") as info:
            resolve_place(conn, "NG99", field="near")
        assert info.value.field == "near"
        with pytest.raises(InvalidInput, match="outside Great Britain"):
            resolve_place(conn, "-1.19,53.14", field="near")  # swapped
        with pytest.raises(InvalidInput) as bad:
            resolve_place(conn, "hello", field="near")
        assert bad.value.field == "near"


def test_journeys_keep_points_abroad_and_name_them(tiny_postcodes: Engine) -> None:
    with Session(tiny_postcodes) as session:
        abroad = resolve_journey_end(session, "-30.0330,-51.2290", field="from")
        assert abroad.name == "your start point" and abroad.label == "-30.03300,-51.22900"
        home = resolve_journey_end(session, "NG18 1AA", field="to")
        assert home.name == "NG18 1AA" and not home.approximate
        with pytest.raises(InvalidInput, match="give a postcode"):
            resolve_journey_end(session, "  ", field="to")


# Full postcodes and points locate a person; an outward code alone is the district-level area
# the finder itself shows (and SQLAlchemy's debug log may carry it as a bound value).
SECRETS = ("NG18 1AA", "53.143612,-1.194788", "NG18 9ZZ", "53.1,abc", "52.95123,-1.15321")


def test_the_typed_text_never_reaches_the_logs(tiny_postcodes: Engine,
                                               caplog: pytest.LogCaptureFixture) -> None:
    """With every logger at DEBUG (SQLAlchemy's statements and parameters included), nothing
    the user typed is logged, on success or failure, and no error chains the raw text."""
    install_log_redaction()  # as the app does at start-up
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    with tiny_postcodes.connect() as conn:
        for raw in (*SECRETS, "NG99"):
            try:
                resolve_place(conn, raw, field="near")
            except AppError as exc:
                assert exc.__cause__ is None
                assert exc.__context__ is None or exc.__suppress_context__
                assert not any(part in exc.message for part in ("53.1", "abc", "1AA", "9ZZ"))
    assert caplog.records, "SQLAlchemy logged nothing: the check would be empty"
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for raw in SECRETS:
        assert raw not in logged and raw.replace(" ", "") not in logged
    assert "NG181AA" not in logged and "53.143612" not in logged


def test_one_resolver_for_every_front_door() -> None:
    """The finder, journeys, directory search and postcode lookup share one resolver, one
    lat/lon parser and one outward-code query."""
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
               for d in ("app", "ingest") for p in (ROOT / d).rglob("*.py")}
    outward_queries = [p for p, s in sources.items() if "WHERE outward = :outward" in s
                       or "ST_Centroid(ST_Collect(geom)) AS" in s]
    assert outward_queries == ["app/services/places.py"]
    parsers = [p for p, s in sources.items() if "def parse_latlon" in s]
    assert parsers == ["app/geo.py"]
    for user in ("app/services/reachable/origin.py", "app/services/transit/places.py",
                 "app/api/activities.py", "app/api/venues.py", "app/api/oruk.py"):
        assert "app.services.places import" in sources[user], user
    assert "lookup_postcode" in sources["app/api/postcodes.py"]
