"""Errors of the fare model: a file that cannot be used, with every problem found in it."""

from __future__ import annotations

__all__ = ["FaresDataError"]


class FaresDataError(ValueError):
    """Data that cannot be used; `problems` lists every fault found, each with its place."""

    def __init__(self, what: str, problems: list[str]) -> None:
        self.what = what
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{what}: {len(problems)} problem(s)\n{lines}")
