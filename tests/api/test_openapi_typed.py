"""Every JSON operation in /openapi.json documents its response body (issue 15: typed API)."""

from __future__ import annotations

from typing import Any

import pytest

from app.main import app


def _json_media(content: dict[str, Any]) -> list[str]:
    return [m for m in content if m == "application/json" or m.endswith("+json")]


def _is_typed(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """A schema names its fields: a model ($ref), an object with properties, or a union of them."""
    if "$ref" in schema:
        return _is_typed(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    if "anyOf" in schema or "oneOf" in schema:
        return all(_is_typed(s, components) for s in schema.get("anyOf", schema.get("oneOf")))
    return bool(schema.get("properties"))


def _json_operations() -> list[tuple[str, str, str, dict[str, Any]]]:
    spec = app.openapi()
    found = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for code, resp in op.get("responses", {}).items():
                if not code.startswith("2"):
                    continue
                for media in _json_media(resp.get("content", {})):
                    found.append((method.upper(), path, code,
                                  resp["content"][media].get("schema", {})))
    return found


def test_every_json_operation_has_a_response_schema() -> None:
    components = app.openapi()["components"]["schemas"]
    ops = _json_operations()
    assert len(ops) >= 60, "the walk found too few operations to mean anything"
    untyped = [f"{m} {p} {c}" for m, p, c, schema in ops if not _is_typed(schema, components)]
    assert not untyped, "JSON operations without a response model: " + ", ".join(untyped)


@pytest.mark.parametrize("path,method", [("/api/journeys", "get"), ("/api/oruk/services", "get"),
                                         ("/api/gaps/what-if", "post")])
def test_response_models_are_described(path: str, method: str) -> None:
    spec = app.openapi()
    ref = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"][
        "schema"]["$ref"]
    model = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert model.get("description"), f"{ref} has no description for /docs"
    assert model["properties"], f"{ref} lists no fields"


def test_journey_keeps_the_from_field_name() -> None:
    spec = app.openapi()
    assert "from" in spec["components"]["schemas"]["JourneyAnswer"]["properties"]


def test_schemas_are_pure_pydantic() -> None:
    """app/schemas sits below the routers and services: it never imports them, nor the DB."""
    import ast

    from app.settings import PROJECT_ROOT

    banned = ("app.api", "app.services", "sqlalchemy", "fastapi", "ingest")
    for path in sorted((PROJECT_ROOT / "app" / "schemas").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(banned), f"{path.name} imports {name}"
