"""The import-linter contracts in pyproject.toml hold (the same check `make lint` and CI run)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_layer_contracts_are_declared() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}
    layers = next(c for c in contracts.values() if c["type"] == "layers")["layers"]
    assert layers[0] == "app.api | ingest" and layers[1] == "app.services"
    assert layers[-1] == "app.routing" and "app.directory | app.analysis" in layers
    forbidden = {tuple(c["source_modules"]): set(c["forbidden_modules"])
                 for c in contracts.values() if c["type"] == "forbidden"}
    assert {"sqlalchemy", "fastapi", "pydantic"} <= forbidden[("app.routing",)]
    assert forbidden[("app",)] == {"ingest"}


def test_the_contracts_pass() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, check=False)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout
