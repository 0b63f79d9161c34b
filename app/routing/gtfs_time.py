"""GTFS time and date text <-> integers."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas only for parsing feeds: formatting (the query path) needs none
    import pandas as pd

_TIME_RE = r"^(\d{1,3}):([0-5]\d):([0-5]\d)$"


def parse_times(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse H:MM:SS strings to seconds; returns (seconds int64, is_blank, is_bad) arrays.

    Hours may exceed 23 (trips running past midnight of the service day).
    """
    text = values.astype(str).str.strip()
    blank = (text == "").to_numpy()
    parts = text.str.extract(_TIME_RE)
    ok = parts[0].notna().to_numpy()
    secs = np.zeros(len(text), dtype=np.int64)
    if ok.any():
        p = parts[ok].astype(np.int64)
        secs[ok] = (p[0] * 3600 + p[1] * 60 + p[2]).to_numpy()
    bad = ~ok & ~blank
    return secs, blank, bad


def parse_time(text: str) -> int:
    """Parse one H:MM:SS string to seconds after midnight (ValueError if malformed)."""
    import pandas as pd

    secs, blank, bad = parse_times(pd.Series([text]))
    if blank[0] or bad[0]:
        raise ValueError(f"not a GTFS time: {text!r}")
    return int(secs[0])


def format_hms(seconds: int) -> str:
    """Seconds after midnight as HH:MM:SS (hours may exceed 23)."""
    s = int(seconds)
    sign = "-" if s < 0 else ""
    s = abs(s)
    return f"{sign}{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def format_hm(seconds: int) -> str:
    """Seconds after midnight as HH:MM, rounding down (hours may exceed 23)."""
    return format_hms(seconds)[:-3]


def parse_date(text: str) -> dt.date:
    """Parse a GTFS YYYYMMDD date (ValueError if malformed)."""
    t = text.strip()
    if len(t) != 8 or not t.isdigit():
        raise ValueError(f"not a GTFS date: {text!r}")
    return dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
