"""HTTP routers, one module per resource; ROUTERS is the list the app mounts."""

from fastapi import APIRouter

from app.api import areas, health, pages, postcodes, stops

ROUTERS: list[APIRouter] = [
    health.router,
    postcodes.router,
    areas.router,
    stops.router,
    pages.router,
]
