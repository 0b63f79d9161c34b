"""The FastAPI application: routers, error mapping, static files and log redaction."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from app.api import ROUTERS, docs
from app.auth.secret import refuse_weak_secret
from app.cors import PublicReadCORS
from app.errors import AppError, status_for
from app.guard import DB_DOWN_BODY, InputGuard, SafetyNet, database_gone, route_of
from app.privacy import install_log_redaction
from app.services.transit.router import start_warm_up
from app.serving import HeavyRouteLimiter, tune_interpreter
from app.settings import PROJECT_ROOT, get_settings

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


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
               415: "unsupported_media_type"}


def create_app() -> FastAPI:
    """Build the application."""
    install_log_redaction()
    refuse_weak_secret()
    app = FastAPI(
        title="Within Reach",
        version="0.1.0",
        description="Community activities a client can reach by walk and bus, there and back.",
        docs_url=None, redoc_url=None,  # served offline by app/api/docs.py instead
    )
    # Innermost first: one CPU-bound request at a time per worker, text checks, CORS for
    # public reads only (ORUK consumers, dashboards; never sign-in or writes), then the net
    # that answers JSON whatever happens and keeps the connection open.
    tune_interpreter()
    app.add_middleware(HeavyRouteLimiter)
    app.add_middleware(InputGuard, routes=lambda: [r for rt in ROUTERS for r in rt.routes])
    app.add_middleware(PublicReadCORS)
    app.add_middleware(SafetyNet)

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=status_for(exc), headers=exc.headers)

    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse({"error": code, "message": str(exc.detail)},
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(_validation_body(exc), status_code=422)

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError) -> JSONResponse:
        # hide_parameters and the log filter keep the client's values out of this line.
        if database_gone(exc):
            log.error("database unavailable during %s %s: %s", request.method,
                      route_of(request.scope), type(exc.orig).__name__)
            return JSONResponse(DB_DOWN_BODY, status_code=503, headers={"Retry-After": "5"})
        log.error("database error in %s: %s", request.method, exc)
        return JSONResponse({"error": "internal_error",
                             "message": "unexpected database error; it was logged"},
                            status_code=500)

    for router in (*ROUTERS, docs.router):
        app.include_router(router)
    docs.warm_openapi(app)
    # Issue 14: the first finder request should not wait for timetables (FINDER_WARM_DAYS).
    app.router.on_startup.append(lambda: start_warm_up(get_settings().finder_warm_days))
    static_dir = PROJECT_ROOT / "static"
    if static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=static_dir), name="static")
    return app


app = create_app()
