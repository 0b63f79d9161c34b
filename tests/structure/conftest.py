"""Structure fixtures: the directory suite's three-postcode database, reused as it is."""

from tests.directory.conftest import tiny_postcodes

__all__ = ["tiny_postcodes"]
