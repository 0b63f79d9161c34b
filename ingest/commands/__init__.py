"""One module per `python -m ingest` command."""
