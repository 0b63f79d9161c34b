"""Query parameters shared by several routers (pages); points and boxes are in app.geo."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

# Paging caps: OFFSET = (page - 1) * per_page must stay a small bigint, and nobody pages
# through more than a million rows of a directory this size.
MAX_PAGE = 10_000
MAX_PER_PAGE = 200
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page number, 1..{MAX_PAGE}")]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE,
                               description=f"results per page, 1..{MAX_PER_PAGE}")]
