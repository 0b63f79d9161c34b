"""HTTP routers, one module per resource; ROUTERS is the list the app mounts."""

from fastapi import APIRouter

from app.api import areas, health, pages, postcodes, stops
from app.api import isochrone, journeys
from app.api import reachable
from app.api import activities, admin, auth, oruk
from app.api import gaps, planner_page

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
]
