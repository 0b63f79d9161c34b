"""Entry point: `python -m ingest COMMAND ...`."""

import sys

from ingest.cli import main

sys.exit(main())
