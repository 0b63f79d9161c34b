"""ONS lookup CSVs: LSOA 2021 -> ward -> LAD, LSOA 2011 -> LSOA 2021 changes, and the 2021
Rural-Urban Classification. Which one a file is comes from its header: the official names
(LSOA21CD, WD24CD, LAD24CD, CHGIND, RUC21CD, ...) and the snake_case names of the shared
extracts (lsoa21_code, ward24_code, ltla24_code, change_code, ruc21_code, ...) both work.

Idempotent by upsert on each table's key (LSOA 2021 code; the LSOA 2011/2021 pair; LSOA
2021 code). After the ward lookup, wards and LSOAs loaded from boundary files that carried no
district code get it from the lookup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from ingest.areas.common import (
    REGION,
    checked_rows,
    count_lines,
    counted,
    keep_region,
    ons,
    refuse_if_nothing,
    stage,
    upsert,
)
from ingest.areas.values import CellError, code, find_column, optional_code, text_value
from ingest.csvfile import header_of, read_csv
from ingest.report import LoadRefused, LoadReport
from ingest.runner import Provenance

# Normalised-name patterns of each column, official form first.
LSOA21 = (r"lsoa21cd", r"lsoa21code")
LSOA21_NAME = (r"lsoa21nm", r"lsoa21name")
LSOA11 = (r"lsoa11cd", r"lsoa11code")
WARD = (r"wd\d\dcd", r"ward\d\dcode", r"wd\d\dcode")
WARD_NAME = (r"wd\d\dnm", r"ward\d\dname", r"wd\d\dname")
LAD = (r"lad\d\dcd", r"ltla\d\dcode", r"lad\d\dcode")
LAD_NAME = (r"lad\d\dnm", r"ltla\d\dname", r"lad\d\dname")
CHANGE = (r"chgind", r"changecode", r"change")
RUC = (r"ruc21cd", r"ruc21code", r"ruc21")
RUC_NAME = (r"ruc21nm", r"ruc21name", r"classification", r"ruc21description")
RUC_BROAD = (r"urbanruralflag", r"ruc", r"urbanrural", r"broad")


def kind_of(columns: list[str]) -> str | None:
    """'ward', 'lsoa11' or 'ruc' for a recognised lookup header, else None."""
    if find_column(columns, *LSOA21) is None:
        return None
    if find_column(columns, *RUC):
        return "ruc"
    if find_column(columns, *LSOA11) and find_column(columns, *CHANGE):
        return "lsoa11"
    if find_column(columns, *WARD) and find_column(columns, *LAD):
        return "ward"
    return None


def sniff(path: Path) -> str | None:
    """Cheap header-only detection for `ingest all`."""
    return kind_of(header_of(path))


def load_lookup(conn: Connection, path: Path, report: LoadReport) -> Provenance:
    """Load one lookup CSV, whichever of the three kinds its header says it is."""
    columns, _ = read_csv(path)
    kind = kind_of(columns)
    if kind is None:
        raise LoadRefused(path, "not a recognised ONS lookup: expected LSOA21CD with WDxxCD and "
                          "LADxxCD, or LSOA11CD with CHGIND, or RUC21CD columns")
    region = REGION.get()
    if region is not None and region.bbox is not None:
        raise LoadRefused(path, "--bbox does not apply to a lookup (it has no coordinates); "
                          "use --lad")
    return {"ward": _ward, "lsoa11": _lsoa11, "ruc": _ruc}[kind](conn, path, report)


def _required(path: Path, columns: list[str], label: str, patterns: tuple[str, ...]) -> str:
    col = find_column(columns, *patterns)
    if col is None:
        raise LoadRefused(path, f"missing required column: {label}")
    return col


def _ward(conn: Connection, path: Path, report: LoadReport) -> Provenance:
    columns, rows = read_csv(path)
    c_lsoa = _required(path, columns, "LSOA21CD", LSOA21)
    c_ward = _required(path, columns, "WD24CD", WARD)
    c_lad = _required(path, columns, "LAD24CD", LAD)
    c_lsoa_nm = _required(path, columns, "LSOA21NM", LSOA21_NAME)
    c_ward_nm = _required(path, columns, "WD24NM", WARD_NAME)
    c_lad_nm = _required(path, columns, "LAD24NM", LAD_NAME)

    def parse(v: dict[str, str]) -> tuple[Any, ...]:
        return (code(v, c_lsoa, "lsoa"), text_value(v, c_lsoa_nm, max_len=120, optional=False),
                code(v, c_ward, "ward"), text_value(v, c_ward_nm, max_len=120, optional=False),
                code(v, c_lad, "lad"), text_value(v, c_lad_nm, max_len=120, optional=False))

    cols = ("lsoa21_code", "lsoa21_name", "ward_code", "ward_name", "lad_code", "lad_name")
    stage(conn, "stage_lookup", [(c, "text") for c in cols],
          counted(checked_rows(rows, report, parse, desc="lookup", total=count_lines(path),
                                key=lambda p: p[0], key_column=c_lsoa), report))
    keep_region(conn, "stage_lookup", report, lad_column="lad_code")
    upsert(conn, "lsoa_lookup", {c: c for c in cols}, "stage_lookup", ("lsoa21_code",))
    refuse_if_nothing(path, report, "lookup")
    # Boundary files without a district column leave lad_code empty; the lookup knows it.
    conn.execute(text("""
        UPDATE ward w SET lad_code = s.lad_code
        FROM (SELECT DISTINCT ON (ward_code) ward_code, lad_code FROM stage_lookup
              ORDER BY ward_code, lad_code) s
        WHERE w.code = s.ward_code AND w.lad_code IS NULL"""))
    conn.execute(text("""
        UPDATE lsoa21 l SET lad_code = s.lad_code FROM stage_lookup s
        WHERE l.code = s.lsoa21_code AND l.lad_code IS NULL"""))
    year = "20" + c_ward[2:4] if c_ward[2:4].isdigit() else "2024"
    return ons(f"LSOA 2021 to ward and LAD, {year}", year)


def _lsoa11(conn: Connection, path: Path, report: LoadReport) -> Provenance:
    columns, rows = read_csv(path)
    c11 = _required(path, columns, "LSOA11CD", LSOA11)
    c21 = _required(path, columns, "LSOA21CD", LSOA21)
    c_chg = _required(path, columns, "CHGIND", CHANGE)
    c_lad = find_column(columns, *LAD)

    def parse(v: dict[str, str]) -> tuple[Any, ...]:
        change = v[c_chg].strip().upper()
        if change not in ("U", "S", "M", "X"):
            raise CellError(c_chg, f"{change!r} is not a change code (U, S, M or X)")
        return (code(v, c11, "lsoa"), code(v, c21, "lsoa"), change,
                optional_code(v, c_lad, "lad"))

    cols = ("lsoa11_code", "lsoa21_code", "change_code", "lad_code")
    stage(conn, "stage_lsoa11", [(c, "text") for c in cols],
          counted(checked_rows(rows, report, parse, desc="lsoa11->21", total=count_lines(path),
                                key=lambda p: (p[0], p[1]), key_column=c21), report))
    _keep_lsoas(conn, path, "stage_lsoa11", "lsoa21_code", report)
    upsert(conn, "lsoa11_lsoa21", {c: c for c in cols}, "stage_lsoa11",
           ("lsoa11_code", "lsoa21_code"))
    refuse_if_nothing(path, report, "lookup")
    return ons("LSOA 2011 to LSOA 2021, 2022", "2022")


def _ruc(conn: Connection, path: Path, report: LoadReport) -> Provenance:
    columns, rows = read_csv(path)
    c_lsoa = _required(path, columns, "LSOA21CD", LSOA21)
    c_ruc = _required(path, columns, "RUC21CD", RUC)
    c_name = _required(path, columns, "RUC21NM", RUC_NAME)
    c_broad = find_column(columns, *RUC_BROAD)

    def parse(v: dict[str, str]) -> tuple[Any, ...]:
        ruc = text_value(v, c_ruc, max_len=8, optional=False) or ""
        # RUC 2021 codes start U (urban) or R (rural); derive the broad class if not given.
        broad = text_value(v, c_broad, max_len=16) if c_broad else None
        if broad is None:
            if ruc[:1].upper() not in ("U", "R"):
                raise CellError(c_ruc, f"{ruc!r} is not a 2021 rural-urban code (U.. or R..)")
            broad = "Urban" if ruc[:1].upper() == "U" else "Rural"
        return (code(v, c_lsoa, "lsoa"), ruc,
                text_value(v, c_name, max_len=120, optional=False), broad)

    cols = ("lsoa_code", "ruc_code", "classification", "broad")
    stage(conn, "stage_ruc", [(c, "text") for c in cols],
          counted(checked_rows(rows, report, parse, desc="rural-urban", total=count_lines(path),
                                key=lambda p: p[0], key_column=c_lsoa), report))
    _keep_lsoas(conn, path, "stage_ruc", "lsoa_code", report)
    upsert(conn, "rural_urban", {c: c for c in cols}, "stage_ruc", ("lsoa_code",))
    refuse_if_nothing(path, report, "lookup")
    return ons("Rural-Urban Classification 2021", "2021")



def _keep_lsoas(conn: Connection, path: Path, table: str, column: str,
                report: LoadReport) -> None:
    """With --lad, drop staged rows whose LSOA 2021 is not in those districts.

    An LSOA's district comes from the loaded lookup or LSOA 2021 boundaries. `table` and
    `column` are constants of this module.
    """
    region = REGION.get()
    if region is None or not region.lads:
        return
    lads = list(region.lads)
    known = conn.execute(text(
        "SELECT count(*) FROM (SELECT 1 FROM lsoa_lookup WHERE lad_code = ANY(:l) UNION ALL"
        " SELECT 1 FROM lsoa21 WHERE lad_code = ANY(:l)) x"), {"l": lads}).scalar_one()
    if not known:
        raise LoadRefused(path, "--lad: the LSOA 2021 -> ward -> LAD lookup (or LSOA 2021 "
                          "boundaries with districts) of those districts must be loaded first")
    n = int(conn.execute(text(
        f"DELETE FROM {table} WHERE {column} NOT IN (SELECT lsoa21_code FROM lsoa_lookup"  # noqa: S608
        f" WHERE lad_code = ANY(:l) UNION SELECT code FROM lsoa21 WHERE lad_code = ANY(:l))"),
        {"l": lads}).rowcount or 0)
    if n:
        report.warn(f"{n:,} rows outside the region (--lad) were not loaded")
        report.rows_loaded = max(0, report.rows_loaded - n)
