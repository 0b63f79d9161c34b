"""`python -m app.settings_shell`: the settings the scripts need, as shell assignments.

scripts/run.sh, stop.sh and ingest.sh `eval` this output, so `.env` and the environment are read
by the app's own Settings in one place, and the scripts never parse `.env` themselves.
"""

from __future__ import annotations

import shlex

from app.settings import Settings

# What the scripts use; secrets are left out on purpose.
SHELL_NAMES = ("database_url", "host", "port", "pgport", "pgdata_dir", "geodata_dir",
               "cache_dir", "log_level")


def shell_assignments(settings: Settings) -> str:
    """Lines `NAME='value'` for the scripts, plus PRIVATE_CLUSTER=1|0."""
    lines = [f"{name.upper()}={shlex.quote(str(getattr(settings, name)))}"
             for name in SHELL_NAMES]
    lines.append(f"PRIVATE_CLUSTER={int(settings.uses_private_cluster)}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(shell_assignments(Settings()))
