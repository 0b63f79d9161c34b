"""`python -m app`: serve the API and pages with uvicorn on the configured address.

WEB_CONCURRENCY worker processes (default: one per core) share the port, so a CPU-bound
finder request in one worker does not hold up cheap reads in another; uvicorn's supervisor
starts a new worker when one dies.
"""

import uvicorn

from app.auth.secret import refuse_weak_secret
from app.settings import get_settings

if __name__ == "__main__":
    refuse_weak_secret()  # once, in one line, before any worker starts
    settings = get_settings()
    uvicorn.run("app.main:app", host=settings.host, port=settings.port,
                log_level=settings.log_level, proxy_headers=False,
                workers=max(1, settings.web_concurrency))
