"""GET /api/health: is the database reachable, and which datasets are loaded."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import get_session
from app.services.datasets import dataset_versions, table_counts

router = APIRouter(tags=["health"])


@router.get("/api/health")
def health(session: Session = Depends(get_session)) -> dict[str, Any]:
    """Report database reachability, PostGIS version, dataset versions and row counts."""
    postgis = session.execute(text("SELECT postgis_lib_version()")).scalar_one()
    return {
        "status": "ok",
        "database": "reachable",
        "postgis": postgis,
        "datasets": dataset_versions(session),
        "counts": table_counts(session),
    }
