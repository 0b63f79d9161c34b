"""Compact string columns of a compiled timetable: UTF-8 bytes plus offsets.

Fixed-width numpy unicode arrays cost 4 bytes a character times the longest string (at
national size 60% of a compiled timetable was ids and names). `Names` keeps one UTF-8
byte array and int64 offsets, so it saves to .npz and memory-maps like any other array;
`Coded` keeps a repeated column (route, headsign) as int32 codes into a `Names` table.
Both read like a sequence of str: `names[i]`, `len`, iteration, `np.asarray(names)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np


class _Column:
    """What both column kinds share: conversion to a numpy str array."""

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.array(list(self), dtype=str)
        return out if dtype is None else out.astype(dtype)


class Names(_Column):
    """An immutable sequence of strings stored as UTF-8 `data` and `offsets` (n + 1)."""

    def __init__(self, data: np.ndarray, offsets: np.ndarray) -> None:
        self.data = data
        self.offsets = offsets
        # Decoded strings by index: journeys name the same few stops and routes thousands of
        # times a query, and decoding one costs several microseconds (the data never change).
        self._memo: dict[int, str] = {}

    @classmethod
    def of(cls, strings: Iterable[object]) -> Names:
        """Pack strings (anything str() turns into one)."""
        encoded = [str(s).encode() for s in strings]
        offsets = np.zeros(len(encoded) + 1, np.int64)
        if encoded:
            np.cumsum([len(b) for b in encoded], out=offsets[1:])
        data = np.frombuffer(b"".join(encoded), np.uint8).copy()
        return cls(data, offsets)

    def __len__(self) -> int:
        """Number of strings."""
        return len(self.offsets) - 1

    def _one(self, i: int) -> str:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        a, b = int(self.offsets[i]), int(self.offsets[i + 1])
        return self.data[a:b].tobytes().decode()

    def __getitem__(self, i: Any) -> Any:
        """One string for an int index; a str array for a slice or an index array."""
        if isinstance(i, int | np.integer):
            found = self._memo.get(i)  # type: ignore[arg-type]  # np ints hash as int
            if found is None:
                found = self._memo[int(i)] = self._one(int(i))
            return found
        idx = np.arange(len(self))[i]
        return np.array([self._one(int(j)) for j in np.atleast_1d(idx)], dtype=str)

    def __iter__(self) -> Iterator[str]:
        return (self._one(i) for i in range(len(self)))

    def __repr__(self) -> str:
        return f"Names({len(self)} strings, {self.data.nbytes} bytes)"

    @property
    def nbytes(self) -> int:
        """Bytes held (data and offsets)."""
        return int(self.data.nbytes + self.offsets.nbytes)

    def search(self, value: str) -> int:
        """Position of value in a sorted table, or -1 (binary search)."""
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._one(mid) < value:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self) and self._one(lo) == value else -1

    def to_arrays(self, name: str) -> dict[str, np.ndarray]:
        """The arrays to store under `name`."""
        return {f"{name}.data": self.data, f"{name}.offsets": self.offsets}


class Coded(_Column):
    """A repeated string column: int32 codes into a table of distinct strings."""

    def __init__(self, codes: np.ndarray, table: Names) -> None:
        self.codes = codes
        self.table = table

    @classmethod
    def of(cls, strings: Sequence[object]) -> Coded:
        """Encode a column (distinct values sorted, so equal inputs give equal arrays)."""
        values, codes = np.unique(np.array([str(s) for s in strings], dtype=object),
                                  return_inverse=True)
        return cls(codes.astype(np.int32).reshape(-1), Names.of(values))

    def __len__(self) -> int:
        """Number of strings."""
        return len(self.codes)

    def __getitem__(self, i: Any) -> Any:
        """One string for an int index; a str array for a slice or an index array."""
        if isinstance(i, int | np.integer):
            return self.table[int(self.codes[int(i)])]
        return np.array([self.table[int(c)] for c in np.atleast_1d(self.codes[i])], dtype=str)

    def __iter__(self) -> Iterator[str]:
        return (self.table[int(c)] for c in self.codes)

    def __repr__(self) -> str:
        return f"Coded({len(self)} codes over {len(self.table)} strings)"

    @property
    def nbytes(self) -> int:
        """Bytes held (codes and table)."""
        return int(self.codes.nbytes + self.table.nbytes)

    def to_arrays(self, name: str) -> dict[str, np.ndarray]:
        """The arrays to store under `name`."""
        return {f"{name}.codes": self.codes, **self.table.to_arrays(f"{name}.table")}


Strings = Names | Coded


def strings_from_arrays(arrays: Mapping[str, Any], name: str) -> Strings:
    """The column stored under `name` by `to_arrays` (or a plain str array, packed)."""
    if f"{name}.codes" in arrays:
        table = Names(arrays[f"{name}.table.data"], arrays[f"{name}.table.offsets"])
        return Coded(arrays[f"{name}.codes"], table)
    if f"{name}.data" in arrays:
        return Names(arrays[f"{name}.data"], arrays[f"{name}.offsets"])
    return Names.of(np.asarray(arrays[name]).tolist())
