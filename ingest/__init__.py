"""The ingest CLI: loaders for the official open datasets and the project's batch jobs."""
