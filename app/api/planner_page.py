"""The planner's gap map page (/planner) and its method note."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from app.api.pages import page
from app.settings import PROJECT_ROOT

router = APIRouter()


@router.get("/planner", include_in_schema=False)
def planner_page() -> FileResponse:
    """The planner's gap map, with the same security headers as the finder."""
    return page("planner.html")


@router.get("/planner/method.md", include_in_schema=False)
def planner_method() -> FileResponse:
    """docs/method.md, linked from the page and the API's meta."""
    return FileResponse(PROJECT_ROOT / "docs" / "method.md", media_type="text/markdown")
