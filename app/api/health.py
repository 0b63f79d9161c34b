"""GET /api/health: is the database reachable, and which datasets are loaded."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from app.api.deps import SessionDep, TypedRoute
from app.schemas.health import Health
from app.services.datasets import dataset_versions, table_counts

router = APIRouter(tags=["health"], route_class=TypedRoute)


@router.get("/api/health", response_model=Health)
def health(session: SessionDep) -> dict[str, Any]:
    """Report database reachability, PostGIS version, dataset versions and row counts."""
    postgis = session.execute(text("SELECT postgis_lib_version()")).scalar_one()
    return {
        "status": "ok",
        "database": "reachable",
        "postgis": postgis,
        "datasets": dataset_versions(session),
        "counts": table_counts(session),
    }
