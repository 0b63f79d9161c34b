"""Importers of the asset directory: ORUK JSON (file or live feed), the CSV template, venue CSVs."""
