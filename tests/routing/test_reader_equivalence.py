"""The streaming reader gives the same Feed, report and timetable as the reader it replaced.

`legacy_gtfs_reader` is that reader, kept verbatim as the oracle (like the reference router):
it read each member whole, through the `csv` module, every cell a Python string.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path

import legacy_gtfs_reader as legacy
import numpy as np
import pandas as pd
import pytest
from wr_gtfs_builder import basic_files, trip_rows, write_feed

from app.routing.feed import Feed, FeedRefusedError, ValidationReport
from app.routing.gtfs_reader import read_gtfs
from app.routing.names import Coded, Names
from app.routing.timetable import compile_timetable
from bench.national.synth import generate

FRAMES = ("stops", "routes", "trips", "calendar", "calendar_dates", "agency", "feed_info")


def _same_feed(a: Feed, b: Feed) -> None:
    assert a.version == b.version
    for k in FRAMES:
        x, y = getattr(a, k), getattr(b, k)
        if x is None or y is None:
            assert x is None and y is None
            continue
        pd.testing.assert_frame_equal(x, y)
    # trip and stop ids are categorical now: the same strings, in the same rows.
    ids = {"trip_id": object, "stop_id": object}
    pd.testing.assert_frame_equal(a.stop_times.astype(ids), b.stop_times.astype(ids))


def _same_report(a: ValidationReport, b: ValidationReport) -> None:
    assert [str(i) for i in a.errors] == [str(i) for i in b.errors]
    assert sorted(str(i) for i in a.warnings) == sorted(str(i) for i in b.warnings)


def _same_timetable(a: Feed, b: Feed, day: dt.date) -> None:
    ta, tb = compile_timetable([a], day), compile_timetable([b], day)
    for f in fields(ta):
        x, y = getattr(ta, f.name), getattr(tb, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype, f.name
            assert np.array_equal(x, y), f.name
        elif isinstance(x, Names | Coded):  # id and name columns: compare their strings
            assert list(x) == list(y), f.name
        else:
            assert x == y, f.name


def _check(path: Path, days: list[dt.date]) -> Feed:
    a, ra = read_gtfs(path, name="x")
    b, rb = legacy.read_gtfs(path, name="x")
    _same_feed(a, b)
    _same_report(ra, rb)
    for day in days:
        _same_timetable(a, b, day)
    return a


@pytest.fixture
def fast_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the streaming reader falls back to the whole-file `csv` path."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"fell back to the csv path for {args[1]}")
    monkeypatch.setattr("app.routing.gtfs_reader._read_table_exact", refuse)


@pytest.mark.usefixtures("fast_path_only")
def test_midnotts_bit_identical(midnotts_path: Path) -> None:
    feed = _check(midnotts_path, [dt.date(2026, 12, 2), dt.date(2026, 12, 6),
                                  dt.date(2026, 12, 28)])
    assert isinstance(feed.stop_times["trip_id"].dtype, pd.CategoricalDtype)


@pytest.mark.usefixtures("fast_path_only")
def test_poa_bit_identical(poa_path: Path) -> None:
    _check(poa_path, [dt.date(2019, 5, 13), dt.date(2019, 5, 18)])


@pytest.mark.usefixtures("fast_path_only")
def test_synthetic_england_bit_identical(tmp_path: Path) -> None:
    # Frequencies, trips past midnight, bank holidays, 9 regions of operators.
    out = generate(tmp_path, 0.002)
    feed = _check(Path(str(out["gtfs"])), [dt.date(2026, 12, 2), dt.date(2026, 12, 25),
                                           dt.date(2027, 5, 3)])
    assert feed.stop_times["trip_id"].astype(str).str.contains("@").any()
    assert (feed.stop_times["arrival_s"] >= 86_400).any()


def _both(tmp_path: Path, files: dict[str, str], as_zip: bool = False
          ) -> tuple[tuple[Feed, ValidationReport] | ValidationReport, ...]:
    out = []
    for reader in (read_gtfs, legacy.read_gtfs):
        path = write_feed(tmp_path / reader.__module__, files, as_zip=as_zip)
        try:
            out.append(reader(path, name="t"))
        except FeedRefusedError as exc:
            out.append(exc.report)
    return tuple(out)


def _rows(n: int) -> list[tuple[str, str, str, str, int]]:
    rows = []
    for k in range(n):
        rows += trip_rows(f"T{k}", ["S1", "S2", "S3"], 8 * 3600 + 60 * k)
    return rows


QUIRKS = {
    "padded cells": lambda st: st.replace("T1,", " T1 ,").replace(",S2,", ", S2 ,")
    .replace("08:01:00", " 08:01:00"),
    "blank lines": lambda st: st.replace("\nT2,", "\n\n   \nT2,"),
    "crlf": lambda st: st.replace("\n", "\r\n"),
    "quoted newline in a field": lambda st: st.replace(
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence",
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence,stop_headsign").replace(
        "\n", ",x\n").replace("stop_sequence,x", "stop_sequence").replace(
        "T3,08:03:00,08:03:00,S1,1,x", 'T3,08:03:00,08:03:00,S1,1,"two\nlines"'),
    "ragged row": lambda st: st.replace("T2,08:02:00,08:02:00,S1,1",
                                        "T2,08:02:00,08:02:00,S1,1,extra"),
    "bad values": lambda st: st.replace("T4,08:04:00,08:04:00,S1,1", "T4,8:4:00,08:04:00,S9,x")
    .replace("T1,08:06:00", "T1,０8:06:00"),
    "times backwards": lambda st: st.replace("T5,08:15:00,08:15:00,S3", "T5,07:00:00,07:00:00,S3"),
    "blank middle times": lambda st: st.replace("T2,08:07:00,08:07:00,S2", "T2,,,S2"),
    "unknown trip after quoted newline": lambda st: QUIRKS["quoted newline in a field"](st)
    .replace("T6,", "TX,"),
}


@pytest.mark.parametrize("quirk", sorted(QUIRKS))
@pytest.mark.parametrize("as_zip", [False, True])
def test_quirks_same_answer(tmp_path: Path, quirk: str, as_zip: bool) -> None:
    files = basic_files([(f"T{k}", "R1", "ALL", 1) for k in range(8)], _rows(8))
    files["stop_times.txt"] = QUIRKS[quirk](files["stop_times.txt"])
    new, old = _both(tmp_path, files, as_zip)
    if isinstance(old, ValidationReport):
        assert isinstance(new, ValidationReport), "the old reader refused this feed"
        assert old.errors
        _same_report(new, old)
        return
    assert not isinstance(new, ValidationReport), new
    _same_feed(new[0], old[0])
    _same_report(new[1], old[1])


def test_quoted_newline_keeps_true_line_numbers(tmp_path: Path) -> None:
    files = basic_files([(f"T{k}", "R1", "ALL", 1) for k in range(8)], _rows(8))
    files["stop_times.txt"] = QUIRKS["unknown trip after quoted newline"](files["stop_times.txt"])
    new, _ = _both(tmp_path, files)
    assert isinstance(new, ValidationReport)
    lines = [i.line for i in new.errors if "unknown trip_id 'TX'" in i.message]
    text = files["stop_times.txt"]
    physical = [n + 1 for n, line in enumerate(text.split("\n")) if line.startswith("TX,")]
    assert lines == physical
