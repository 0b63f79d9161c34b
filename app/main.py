"""The FastAPI application: routers, error mapping, static files and log redaction."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError

from app.api import ROUTERS, docs
from app.errors import AppError, status_for
from app.privacy import install_log_redaction, redact_text
from app.settings import PROJECT_ROOT

log = logging.getLogger("app")


def _validation_body(exc: RequestValidationError) -> dict[str, object]:
    """List every problem in a request, each naming its field, with no echo of the input."""
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        problems.append({"field": ".".join(loc) or "request", "message": err.get("msg", "invalid")})
    first = problems[0] if problems else {"field": "request", "message": "invalid"}
    return {
        "error": "invalid_input",
        "message": f"{first['field']}: {first['message']}",
        "field": first["field"],
        "problems": problems,
    }


def create_app() -> FastAPI:
    """Build the application."""
    install_log_redaction()
    app = FastAPI(
        title="Within Reach",
        version="0.1.0",
        description="Community activities a client can reach by walk and bus, there and back.",
        docs_url=None, redoc_url=None,  # served offline by app/api/docs.py instead
    )
    # The read API is public and open by design (ORUK consumers, dashboards).
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"],
                       allow_headers=["*"])

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=status_for(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(_validation_body(exc), status_code=422)

    @app.exception_handler(OperationalError)
    async def _db_down(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", redact_text(str(exc.orig)))
        return JSONResponse({"error": "database_unavailable",
                             "message": "the database is not reachable"}, status_code=503)

    for router in (*ROUTERS, docs.router):
        app.include_router(router)
    static_dir = PROJECT_ROOT / "static"
    if static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=static_dir), name="static")
    return app


app = create_app()
