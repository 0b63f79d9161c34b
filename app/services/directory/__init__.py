"""Database side of the asset directory: writing listings, searching them, and their sessions."""
