"""The schema as SQLAlchemy tables: the spec the migrations are checked against, not a query API.

Importing this package registers every table on `Base.metadata`. Alembic's env and
tests/test_migrations.py use it: autogenerate must find no difference between these tables and
the migrated database, so a migration and its model change together. The app's queries are
parameterised SQL text in app/services (and the loaders' in ingest), and never import these
classes; an import-linter contract in pyproject.toml keeps it so.
"""

from app.models import areas, datasets, directory, directory_v2, gaps, places, security, transit
from app.models.base import Base

__all__ = ["Base", "areas", "datasets", "directory", "directory_v2", "gaps", "places", "security",
           "transit"]
