"""A small in-memory limiter for anonymous writes; it keeps keyed counts, never who sent them."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque


class WindowLimiter:
    """At most `limit` events per key per `seconds`; keys are HMACs, so no address is held."""

    def __init__(self, limit: int, seconds: float, secret: str) -> None:
        self.limit, self.seconds = limit, seconds
        self._secret = secret.encode()
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _key(self, raw: str) -> str:
        return hmac.new(self._secret, raw.encode(), hashlib.sha256).hexdigest()[:32]

    def allow(self, raw_key: str, *, now: float | None = None) -> bool:
        """Count one event for the key; False when the key is over its limit."""
        at = time.monotonic() if now is None else now
        key = self._key(raw_key)
        with self._lock:
            # Drop windows that have passed, so memory holds only the last hour's counts.
            for k in [k for k, q in self._events.items() if q and q[-1] < at - self.seconds]:
                del self._events[k]
            q = self._events.setdefault(key, deque())
            while q and q[0] < at - self.seconds:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(at)
            return True
