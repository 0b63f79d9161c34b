"""HTTP routers, one module per resource; ROUTERS is the list the app mounts."""

from fastapi import APIRouter

from app.api import areas, health, pages, postcodes, stops
from app.api import isochrone, journeys

ROUTERS: list[APIRouter] = [
    health.router,
    postcodes.router,
    areas.router,
    stops.router,
    journeys.router,
    isochrone.router,
    pages.router,
]
