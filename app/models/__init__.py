"""All ORM models; importing this package registers every table on `Base.metadata`."""

from app.models import areas, datasets, directory, directory_v2, gaps, places, security, transit
from app.models.base import Base

__all__ = ["Base", "areas", "datasets", "directory", "directory_v2", "gaps", "places", "security",
           "transit"]
