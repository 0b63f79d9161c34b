"""`python -m app`: serve the API and pages with uvicorn on the configured address."""

import uvicorn

from app.settings import get_settings

if __name__ == "__main__":
    settings = get_settings()
    uvicorn.run("app.main:app", host=settings.host, port=settings.port,
                log_level=settings.log_level, proxy_headers=False)
