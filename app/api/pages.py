"""The web pages and the small config document they read at start-up."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import get_session
from app.services.datasets import attributions
from app.settings import PROJECT_ROOT, get_settings

router = APIRouter()
STATIC = PROJECT_ROOT / "static"


@router.get("/", include_in_schema=False)
def finder_page() -> FileResponse:
    """The link worker's finder."""
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/api/config", tags=["health"])
def page_config(session: Session = Depends(get_session)) -> dict[str, Any]:
    """Basemap settings, region label and data attributions for the web pages."""
    settings = get_settings()
    sample = session.execute(
        text("SELECT count(*) FROM dataset_version WHERE dataset = 'sample-region'")).scalar()
    return {
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
        "sample_region": bool(sample),
        "region_label": "Fictional sample region (not real places)" if sample else
        "Nottinghamshire",
        "attributions": attributions(session),
    }
