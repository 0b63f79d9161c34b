"""The fare policy file: the shipped statutory defaults, and validation of a user's own file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.fares import SHIPPED_POLICY, PolicyError, default_policy, load_policy
from app.settings import Settings


def test_shipped_policy_holds_the_statutory_rules() -> None:
    p = default_policy()
    assert p.currency == "GBP" and p.timezone == "Europe/London"
    assert [(c.single_pence, c.start, c.end) for c in p.caps] == [
        (200, date(2023, 1, 1), date(2024, 12, 31)), (300, date(2025, 1, 1), date(2027, 3, 31))]
    assert p.known_until == date(2027, 3, 31) and p.after_known_until == "keep-last"
    c = p.concession
    assert (c.weekday.start_s, c.weekday.end_s, c.weekday.end_inclusive) == (
        9 * 3600 + 1800, 23 * 3600, True)
    assert c.weekends_all_day and c.bank_holidays_all_day
    assert {"older", "disabled", "companion"} == c.passes
    # coach, school-only and rail replacement buses are outside the cap and the pass
    for rt in (200, 201, 209, 712, 714):
        assert all(rt not in cap.route_types for cap in p.caps)
        assert rt not in c.route_types
    assert 3 in c.route_types and 0 not in c.route_types  # trams only by local extension
    # every rule says where it comes from
    assert all(cap.sources for cap in p.caps) and c.sources
    assert all(rule.sources for rule in p.local)
    assert any("London" in s for s in p.out_of_scope)
    assert any("Greater Manchester" in s for s in p.out_of_scope)


def test_authorities_from_districts_and_stops() -> None:
    p = default_policy()
    assert p.authority_for_lad("E07000174").id == "nottinghamshire"  # type: ignore[union-attr]
    assert p.authority_for_lad("E06000018").id == "nottingham-city"  # type: ignore[union-attr]
    assert p.authority_for_lad("E09000001") is None
    assert p.authority_for_stop("3390C11025").id == "nottingham-city"  # type: ignore[union-attr]
    assert p.authority_for_stop("3300MA0019").id == "nottinghamshire"  # type: ignore[union-attr]
    assert p.authority_for_stop("2500IMG1") is None


def test_settings_default_to_the_shipped_files() -> None:
    s = Settings()
    assert s.fare_policy_file == "" and s.bank_holidays_file == ""
    assert load_policy(s.fare_policy_file or None).source_file == str(SHIPPED_POLICY)


def test_a_user_policy_replaces_the_shipped_one(tmp_path: Path) -> None:
    text = SHIPPED_POLICY.read_text(encoding="utf-8").replace(
        "single_pence = 300", "single_pence = 250").replace(
        'version = "2026.12.1"', 'version = "local-1"')
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    p = load_policy(path)
    assert p.version == "local-1" and p.caps[-1].single_pence == 250


BROKEN = '''
schema = "within-reach-fare-policy/1"
colour = "blue"

[policy]
id = "x"
name = "x"
version = "1"
reviewed = 2026-01-01
currency = "EUR"
timezone = "Mars/Olympus"
bank_holidays = "england-and-wales"
known_until = 2024-01-01
after_known_until = "guess"

[[cap]]
id = "a"
name = "A cap"
single_pence = 2.5
start = 2025-01-01
end = 2024-01-01
route_types = [3, "bus"]
sources = []

[[cap]]
id = "b"
name = "B cap"
single_pence = 300
start = 2024-06-01
end = 2026-01-01
route_types = [3]
sources = ["somewhere"]
pence = 1

[concession]
name = "ENCTS"
start = 2008-04-01
passes = ["older", "student"]
route_types = [3]
weekday_from = "9.30"
weekday_until = "23:00"
sources = ["law"]

[[authority]]
id = "here"
name = "Here"

[[local]]
id = "early"
authority = "nowhere"
passes = ["disabled"]
issued_by = ["here", "there"]
weekday_windows = [["09:30", "07:00"]]
as_of = "2025"
sources = ["council"]
'''


def test_validation_reports_every_problem_with_its_key(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    problems = err.value.problems
    expected = [
        "(top level).colour: unknown key",
        "policy.currency: 'EUR': only GBP",
        "policy.timezone: 'Mars/Olympus' is not an IANA time zone",
        "policy.after_known_until: 'guess'",
        "cap[0].single_pence: 2.5 is not a whole number of pence",
        "cap[0].end: 2024-01-01 is before start 2025-01-01",
        "cap[0].route_types:",
        "cap[0].sources: empty",
        "cap[1].pence: unknown key",
        "overlaps",
        "concession.passes:",
        "concession.weekday_from/weekday_until: '9.30'-'23:00' is not a pair of HH:MM times",
        "local[0].authority: 'nowhere' is not an [[authority]] id",
        "local[0].issued_by: 'there' is not an [[authority]] id",
        "local[0].weekday_windows[0]: starts at 09:30 but ends at 07:00",
        "local[0].as_of: '2025' is not a date",
        "policy.known_until: 2024-01-01 is before the last cap ends",
    ]
    for needle in expected:
        assert any(needle in p for p in problems), (needle, problems)
    assert str(path) in str(err.value)


def test_unreadable_files_say_why(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the file"):
        load_policy(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy\nid = 1", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(bad)
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(bad)
    bad.write_text('schema = "other/2"\n', encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(bad)
    assert any(p.startswith("schema:") for p in err.value.problems)
    assert any("missing table [policy]" in p for p in err.value.problems)
    assert not any(p.startswith("policy.") for p in err.value.problems)  # reported once
