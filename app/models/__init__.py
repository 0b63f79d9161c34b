"""All ORM models; importing this package registers every table on `Base.metadata`."""

from app.models import areas, datasets, places
from app.models import transit
from app.models import directory
from app.models import gaps
from app.models.base import Base

__all__ = ["Base", "areas", "datasets", "places", "transit", "directory", "gaps"]
