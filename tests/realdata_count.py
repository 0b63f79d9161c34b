"""Honest counts of the real-data tests: said after collection and again at the end.

Without the open data (GEODATA_DIR unset, missing or empty) a selection that includes
real-data tests stops with an error, unless ALLOW_NO_DATA=1 is set, in which case those tests
are deselected (and counted as not run) instead of passing quietly.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

_outcomes: dict[str, str] = {}  # nodeid -> passed / failed / skipped / error
_realdata_ids: set[str] = set()
_not_run = 0


def data_dir() -> Path | None:
    """GEODATA_DIR when it names a folder that holds something, else None."""
    raw = os.environ.get("GEODATA_DIR")
    if not raw:
        return None
    path = Path(raw)
    return path if path.is_dir() and any(path.iterdir()) else None


def _why_no_data() -> str:
    raw = os.environ.get("GEODATA_DIR")
    return "GEODATA_DIR is not set" if not raw else f"GEODATA_DIR={raw} holds no data"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ALLOW_NO_DATA=1 and no data, deselect the real-data tests (they are counted)."""
    global _not_run
    if data_dir() is not None or os.environ.get("ALLOW_NO_DATA") != "1":
        return
    skipped = [i for i in items if i.get_closest_marker("realdata")]
    if skipped:
        _not_run = len(skipped)
        items[:] = [i for i in items if not i.get_closest_marker("realdata")]
        config.hook.pytest_deselected(items=skipped)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Say how many real-data tests will run; without data, refuse unless allowed."""
    real = [i for i in session.items if i.get_closest_marker("realdata")]
    _realdata_ids.update(i.nodeid for i in real)
    where = data_dir()
    if where is None and real:
        pytest.exit(f"{_why_no_data()}: the {len(real)} real-data tests in this selection "
                    "cannot run. Put the open data in ../shared/data (make test finds it), set "
                    "GEODATA_DIR, or set ALLOW_NO_DATA=1 to run only the other "
                    f"{len(session.items) - len(real)} tests.", returncode=3)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    if where is None:
        line = (f"real-data tests: NONE will run ({_why_no_data()}; ALLOW_NO_DATA=1): "
                f"{_not_run} deselected")
    else:
        line = f"real-data tests: {len(real)} of {len(session.items)} will run on {where}"
    reporter.write_line(line, yellow=where is None, bold=True)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the outcome of each real-data test (a setup error counts as an error)."""
    if report.nodeid not in _realdata_ids:
        return
    if report.when == "call":
        _outcomes.setdefault(report.nodeid, report.outcome)
    elif report.failed:
        _outcomes[report.nodeid] = "error"
    elif report.skipped:
        _outcomes[report.nodeid] = "skipped"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Repeat the count at the end, with how the real-data tests came out."""
    if terminalreporter.config.option.collectonly or (not _realdata_ids and not _not_run):
        return
    counts = Counter(_outcomes.values())
    parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none finished"
    line = f"real-data tests: {len(_outcomes)} of {len(_realdata_ids)} ran ({parts})"
    if _not_run:
        line += f"; {_not_run} NOT run (no data, ALLOW_NO_DATA=1)"
    terminalreporter.write_line(line, yellow=bool(_not_run), bold=True)
