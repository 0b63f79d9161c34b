"""GET /api/gaps (map layer, GeoJSON or CSV), GET /api/gaps/{level}/{code}, POST what-if."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.db import get_session
from app.services.gaps.query import detail, layer, layer_csv_rows
from app.services.gaps.whatif import WhatIfRequest, what_if

router = APIRouter(tags=["gaps"])
DbSession = Annotated[Session, Depends(get_session)]


@router.get("/api/gaps", response_model=None)
def gaps_layer(
    session: DbSession,
    level: str = Query("ward", description="lsoa, ward or lad"),
    band: str = Query("weekday_day", description="weekday_day, weekday_evening or weekend"),
    category: str = Query("all", description="'all' or a category code"),
    audience: str = Query("all", description="all, young (16-25) or older (65+)"),
    budget: int | None = Query(None, ge=1, le=600, description="one-way minutes (default 45)"),
    district: str | None = Query(None, max_length=9, description="only areas in this LAD code"),
    format: Literal["geojson", "csv"] = Query("geojson", description="geojson or csv"),
) -> dict[str, Any] | Response:
    """Access metrics, need and the need x access gap class per area, as GeoJSON or CSV."""
    conn = session.connection()
    if format == "csv":
        coll = layer(conn, level, band, category, audience, budget, district=district,
                     with_geometry=False)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(layer_csv_rows(coll))
        meta = coll["meta"]
        name = f"gaps_{level}_{band}_{category}_{audience}_{meta['budget']}min.csv"
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return layer(conn, level, band, category, audience, budget, district=district)


@router.get("/api/gaps/{level}/{code}")
def gaps_detail(level: str, code: str, session: DbSession,
                budget: int | None = Query(None, ge=1, le=600,
                                           description="one-way minutes (default 45)"),
                ) -> dict[str, Any]:
    """One area: population, IMD domains, reachable and missing provision, nearest activities."""
    return detail(session.connection(), level, code, budget)


@router.post("/api/gaps/what-if")
def gaps_what_if(body: WhatIfRequest, session: DbSession) -> dict[str, Any]:
    """Metric changes per LSOA, ward and district if this activity existed; nothing is saved."""
    return what_if(session.connection(), body)
