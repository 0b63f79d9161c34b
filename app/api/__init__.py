"""HTTP routers, one module per resource; ROUTERS is the list the app mounts."""

from fastapi import APIRouter

from app.api import (
    activities,
    admin,
    areas,
    auth,
    confirmations,
    gaps,
    health,
    isochrone,
    journeys,
    oruk,
    pages,
    planner_page,
    postcodes,
    reachable,
    reports,
    review,
    stops,
    venues,
)

ROUTERS: list[APIRouter] = [
    health.router,
    postcodes.router,
    areas.router,
    stops.router,
    journeys.router,
    isochrone.router,
    reachable.router,
    activities.router,
    oruk.router,
    auth.router,
    admin.router,
    pages.router,
    gaps.router,
    planner_page.router,
    venues.router,
    reports.router,
    confirmations.router,
    review.router,
]
