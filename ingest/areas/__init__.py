"""Loaders of the area layer: boundaries, IoD, lookups, population, postcodes and NaPTAN stops.

One small module per format; `registry` names them for the CLI and for `ingest all`.
"""
