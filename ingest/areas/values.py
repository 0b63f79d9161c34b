"""Cell validators shared by the area loaders: codes, integers, numbers and text.

Each raises `CellError(column, reason)`; the loaders turn that into a rejected row with the
file, line and column, so every check reads as one line at its call site.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

# ONS GSS codes: a country letter, a 2-digit entity code and 6 digits. The prefix "X" is never
# issued by ONS (countries are E, W, S, N, K), so the built-in fictional sample region uses it
# and its codes can never collide with real ones.
CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "lsoa": re.compile(r"^(E01|W01|X01)\d{6}$"),
    "ward": re.compile(r"^(E05|W05|X05)\d{6}$"),
    "lad": re.compile(r"^(E0[6-9]|W06|X07)\d{6}$"),
}
CODE_LABELS = {"lsoa": "LSOA", "ward": "ward", "lad": "local authority district"}


class CellError(Exception):
    """One bad cell: the column it is in and why it was refused."""

    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def is_code(kind: str, value: str) -> bool:
    """True if `value` is a well-formed code of this kind (lsoa, ward, lad)."""
    return bool(CODE_PATTERNS[kind].match(value))


def code(row: Mapping[str, str], column: str, kind: str) -> str:
    """A GSS code of `kind` from `column`, upper-cased and checked."""
    value = optional_code(row, column, kind)
    if value is None:
        raise CellError(column, f"empty {CODE_LABELS[kind]} code")
    return value


def optional_code(row: Mapping[str, str], column: str | None, kind: str) -> str | None:
    """Like `code`, but an empty cell (or an absent column) gives None."""
    value = row.get(column, "").strip().upper() if column else ""
    if not value:
        return None
    if not is_code(kind, value):
        raise CellError(column, f"{value!r} is not a valid {CODE_LABELS[kind]} code")
    return value


def integer(row: Mapping[str, str], column: str, *, lo: int | None = None,
            hi: int | None = None, optional: bool = False) -> int | None:
    """An integer within [lo, hi]; tolerates '12.0' and thousands commas as published."""
    raw = row.get(column, "").strip().replace(",", "")
    if not raw:
        if optional:
            return None
        raise CellError(column, "empty, expected a whole number")
    try:
        as_float = float(raw)
    except ValueError:
        raise CellError(column, f"{raw!r} is not a number") from None
    if not math.isfinite(as_float) or as_float != int(as_float):
        raise CellError(column, f"{raw!r} is not a whole number")
    value = int(as_float)
    if lo is not None and value < lo:
        raise CellError(column, f"{value} is below the minimum {lo}")
    if hi is not None and value > hi:
        raise CellError(column, f"{value} is above the maximum {hi}")
    return value


def number(row: Mapping[str, str], column: str, *, optional: bool = False) -> float | None:
    """A finite decimal number."""
    raw = row.get(column, "").strip().replace(",", "")
    if not raw:
        if optional:
            return None
        raise CellError(column, "empty, expected a number")
    try:
        value = float(raw)
    except ValueError:
        raise CellError(column, f"{raw!r} is not a number") from None
    if not math.isfinite(value):
        raise CellError(column, f"{raw!r} is not a finite number")
    return value


def text_value(row: Mapping[str, str], column: str | None, *, max_len: int,
               optional: bool = True) -> str | None:
    """Trimmed text no longer than the database column allows; empty becomes None."""
    if column is None:
        return None
    value = row.get(column, "").strip()
    if not value:
        if optional:
            return None
        raise CellError(column, "empty")
    if len(value) > max_len:
        raise CellError(column, f"longer than {max_len} characters")
    return value


def normalise_header(name: str) -> str:
    """Lower-case a column name and drop everything but letters and digits (for matching)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def find_column(columns: list[str], *patterns: str) -> str | None:
    """The first column whose normalised name fully matches one of the regex `patterns`."""
    compiled = [re.compile(p) for p in patterns]
    for pattern in compiled:
        for col in columns:
            if pattern.fullmatch(normalise_header(col)):
                return col
    return None
