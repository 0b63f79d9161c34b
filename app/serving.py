"""Keep cheap reads fast beside CPU-bound requests in the same worker process.

The finder, journeys, isochrones and what-if analyses are CPU-bound Python and numba that
hold the GIL. Each worker runs at most `HEAVY_CONCURRENCY` of them at a time (the rest wait
on an asyncio semaphore, holding no thread), and threads switch every millisecond rather
than every five, so a postcode lookup waiting for the GIL after each database round trip
is not held up for long. Other workers (WEB_CONCURRENCY) take the remaining cores.
"""

from __future__ import annotations

import asyncio
import sys
import weakref

from starlette.types import ASGIApp, Receive, Scope, Send

HEAVY_PATHS = ("/api/reachable-activities", "/api/journeys", "/api/isochrone",
               "/api/gaps/what-if")
HEAVY_CONCURRENCY = 1
SWITCH_INTERVAL_S = 0.001


def tune_interpreter() -> None:
    """Shorter GIL switch interval for this process (see the module docstring)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


class HeavyRouteLimiter:
    """Let a bounded number of CPU-bound requests run at once in this process."""

    def __init__(self, app: ASGIApp, limit: int = HEAVY_CONCURRENCY) -> None:
        self.app = app
        self.limit = limit
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary())

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.limit)
        return gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Queue heavy requests behind the per-process gate; pass others straight on."""
        if scope["type"] == "http" and scope.get("path", "") in HEAVY_PATHS:
            async with self._gate():
                await self.app(scope, receive, send)
        else:
            await self.app(scope, receive, send)
