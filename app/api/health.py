"""GET /api/health: is the database reachable, and which datasets are loaded."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import SessionDep, TypedRoute
from app.schemas.health import Health
from app.services.datasets import dataset_versions, postgis_version, table_counts

router = APIRouter(tags=["health"], route_class=TypedRoute)


@router.get("/api/health", response_model=Health)
def health(session: SessionDep) -> dict[str, Any]:
    """Report database reachability, PostGIS version, dataset versions and row counts."""
    return {
        "status": "ok",
        "database": "reachable",
        "postgis": postgis_version(session),
        "datasets": dataset_versions(session),
        "counts": table_counts(session),
    }
