"""Application settings: one class, read from the environment (and `.env`), cached."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, PrivateAttr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All configuration for the app, the ingest CLI and the batch jobs."""

    # The project's own .env, wherever the command runs from (a .env in the cwd may be another
    # project's).
    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", env_file_encoding="utf-8",
                                      extra="ignore")

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
    # Issue 11 (fares): the fare rules and bank holidays are data files; empty = shipped ones.
    fare_policy_file: str = Field(
        default="",
        description="Fare policy TOML (fare caps, bus pass hours, local extras); empty = the "
        "shipped England policy (app/fares/fare-policy-england.toml).",
    )
    bank_holidays_file: str = Field(
        default="",
        description="A GOV.UK bank-holidays.json to use instead of the shipped England and "
        "Wales dates (2023–2027).",
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
        default="",
        description="Key that signs login tokens (see the secrets block below).",
    )
    token_minutes: int = Field(default=60, description="Lifetime of a login token.")
    stale_after_days: int = Field(
        default=365, description="Listings unverified this long are stale."
    )
    log_level: str = Field(default="info", description="Log level for the server.")
    # Issue 12 (planner v2): the comparison region of the planner's need x access classes.
    planner_region: str = Field(
        default="", description="Comma-separated LAD codes the planner compares within; "
        "empty = the districts holding most of the directory's listings.")
    planner_region_min_share: float = Field(
        default=0.05, ge=0, le=1, description="With no planner_region, a district is in the "
        "default comparison region when it holds at least this share of the listings.")

    # Issue 16 (newcomer): the private cluster `make run` starts when DATABASE_URL is not set;
    # the default DATABASE_URL follows PGPORT, so the CLI and the server find the same one.
    pgport: int = Field(default=54329, description="Port of the private PostGIS cluster.")
    pgdata_dir: Path = Field(
        default=PROJECT_ROOT / ".pgdata", description="Folder of the private PostGIS cluster."
    )

    _private_cluster: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _private_cluster_url(self) -> Settings:
        """Point the default database URL at the private cluster's port."""
        if "database_url" not in self.model_fields_set or not self.database_url.strip():
            self._private_cluster = True
            self.database_url = (
                f"postgresql+psycopg://withinreach@127.0.0.1:{self.pgport}/withinreach")
        return self

    @property
    def uses_private_cluster(self) -> bool:
        """True when DATABASE_URL was not given, so `make run` starts its own cluster."""
        return self._private_cluster

    # --- Issue 9 (safe to deploy): secrets, login throttling, serving. ---
    app_env: str = Field(
        default="development",
        description="'production' refuses to start without a strong SECRET_KEY.",
    )
    web_concurrency: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        description="Server worker processes (default: one per CPU core).",
    )
    login_max_failures: int = Field(
        default=5, description="Wrong passwords for one account before it is locked."
    )
    login_client_max_failures: int = Field(
        default=20, description="Failed sign-ins from one client before it must wait."
    )
    login_lock_minutes: int = Field(
        default=15, description="How long a throttled account or client waits."
    )

    @property
    def is_production(self) -> bool:
        """True when APP_ENV says this is a production deployment."""
        return self.app_env.strip().lower() in ("production", "prod")

    def with_signing_key(self) -> Settings:
        """Outside production, an unset or published SECRET_KEY becomes the local random key.

        (Production refuses such keys at start-up: app.auth.secret.weakness.)
        """
        from app.auth.secret import is_published, local_secret

        if not self.is_production and (not self.secret_key or is_published(self.secret_key)):
            self.secret_key = local_secret(self.cache_dir)
        return self
    # --- end of issue 9 block. ---

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

    # --- Issue 14 (England scale): the served region and the gap batch on Dask. ---
    served_region: str = Field(
        default="", description="Districts this service covers: comma-separated LAD codes or "
        "names (e.g. 'E07000174,E07000170,E07000175'); empty or 'england' = all of England. "
        "The finder refuses origins outside it; pages, classes and coverage follow it.")
    gaps_scheduler: str = Field(
        default="local", description="Where `ingest gaps` runs its round trips: 'inline' "
        "(this process), 'local' (an embedded Dask LocalCluster) or a scheduler address "
        "(tcp://host:8786); DASK_SCHEDULER_ADDRESS, when set, wins over 'local'.")
    dask_scheduler_address: str = Field(
        default="", description="An existing Dask scheduler to run the gap batch on "
        "(e.g. tcp://scheduler:8786); empty = start a LocalCluster.")
    gaps_workers: int = Field(
        default=0, ge=0, description="Worker processes of the LocalCluster; 0 = one per core.")
    gaps_partition_origins: int = Field(
        default=8000, ge=100, description="Origins per area task of the gap batch (whole "
        "LSOAs of one district per task).")
    gaps_max_origins: int = Field(
        default=0, ge=0, le=1000, description="Postcode origins per LSOA in the gap batch: "
        "0 (default) = every postcode of the LSOA; N = a stable hash sample of N.")
    dask_cache_url: str = Field(
        default="", description="The cache folder as Dask workers see it: a path or any "
        "fsspec URL (s3://bucket/within-reach); compiled timetables and walking graphs are "
        "published there. Empty = CACHE_DIR (workers on this machine).")
    gaps_whatif_max_cells: int = Field(
        default=100_000_000, ge=0, description="Largest origins x sessions of a band for "
        "which `ingest gaps` keeps the what-if and optimiser matrices (float32 on disk, "
        "under CACHE_DIR/gaps); a larger run (a whole country) stores its results but no "
        "matrices: run the what-if on a region.")
    # --- end of issue 14 ---

    # --- Issue 14 (finder at national size): how far the finder lists what it cannot reach.
    finder_list_km: float = Field(
        default=0.0, ge=0, le=1000, description="The finder lists sessions it cannot reach "
        "only within this many km of home; every session the client can reach is listed "
        "however far (the radius grows to what the time limit reaches). 0 (default) lists "
        "every session of the directory, as a county directory wants; a national one "
        "should set e.g. 40.")
    finder_warm_days: int = Field(
        default=0, ge=0, le=14, description="At start-up, load (or compile) the timetables "
        "of this many days from today in the background, so the first finder request does "
        "not wait for them; 0 (default) = on first use.")
    # --- end of issue 14 (finder) ---

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
    return Settings().with_signing_key()
