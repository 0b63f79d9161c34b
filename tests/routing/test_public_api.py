"""The engine's declared public API: `app.routing.__all__`, loaded lazily, pure."""

from __future__ import annotations

import subprocess
import sys

import app.routing as routing
from app.routing.errors import RoutingError
from app.routing.raptor import QueryParams
from app.routing.walk import WalkParams


def test_every_public_name_resolves_to_its_module() -> None:
    assert sorted(routing.__all__) == sorted(routing._EXPORTS)
    for name in routing.__all__:
        value = getattr(routing, name)
        module = f"app.routing.{routing._EXPORTS[name]}"
        assert getattr(sys.modules[module], name) is value


def test_one_error_base_names_the_field() -> None:
    for make, field in ((lambda: QueryParams(max_buses=9), "max_buses"),
                        (lambda: WalkParams(speed_kmh=1.0), "walk_speed_kmh"),
                        (lambda: WalkParams(max_walk_m=-1), "max_walk_m")):
        try:
            make()
        except RoutingError as exc:
            assert exc.field == field and str(exc).startswith(f"{field}: ")
            assert isinstance(exc, ValueError)
        else:
            raise AssertionError(f"{field} was accepted")


def test_the_public_api_imports_no_web_or_database_layer() -> None:
    code = ("import sys, app.routing as r\n"
            "[getattr(r, n) for n in r.__all__]\n"
            "bad = [m for m in ('sqlalchemy', 'fastapi', 'pydantic') if m in sys.modules]\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
