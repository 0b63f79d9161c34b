# Within Reach: the app image. `docker compose up` runs it beside the postgis/postgis image.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package*.json ./
# --ignore-scripts: nothing needs an install script (and swagger-ui-dist's analytics hook would
# report the build).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY scripts/vendor.sh scripts/vendor.sh
RUN mkdir -p static && bash scripts/vendor.sh

FROM python:3.11-slim-bookworm
# Production by default: the app refuses to start with a missing, short or published SECRET_KEY.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOST=0.0.0.0 PORT=8000 APP_ENV=production
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY app app
COPY ingest ingest
# Editable, so `app` stays this folder: settings find static/, alembic/ and docs/ beside it.
RUN pip install --no-cache-dir -e .
COPY docs docs
COPY alembic.ini ./
COPY alembic alembic
COPY static static
COPY scripts/migrate.sh scripts/migrate.sh
# Dask workers started from this image keep glibc's default allocator (docs/deploy.md).
COPY scripts/dask.yaml /etc/dask/within-reach.yaml
COPY --from=assets /src/static/vendor static/vendor
RUN useradd --system --home /app withinreach && mkdir -p /app/.cache /app/geodata \
    && chown -R withinreach /app/.cache
USER withinreach
EXPOSE 8000
# Migrations wait (retry) until the database accepts connections; the server replaces the shell
# so `docker stop` reaches it. WEB_CONCURRENCY (compose.yml) sets the number of workers.
CMD ["sh", "-c", "scripts/migrate.sh 60 && python -m ingest bootstrap && exec python -m app"]
