"""Strict CSV reading: UTF-8 (BOM allowed), header checks, and line numbers for every row.

`read_csv` streams: one pass checks the bytes are UTF-8 (block by block, so the first bad
byte is named with its line and offset before any row is used), a second yields rows from
the open file. Memory is one block and one row, whatever the size of the national file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ingest.report import LoadRefused


@dataclass(frozen=True)
class CsvRow:
    """A data row with the physical line it started on (the header is line 1)."""

    line: int
    values: dict[str, str]
    error: str | None = None


def read_text(path: Path) -> str:
    """Read a whole text file as UTF-8, refusing other encodings with a one-line reason."""
    data = _read_bytes(path)
    if not data.strip():
        raise LoadRefused(path, "the file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LoadRefused(
            path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8", line=line) from None


def _read_bytes(path: Path) -> bytes:
    """Read a file, or the single CSV inside a ZIP, refusing a truncated or corrupt archive."""
    if not path.exists():
        raise LoadRefused(path, "no such file")
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".csv")]
                if len(names) != 1:
                    raise LoadRefused(path, f"expected one CSV inside the ZIP, found {len(names)}")
                return zf.read(names[0])
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
            raise LoadRefused(path, f"the ZIP archive is truncated or corrupt ({exc})") from None
    return path.read_bytes()


def header_of(path: Path) -> list[str]:
    """Return the header row of a CSV (cheaply, for format detection)."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        first = fh.readline()
    return next(csv.reader([first]), [])


BLOCK = 1 << 20


@contextmanager
def open_bytes(path: Path) -> Iterator[IO[bytes]]:
    """A binary stream of a file, or of the single CSV inside a ZIP (refusing a bad ZIP)."""
    if not path.exists():
        raise LoadRefused(path, "no such file")
    if path.suffix.lower() != ".zip":
        with path.open("rb") as fh:
            yield fh
        return
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(".csv")]
            if len(names) != 1:
                raise LoadRefused(path, f"expected one CSV inside the ZIP, found {len(names)}")
            with zf.open(names[0]) as fh:
                yield fh
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise LoadRefused(path, f"the ZIP archive is truncated or corrupt ({exc})") from None


def check_utf8(path: Path) -> None:
    """Refuse an empty or non-UTF-8 file, naming the first bad byte, reading block by block."""
    offset = 0  # bytes of the file before `data`
    newlines = 0
    carry = b""
    content = False
    with open_bytes(path) as fh:
        while True:
            block = fh.read(BLOCK)
            data = carry + block
            if not data:
                break
            try:
                data.decode("utf-8")
                good = len(data)
            except UnicodeDecodeError as exc:
                truncated = exc.reason == "unexpected end of data" and block
                if not truncated:
                    line = newlines + data[: exc.start].count(b"\n") + 1
                    raise LoadRefused(
                        path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                        f"{offset + exc.start}); re-save the file as UTF-8", line=line) from None
                good = exc.start  # a character split across blocks: finish it next time
            content = content or bool(data[:good].strip())
            newlines += data[:good].count(b"\n")
            offset += good
            carry = data[good:]
            if not block:
                break
    if not content:
        raise LoadRefused(path, "the file is empty")


def read_csv(path: Path, required: Sequence[str] = (), *, header: Sequence[str] | None = None
             ) -> tuple[list[str], Iterator[CsvRow]]:
    """Open a CSV, check the required columns exist, and yield rows with line numbers.

    `header` supplies column names for files published without a header row
    (Code-Point Open, for one). Rows are read from the open file as they are consumed.
    """
    check_utf8(path)
    stack = open_bytes(path)
    raw = stack.__enter__()
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        columns = list(header) if header is not None else [c.strip() for c in next(reader)]
    except StopIteration:
        stack.__exit__(None, None, None)
        raise LoadRefused(path, "the file is empty") from None
    except csv.Error as exc:
        stack.__exit__(None, None, None)
        raise LoadRefused(path, f"not a readable CSV ({exc})", line=1) from None
    missing = [c for c in required if c not in columns]
    if missing:
        stack.__exit__(None, None, None)
        raise LoadRefused(path, "missing required columns: " + ", ".join(repr(m) for m in missing))
    return columns, _closing(_rows(path, reader, columns), stack)


def _closing(rows: Iterator[CsvRow], stack: object) -> Iterator[CsvRow]:
    """Yield rows, closing the file when they run out (or the consumer stops)."""
    try:
        yield from rows
    finally:
        stack.__exit__(None, None, None)  # type: ignore[attr-defined]


def _rows(path: Path, reader: Iterator[list[str]], columns: list[str]) -> Iterator[CsvRow]:
    width = len(columns)
    line = 1
    try:
        for record in reader:
            # line_num counts physical lines, so rows with quoted newlines keep true numbers.
            line = reader.line_num  # type: ignore[attr-defined]
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) != width:
                yield CsvRow(line, {}, f"row has {len(record)} fields, the header has {width}")
                continue
            yield CsvRow(line, dict(zip(columns, record, strict=True)))
    except csv.Error as exc:
        raise LoadRefused(path, f"malformed CSV ({exc})", line=line) from None
