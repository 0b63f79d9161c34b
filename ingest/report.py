"""What a load tells its user: rejected rows with file, line, column and reason, and a summary."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from app.errors import IngestError


@dataclass(frozen=True)
class Rejection:
    """One rejected row (or cell): where it is and why it was refused."""

    file: str
    line: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        col = f" column {self.column!r}:" if self.column else ""
        return f"{where}:{col} {self.reason}"


class LoadRefused(IngestError):
    """The whole file was refused; nothing was written. The message is one line."""

    def __init__(self, path: Path | str, reason: str, *, line: int | None = None,
                 column: str | None = None) -> None:
        where = f"{path}" if line is None else f"{path}:{line}"
        col = f" column {column!r}:" if column else ""
        super().__init__(f"{where}:{col} {reason}")
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = reason


@dataclass
class LoadReport:
    """Counts and problems collected while loading one dataset file."""

    dataset: str
    source: str
    rows_read: int = 0
    rows_loaded: int = 0
    repaired: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def reject(self, line: int | None, column: str | None, reason: str) -> None:
        """Record a rejected row."""
        self.rejected.append(Rejection(Path(self.source).name, line, column, reason))

    def warn(self, message: str) -> None:
        """Record something the user should know that did not stop the load."""
        self.warnings.append(message)

    def summary(self) -> str:
        """One line of counts, as printed at the end of every load."""
        parts = [
            f"{self.dataset}: loaded {self.rows_loaded:,} of {self.rows_read:,} rows",
            f"rejected {len(self.rejected):,}",
        ]
        if self.repaired:
            parts.append(f"repaired {self.repaired:,} invalid geometries")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warnings")
        parts.append(f"in {self.seconds:.1f} s from {Path(self.source).name}")
        return ", ".join(parts)

    def print(self, stream: TextIO = sys.stderr, max_rows: int = 50, *,
              quiet: bool = False) -> None:
        """Print rejections (capped), warnings and the summary line.

        `quiet` drops the warnings and the summary, never the rejected rows: a quiet load
        must still say which rows it did not load, and why.
        """
        for rej in self.rejected[:max_rows]:
            print(f"  rejected {rej}", file=stream)
        if len(self.rejected) > max_rows:
            print(f"  ... and {len(self.rejected) - max_rows:,} more rejected rows", file=stream)
        if quiet:
            return
        for w in self.warnings:
            print(f"  warning: {w}", file=stream)
        print(self.summary(), file=stream)
