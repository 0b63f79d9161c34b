"""The deployment files keep their promises: restarts, a TCP healthcheck, no public secret."""

from __future__ import annotations

import re

from app.settings import PROJECT_ROOT


def read(name: str) -> str:
    return (PROJECT_ROOT / name).read_text()


def test_compose_restarts_waits_for_tcp_and_requires_a_secret() -> None:
    compose = read("compose.yml")
    assert compose.count("restart: unless-stopped") == 2  # db and app
    assert re.search(r'pg_isready -h 127\.0\.0\.1 -p 5432 ', compose)
    assert "condition: service_healthy" in compose
    # SECRET_KEY must come from the environment: no default value to leak.
    assert re.search(r"SECRET_KEY: \$\{SECRET_KEY:\?[^}]+\}", compose)
    assert "SECRET_KEY:-" not in compose and "SECRET_KEY=" not in compose.replace(
        "SECRET_KEY=$(openssl rand -hex 32)", "")


def test_image_retries_migrations_and_hands_over_to_the_server() -> None:
    dockerfile = read("Dockerfile")
    assert "scripts/migrate.sh" in dockerfile and "exec python -m app" in dockerfile
    assert "--ignore-scripts" in dockerfile


def test_env_example_sets_no_secret() -> None:
    for line in read(".env.example").splitlines():
        assert not re.match(r"\s*SECRET_KEY\s*=\s*\S", line), line


def test_image_and_compose_run_in_production_mode() -> None:
    # Production mode is what makes the app refuse a missing, short or published SECRET_KEY.
    assert re.search(r"^ENV .*\bAPP_ENV=production\b", read("Dockerfile"), re.M)
    assert "APP_ENV: production" in read("compose.yml")
