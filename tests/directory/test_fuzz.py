"""Schemathesis over the directory v2 endpoints on the real illustrative directory: whatever
the input, never a server error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.db import get_session
from app.main import create_app

pytestmark = pytest.mark.realdata
PATHS = r"^/api/(oruk|venues|reports|review|confirm|admin/merges)"
_DB: dict[str, Engine] = {}
app = create_app()


def _session() -> Iterator[Session]:
    with sessionmaker(bind=_DB["engine"], expire_on_commit=False)() as s:
        yield s


app.dependency_overrides[get_session] = _session
# The OpenAPI document needs no database, so the schema is read when the module loads.
schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex=PATHS)


@pytest.fixture(autouse=True)
def _on_real_directory(real_dir: Engine) -> None:
    _DB["engine"] = real_dir


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_input_makes_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
