"""Password hashing with argon2id (argon2-cffi's recommended parameters), bounded per process."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.errors import TooManyRequests

T = TypeVar("T")

_HASHER = PasswordHasher()
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches the stored hash; never raises on a mismatch."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A fixed hash to verify against when the user does not exist, so timing does not reveal it.
DUMMY_HASH = _HASHER.hash("not-a-real-password-only-for-timing")


# Argon2 takes ~64 MiB and a core for tens of milliseconds. A sign-in flood must not take
# every core (or thread) from other requests: each worker hashes one password at a time,
# off the event loop, and turns sign-ins away (429) when too many are already waiting.
HASH_CONCURRENCY = 1
MAX_WAITING = 8
_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary())


async def run_bounded(fn: Callable[..., T], *args: Any) -> T:
    """Run password work in a worker thread, bounded per process; 429 when the queue is full."""
    loop = asyncio.get_running_loop()
    limiter = _LIMITERS.get(loop)
    if limiter is None:
        limiter = _LIMITERS[loop] = anyio.CapacityLimiter(HASH_CONCURRENCY)
    if limiter.statistics().tasks_waiting >= MAX_WAITING:
        raise TooManyRequests("the server is busy with other sign-ins; try again in a moment",
                              retry_after=1)
    return await anyio.to_thread.run_sync(fn, *args, limiter=limiter)
