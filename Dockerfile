# Within Reach: the app image. `docker compose up` runs it beside the postgis/postgis image.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package*.json ./
RUN if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
COPY scripts/vendor.sh scripts/vendor.sh
RUN mkdir -p static && bash scripts/vendor.sh

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOST=0.0.0.0 PORT=8000
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app app
COPY ingest ingest
# Editable, so `app` stays this folder: settings find static/, alembic/ and docs/ beside it.
RUN pip install --no-cache-dir -e .
COPY docs docs
COPY alembic.ini ./
COPY alembic alembic
COPY static static
COPY --from=assets /src/static/vendor static/vendor
RUN useradd --system --home /app withinreach && mkdir -p /app/.cache /app/geodata \
    && chown -R withinreach /app/.cache
USER withinreach
EXPOSE 8000
CMD ["sh", "-c", "alembic upgrade heads && python -m ingest bootstrap && python -m app"]
