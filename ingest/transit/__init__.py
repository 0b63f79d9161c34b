"""Transit loaders: GTFS feeds into PostGIS and OSM pedestrian graphs into the cache."""
