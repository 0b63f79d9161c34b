"""Application settings: one class, read from the environment (and `.env`), cached."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All configuration for the app, the ingest CLI and the batch jobs."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default="postgresql+psycopg://withinreach@127.0.0.1:54329/withinreach",
        description="SQLAlchemy URL of the PostGIS database.",
    )
    geodata_dir: Path = Field(
        default=PROJECT_ROOT / "geodata", description="Folder scanned for input datasets."
    )
    cache_dir: Path = Field(
        default=PROJECT_ROOT / ".cache", description="Compiled timetables and other caches."
    )
    host: str = Field(default="127.0.0.1", description="Address the web server binds to.")
    port: int = Field(default=8000, description="Port the web server listens on.")
    tile_url: str = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="Basemap tile URL template; empty to draw outlines only.",
    )
    tile_attribution: str = Field(
        default="© OpenStreetMap contributors (ODbL)",
        description="Attribution shown for the basemap tiles.",
    )
    secret_key: str = Field(
        default="change-me-in-production-please-0123456789",
        description="Key that signs login tokens.",
    )
    token_minutes: int = Field(default=60, description="Lifetime of a login token.")
    stale_after_days: int = Field(
        default=365, description="Listings unverified this long are stale."
    )
    log_level: str = Field(default="info", description="Log level for the server.")
    # --- Issue 13 (directory v2): freshness loop and reminders ---
    report_limit_per_hour: int = Field(
        default=10, ge=1, description="Reports of a change one visitor may send per hour."
    )
    confirm_link_days: int = Field(
        default=28, ge=1, le=365, description="How long an organiser's confirmation link works."
    )
    public_base_url: str = Field(
        default="", description="Public address of the site, used in links sent by email."
    )
    smtp_host: str = Field(
        default="", description="SMTP server for reminder emails; empty (default) sends none."
    )
    smtp_port: int = Field(default=587, description="SMTP port.")
    smtp_from: str = Field(default="", description="From address of reminder emails.")
    smtp_user: str = Field(default="", description="SMTP login (empty: no login).")
    smtp_password: str = Field(default="", description="SMTP password.")
    smtp_starttls: bool = Field(default=True, description="Use STARTTLS with the SMTP server.")
    # --- end of issue 13 ---

    @property
    def sync_url(self) -> str:
        """The database URL with the psycopg 3 driver made explicit."""
        url = self.database_url
        if url.startswith("postgresql://"):
            return "postgresql+psycopg://" + url[len("postgresql://") :]
        if url.startswith("postgres://"):
            return "postgresql+psycopg://" + url[len("postgres://") :]
        return url


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
