"""Walking on an OpenStreetMap pedestrian network (pure: no FastAPI, no SQLAlchemy)."""
