"""The token-signing key: refuse weak or published keys in production, else keep a local one."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

MIN_BYTES = 32
KEY_FILE = "secret_key"

# Every value that was ever published with the project (the old settings default, compose.yml
# and .env.example): anyone could sign tokens with them, so they are never accepted.
PUBLISHED_KEYS = frozenset({
    "change-me-in-production-please-0123456789",
    "change-me-to-a-long-random-string",
    "change-me",
    "changeme",
    "secret",
})


def is_published(key: str) -> bool:
    """True for a key shipped in the repository (or an obvious placeholder)."""
    k = key.strip()
    return k in PUBLISHED_KEYS or k.lower().startswith("change-me")


def weakness(key: str | None) -> str | None:
    """Why `key` must not sign tokens in production, or None when it is acceptable."""
    if not key:
        return ("SECRET_KEY is not set; generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`")
    if is_published(key):
        return "SECRET_KEY is a published default value from the repository; set your own"
    if len(key.encode()) < MIN_BYTES:
        return f"SECRET_KEY is too short ({len(key.encode())} bytes; at least {MIN_BYTES})"
    return None


def refuse_weak_secret() -> None:
    """In production, stop with a one-line reason unless SECRET_KEY is strong and private."""
    from app.settings import get_settings

    settings = get_settings()
    reason = weakness(settings.secret_key) if settings.is_production else None
    if reason:
        raise SystemExit(f"refusing to start (APP_ENV=production): {reason}")


def local_secret(cache_dir: Path) -> str:
    """The key kept in CACHE_DIR (mode 0600, outside git), created once on first use.

    Several workers may start at once: the key is written to a private temporary file and
    linked into place, so exactly one key wins and every worker reads that one.
    """
    path = cache_dir / KEY_FILE
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if len(key.encode()) >= MIN_BYTES:
            return key
        path.unlink()  # truncated or tampered with: start again
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process won the race; use its key
    finally:
        tmp.unlink()
    return path.read_text(encoding="utf-8").strip()
