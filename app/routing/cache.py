"""On-disk cache of compiled timetables (.npz files, pure file IO)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.routing.feed import Feed
from app.routing.timetable import BuildParams, Timetable, compile_timetable

CACHE_FORMAT = 1  # bump when the Timetable layout changes so old files are ignored


class TimetableCache:
    """Compiled timetables stored as `<dir>/<key>.npz`, key = hash of feeds, date and params."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    @staticmethod
    def key(feeds: Sequence[Feed], day: dt.date, params: BuildParams) -> str:
        """Stable cache key for (feed names+versions, date, build params)."""
        payload = {
            "format": CACHE_FORMAT,
            "feeds": [[f.name, f.version] for f in feeds],
            "date": day.isoformat(),
            "params": dataclasses.asdict(params),
        }
        blob = json.dumps(payload, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:32]

    def path(self, key: str) -> Path:
        """File path for a key."""
        return self.directory / f"{key}.npz"

    def load(self, key: str) -> Timetable | None:
        """The cached timetable for key, or None if absent or unreadable."""
        p = self.path(key)
        if not p.exists():
            return None
        try:
            with np.load(p, allow_pickle=False) as z:
                return Timetable.from_arrays({k: z[k] for k in z.files})
        except (OSError, ValueError, KeyError):
            return None  # a half-written or stale file is just a cache miss

    def save(self, key: str, tt: Timetable) -> Path:
        """Write atomically (temp file + rename) so readers never see partial files."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp.npz")
        os.close(fd)
        np.savez(tmp, **tt.to_arrays())  # type: ignore[arg-type]
        final = self.path(key)
        os.replace(tmp, final)
        return final

    def get_or_build(self, feeds: Sequence[Feed], day: dt.date,
                     params: BuildParams | None = None) -> Timetable:
        """Load the timetable for (feeds, day, params) or compile and store it."""
        params = params or BuildParams()
        k = self.key(feeds, day, params)
        tt = self.load(k)
        if tt is None:
            tt = compile_timetable(feeds, day, params)
            self.save(k, tt)
        return tt
