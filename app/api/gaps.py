"""The planner's API: map layer (GeoJSON, CSV, GeoPackage), detail, what-if, optimiser, runs."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import SessionDep, TypedRoute
from app.schemas.gaps import (
    GapAreas,
    GapCompare,
    GapDetail,
    GapLayer,
    GapListings,
    GapRuns,
    GapVenues,
    OptimiseAnswer,
    OptimiseRequest,
    WhatIfAnswer,
    WhatIfRequest,
)
from app.services.gaps.areas import area_names
from app.services.gaps.export import csv_text, geopackage
from app.services.gaps.history import compare, runs
from app.services.gaps.optimiser import optimise
from app.services.gaps.placement import candidate_venues
from app.services.gaps.query import check_filters, detail, layer
from app.services.gaps.scenario import band_listings
from app.services.gaps.whatif import what_if

router = APIRouter(tags=["gaps"], route_class=TypedRoute)
REGION = Query(None, max_length=200, description="LAD codes to compare within, comma-separated "
               "(default: the districts holding most listings, or PLANNER_REGION)")
BREAKS = Query("fixed", description="fixed (documented breaks) or terciles (when not degenerate)")
FREE_WITH_PASS = Query(False, description="older residents only: count only round trips free "
                       "with an older person's bus pass (from 09:30 on weekdays, before 23:00)")


@router.get("/api/gaps", response_model=GapLayer)
def gaps_layer(
    session: SessionDep,
    level: str = Query("ward", description="lsoa, ward or lad"),
    band: str = Query("weekday_day", description="weekday_day, weekday_evening or weekend"),
    category: str = Query("all", description="'all' or a category code"),
    audience: str = Query("all", description="all, young (16-25) or older (65+)"),
    budget: int | None = Query(None, ge=1, le=600, description="one-way minutes (default 45)"),
    district: str | None = Query(None, max_length=9, description="only areas in this LAD code"),
    region: str | None = REGION,
    breaks: str = BREAKS,
    free_with_pass: bool = FREE_WITH_PASS,
    format: Literal["geojson", "csv", "gpkg"] = Query("geojson",
                                                      description="geojson, csv or gpkg"),
) -> dict[str, Any] | Response:
    """Reach, sessions, competition, need and the need x access class per area."""
    conn = session.connection()
    if format == "gpkg":
        data = geopackage(conn, band, category, audience, budget, region, breaks, free_with_pass)
        name = f"gaps_{band}_{category}_{audience}{'_free' if free_with_pass else ''}.gpkg"
        return Response(data, media_type="application/geopackage+sqlite3",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    if format == "csv":
        coll = layer(conn, level, band, category, audience, budget, district=district,
                     with_geometry=False, region=region, breaks=breaks,
                     free_with_pass=free_with_pass)
        meta = coll["meta"]
        free = "_free" if free_with_pass else ""
        name = f"gaps_{level}_{band}_{category}_{audience}{free}_{meta['budget']}min.csv"
        return Response(csv_text(coll), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return layer(conn, level, band, category, audience, budget, district=district,
                 region=region, breaks=breaks, free_with_pass=free_with_pass)


@router.get("/api/gaps/areas", response_model=GapAreas)
def gaps_areas(session: SessionDep) -> dict[str, Any]:
    """Names of every ward and LSOA (and district) in the analysis, for the area picker."""
    return {"areas": area_names(session.connection())}


@router.get("/api/gaps/venues", response_model=GapVenues)
def gaps_venues(session: SessionDep) -> dict[str, Any]:
    """Loaded venues (listed venues, libraries, community buildings): what-if places."""
    return {"venues": candidate_venues(session.connection())}


@router.get("/api/gaps/listings", response_model=GapListings)
def gaps_listings(session: SessionDep,
                  band: str = Query("weekday_day", description="band of the sessions")
                  ) -> dict[str, Any]:
    """Listings with a session in a band (what the what-if can close or move)."""
    check_filters("lsoa", band, "all", "all")
    return {"band": band, "listings": band_listings(session.connection(), band)}


@router.get("/api/gaps/runs", response_model=GapRuns)
def gaps_runs(session: SessionDep) -> dict[str, Any]:
    """Every run kept, with its parameters and the versions of its inputs."""
    return {"runs": runs(session.connection())}


@router.get("/api/gaps/runs/compare", response_model=GapCompare)
def gaps_compare(
    session: SessionDep,
    a: int = Query(..., ge=1, le=2**31 - 1, description="earlier run id"),
    b: int = Query(..., ge=1, le=2**31 - 1, description="later run id"),
    level: str = Query("ward", description="lsoa, ward or lad"),
    band: str = Query("weekday_day", description="weekday_day, weekday_evening or weekend"),
    audience: str = Query("all", description="all, young or older"),
    budget: int = Query(45, ge=1, le=600, description="one-way minutes"),
) -> dict[str, Any]:
    """Two runs side by side per area (all categories): reach, sessions, competition."""
    return compare(session.connection(), a, b, level, band, audience, budget)


@router.get("/api/gaps/{level}/{code}", response_model=GapDetail)
def gaps_detail(level: str, code: str, session: SessionDep,
                budget: int | None = Query(None, ge=1, le=600,
                                           description="one-way minutes (default 45)"),
                free_with_pass: bool = Query(False, description="add, per band, the older "
                                             "residents' free-with-a-bus-pass view and how "
                                             "many lose access (the bus there is before 09:30)"),
                ) -> dict[str, Any]:
    """One area: population, IMD domains, reach with its interval, nearest activities."""
    return detail(session.connection(), level, code, budget, free_with_pass)


@router.post("/api/gaps/what-if", response_model=WhatIfAnswer)
def gaps_what_if(body: WhatIfRequest, session: SessionDep) -> dict[str, Any]:
    """Add, close or change a listing: every area whose access changes; nothing is saved."""
    return what_if(session.connection(), body)


@router.post("/api/gaps/optimise", response_model=OptimiseAnswer)
def gaps_optimise(body: OptimiseRequest, session: SessionDep) -> dict[str, Any]:
    """Where and when a new group should go: top sites by need-weighted new round trips."""
    return optimise(session.connection(), body)
