"""Stream CSV members of a GTFS zip or directory through pandas' C parser, line numbers kept.

The fast path assumes one record per physical line, which is true of nearly every feed;
it counts the newlines it streams and, when a quoted field spans lines, maps record
numbers to true file lines with one extra pass of the `csv` module (`exact_lines`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

CHUNK_ROWS = 500_000
Opener = Callable[[], IO[bytes]]


class MemberSet:
    """Openers for the member files of a zip or a directory, by lower-case base name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.files: dict[str, Opener] = {}
        self._zip: zipfile.ZipFile | None = None
        if path.is_dir():
            for p in sorted(path.iterdir()):
                if p.is_file():
                    self.files[p.name.lower()] = _file_opener(p)
        else:
            self._zip = zipfile.ZipFile(path)  # BadZipFile/OSError: the caller reports it
            # Some publishers nest the files in one folder inside the zip.
            for n in self._zip.namelist():
                base = n.rsplit("/", 1)[-1].lower()
                if base and not n.endswith("/") and base not in self.files:
                    self.files[base] = _zip_opener(self._zip, n)

    def open(self, name: str) -> IO[bytes]:
        """A fresh binary stream of one member."""
        return self.files[name]()

    def read(self, name: str) -> bytes:
        """All bytes of one member (used only on error paths and for small files)."""
        with self.open(name) as fh:
            return fh.read()


def _file_opener(p: Path) -> Opener:
    return lambda: p.open("rb")


def _zip_opener(zf: zipfile.ZipFile, n: str) -> Opener:
    return lambda: zf.open(n)


class CountingReader(io.RawIOBase):
    """A read-only byte stream that counts the newlines passing through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self.raw = raw
        self.newlines = 0
        self.last = b""

    def readable(self) -> bool:
        """Always readable."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Read and count."""
        data = self.raw.read(size)
        if data:
            self.newlines += data.count(b"\n")
            self.last = data[-1:]
        return data

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read into a buffer and count."""
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def physical_lines(self) -> int:
        """Number of physical lines read so far (a last line without newline counts)."""
        return self.newlines + (1 if self.last not in (b"", b"\n") else 0)


class HeaderProblem(Exception):
    """The header cannot be read on the fast path (the caller falls back)."""


def read_header(members: MemberSet, name: str) -> list[str] | None:
    """Stripped header fields, or None when the file holds only whitespace.

    Raises HeaderProblem (or UnicodeDecodeError/csv.Error) when the fast path cannot be used.
    """
    with members.open(name) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        row = next(csv.reader(text), None)
        if row is None or not any(c.strip() for c in row):
            rest = text.read(1 << 16)
            while rest:
                if rest.strip():
                    raise HeaderProblem("blank first line")
                rest = text.read(1 << 16)
            return None
    header = [h.strip() for h in row]
    if len(set(header)) != len(header) or any(h == "" for h in header):
        raise HeaderProblem("duplicate or empty column names")
    return header


def iter_chunks(members: MemberSet, name: str, header: list[str],
                usecols: list[str] | None = None,
                chunk_rows: int = CHUNK_ROWS) -> Iterator[tuple[pd.DataFrame, CountingReader]]:
    """Yield raw string chunks (index = record number from 0, blank lines included).

    A row with more fields than the header raises ParserError (the caller falls back to
    the `csv` module, which names it). Every column is parsed, because with `usecols`
    pandas silently drops the extra fields of a ragged row; `usecols` is then applied to
    each chunk, so only the wanted columns outlive it.
    """
    with members.open(name) as raw:
        counter = CountingReader(raw)
        buffered = io.BufferedReader(counter, buffer_size=1 << 20)
        reader = pd.read_csv(
            buffered, header=0, names=header, dtype=object,
            keep_default_na=False, na_filter=False, skip_blank_lines=False,
            encoding="utf-8-sig", chunksize=chunk_rows, engine="c", index_col=False,
        )
        with reader:
            for chunk in reader:
                yield (chunk if usecols is None else chunk[usecols]), counter


def exact_lines(members: MemberSet, name: str) -> np.ndarray:
    """The file line (1-based, header = 1) on which each record ends, by the `csv` module."""
    lines: list[int] = []
    with members.open(name) as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        next(reader, None)
        for _ in reader:
            lines.append(reader.line_num)
    return np.asarray(lines, dtype=np.int64)


def blank_rows(chunk: pd.DataFrame, first_col: str) -> np.ndarray:
    """Rows that are blank lines (every field empty; a lone field may be whitespace)."""
    cols = [c for c in chunk.columns if c != first_col]
    blank = np.ones(len(chunk), dtype=bool)
    for c in cols:
        blank &= chunk[c].to_numpy() == ""
    if blank.any():
        first = chunk[first_col].to_numpy()
        idx = np.flatnonzero(blank)
        blank[idx] = [not str(v).strip() for v in first[idx]]
    return blank
