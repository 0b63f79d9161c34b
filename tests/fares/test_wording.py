"""The handout's fare line, the finder's option text, and the `python -m app.fares` checker."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from app.fares import BusPass, FareLeg, FareModel
from app.fares.__main__ import main
from app.fares.wording import first_bus_at, handout_fare_line, option_text
from app.settings import PROJECT_ROOT

MODEL = FareModel()
OLDER = BusPass("older")


def bus(hh: int, mm: int, route_type: int = 3) -> FareLeg:
    return FareLeg("bus", datetime(2026, 12, 2, hh, mm), route_id="D1", route_type=route_type,
                   label="the D1")


def test_handout_line_offers_the_free_bus() -> None:
    paid = MODEL.price_round_trip([bus(9, 12)], [bus(14, 5)], OLDER)
    free = MODEL.price_round_trip([bus(9, 40)], [bus(14, 5)], OLDER)
    assert handout_fare_line(paid, free) == (
        "Bus fare: up to £3 there, free back with your bus pass; or free both ways with your "
        "bus pass if you catch the 09:40")
    no_pass = MODEL.price_round_trip([bus(9, 12)], [bus(14, 5)])
    assert handout_fare_line(no_pass) == "Bus fare: up to £3 each way"
    assert handout_fare_line(free) == "Bus fare: free with your bus pass, both ways"
    walk = MODEL.price_round_trip([FareLeg("walk", datetime(2026, 12, 2, 9))], [])
    assert handout_fare_line(walk) == "Bus fare: none, you walk both ways"
    coach = MODEL.price_round_trip([bus(10, 0, route_type=200)], [bus(15, 0)])
    assert handout_fare_line(coach).startswith(
        "Bus fare: not known (coach services are outside the £3 bus fare cap")


def test_option_text() -> None:
    free = MODEL.price_journey([FareLeg("walk", datetime(2026, 12, 2, 9, 31)), bus(9, 40)],
                               OLDER)
    assert first_bus_at(free) == datetime(2026, 12, 2, 9, 40)
    assert option_text(free, datetime(2026, 12, 2, 9, 31), datetime(2026, 12, 2, 10, 40)) == (
        "leave at 09:31: free with your bus pass, arrive 10:40")
    paid = MODEL.price_journey([bus(9, 5)], OLDER)
    assert option_text(paid, datetime(2026, 12, 2, 9, 0), datetime(2026, 12, 2, 10, 10)) == (
        "leave at 09:00: up to £3, arrive 10:10")


def test_checker_reports_the_shipped_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "cap national-cap-3: £3 single, 2025-01-01 to 2027-03-31" in out
    assert "bank holidays (england-and-wales): 41 days, 2023–2027" in out


def test_checker_lists_problems_and_exits_2(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text('schema = "x"\n', encoding="utf-8")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "3 problem(s)" in err and "missing table [policy]" in err
    assert main(["feed", str(Path(__file__).parent / "feeds" / "v1")]) == 0
    assert "Fares v1, 6 fares, 9 rules" in capsys.readouterr().out


def test_checker_runs_as_a_module() -> None:
    done = subprocess.run([sys.executable, "-m", "app.fares", "check"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "fare policy england-outside-london" in done.stdout
