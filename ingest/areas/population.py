"""Census 2021 usual residents by LSOA 2021 and age band.

Accepts the shared extract (`lsoa21_code, usual_residents_total, Aged 15 years and under,
Aged 16 to 24 years, ...`) and the official ONS/Nomis bulk layouts (`geography code`,
`Age: Total`, `Age: Aged 4 years and under`, ... or single years of age): every column named
like an age range is parsed and summed into the bands of `app.iod.AGE_BANDS`. A layout whose
ranges straddle a band boundary (e.g. 5-year bands 15-19) is refused, because the split
cannot be made honestly.

Idempotent by upsert on (LSOA, age band); "total" is stored as its own band.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection

from app.iod import AGE_BANDS
from ingest.areas.common import (
    checked_rows,
    count_lines,
    counted,
    ons,
    refuse_if_nothing,
    stage,
    upsert,
)
from ingest.areas.values import CellError, code, find_column, integer, normalise_header
from ingest.csvfile import header_of, read_csv
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance

LSOA21 = (r"lsoa21cd", r"lsoa21code", r"geographycode", r"lsoa2021code", r"mnemonic")
TOTAL = (r"usualresidentstotal", r"agetotal", r"total", r"allusualresidents",
         r"totalallusualresidents", r"observation")
_UNDER = re.compile(r"aged(\d+)yearsandunder|agedunder(\d+)years?")
_RANGE = re.compile(r"aged(\d+)to(\d+)years")
_OVER = re.compile(r"aged(\d+)yearsandover|aged(\d+)yearsorover|aged(\d+)andover")
_SINGLE = re.compile(r"aged(\d+)years?")


def _band_limits() -> list[tuple[str, int, int]]:
    out = []
    for band in AGE_BANDS:
        lo, _, hi = band.partition("-")
        out.append((band, int(lo.rstrip("+")), int(hi) if hi else 200))
    return out


BANDS = _band_limits()


def age_range(column: str) -> tuple[int, int] | None:
    """Parse a column like 'Age: Aged 16 to 24 years' into (16, 24); None if not an age."""
    name = normalise_header(column.split(":")[-1])
    if m := _UNDER.fullmatch(name):
        under = m.group(1)
        return (0, int(under)) if under else (0, int(m.group(2)) - 1)
    if m := _RANGE.fullmatch(name):
        return int(m.group(1)), int(m.group(2))
    if m := _OVER.fullmatch(name):
        return int(next(g for g in m.groups() if g)), 200
    if m := _SINGLE.fullmatch(name):
        return int(m.group(1)), int(m.group(1))
    return None


def band_columns(columns: list[str]) -> dict[str, list[str]] | None:
    """Map each age band to the columns that sum to it; None if the ranges do not fit."""
    out: dict[str, list[str]] = {band: [] for band in AGE_BANDS}
    found = False
    for col in columns:
        rng = age_range(col)
        if rng is None:
            continue
        found = True
        band = next((b for b, lo, hi in BANDS if lo <= rng[0] and rng[1] <= hi), None)
        if band is None:
            return None
        out[band].append(col)
    if not found or any(not cols for cols in out.values()):
        return None
    return out


def sniff(path: Path) -> bool:
    """Cheap header-only detection for `ingest all`."""
    columns = header_of(path)
    return find_column(columns, *LSOA21) is not None and band_columns(columns) is not None


def load_population(conn: Connection, path: Path, report: LoadReport) -> Provenance:
    """Load Census 2021 usual residents by LSOA 2021 and age band into `population`."""
    columns, rows = read_csv(path)
    c_lsoa = find_column(columns, *LSOA21)
    if c_lsoa is None:
        raise LoadRefused(path, "missing required column: LSOA 2021 code (lsoa21_code, "
                          "LSOA21CD or 'geography code')")
    bands = band_columns(columns)
    if bands is None:
        raise LoadRefused(path, "missing or unusable age columns: need ranges that add up to "
                          f"the bands {', '.join(AGE_BANDS)} (e.g. 'Aged 16 to 24 years')")
    c_total = find_column(columns, *TOTAL)

    def parse(v: dict[str, str]) -> tuple[str, dict[str, int]]:
        lsoa = code(v, c_lsoa, "lsoa")
        counts = {b: sum(integer(v, c, lo=0) or 0 for c in cols) for b, cols in bands.items()}
        total = sum(counts.values())
        if c_total is not None:
            given = integer(v, c_total, lo=0)
            if given != total:
                raise CellError(c_total, f"total {given} is not the sum of the age bands "
                                f"({total})")
        counts["total"] = total
        return lsoa, counts

    def staged() -> Iterator[tuple[str, str, int]]:
        for lsoa, counts in counted(checked_rows(
                rows, report, parse, desc="population", total=count_lines(path),
                key=lambda p: p[0], key_column=c_lsoa), report):
            for band, n in counts.items():
                yield lsoa, band, n

    stage(conn, "stage_population",
          [("lsoa_code", "text"), ("age_band", "text"), ("count", "int")], staged())
    upsert(conn, "population", {"lsoa_code": "lsoa_code", "age_band": "age_band",
                                "count": "count"}, "stage_population", ("lsoa_code", "age_band"))
    refuse_if_nothing(path, report, "LSOA")
    return ons("Census 2021 (21 March 2021)", "2021")
