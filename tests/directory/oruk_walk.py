"""Walk an ORUK 3.0 API as the ORUK validator does, checking every answer against the schemas.

The endpoints and the schema of each answer come from the reference openapi.json; its schema
URLs (raw.githubusercontent.com/openreferral/uk-profile/...) resolve to the local copies.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REMOTE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
# The validator's own check of a service_at_location by id (its ServiceAtLocation.json).
EXTRA_SCHEMAS = {"/service_at_locations/{id}": "compiled/service_at_location.json"}
Get = Callable[[str, dict[str, Any]], Any]  # (path, params) -> response with .json()


def reference_dir(geodata: Path) -> Path:
    """The shared ORUK reference folder beside the data folder."""
    return geodata.parent / "reference" / "oruk" / "schema"


def registry(folder: Path) -> Registry[Any]:
    """Every local schema, under its relative path and under its published URL."""
    resources = []
    for path in list(folder.glob("*.json")) + list((folder / "compiled").glob("*.json")):
        if path.name == "openapi.json":
            continue
        res = Resource.from_contents(json.loads(path.read_text()),
                                     default_specification=DRAFT202012)
        rel = str(path.relative_to(folder))
        resources += [(rel, res), (REMOTE + rel, res)]
    return Registry().with_resources(resources)


def _inline(node: Any, components: dict[str, Any]) -> Any:
    """Replace the openapi document's own '#/components/...' refs with what they name."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            target: Any = {"components": components}
            for part in ref[2:].split("/"):
                target = target[part]
            return _inline(copy.deepcopy(target), components)
        return {k: _inline(v, components) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, components) for v in node]
    return node


@dataclass
class WalkReport:
    """What the walk saw: requests made, items per list, and every schema or paging error."""

    requests: int = 0
    items: dict[str, int] = field(default_factory=dict)
    details: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class Walker:
    """Validates answers of one API against the openapi's schema for each path."""

    def __init__(self, folder: Path, get: Get, *, per_page: int = 50,
                 max_details: int | None = None) -> None:
        self.folder, self.get, self.per_page, self.max_details = (folder, get, per_page,
                                                                  max_details)
        self.openapi = json.loads((folder / "openapi.json").read_text())
        self.reg = registry(folder)
        self.report = WalkReport()

    def validator(self, path: str) -> Draft202012Validator:
        """The validator of the 200 answer of `path` as openapi.json defines it."""
        op = self.openapi["paths"][path]["get"]
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        schema = _inline(schema, self.openapi["components"])
        return Draft202012Validator(schema, registry=self.reg, format_checker=FormatChecker())

    def file_validator(self, rel: str) -> Draft202012Validator:
        """A validator of one local schema file."""
        schema = json.loads((self.folder / rel).read_text())
        return Draft202012Validator(schema, registry=self.reg, format_checker=FormatChecker())

    def check(self, v: Draft202012Validator, doc: Any, where: str) -> None:
        """Record every schema error of `doc`."""
        for err in sorted(v.iter_errors(doc), key=lambda e: list(e.path))[:20]:
            self.report.errors.append(f"{where} {list(err.path)}: {err.message[:200]}")

    def fetch(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET one path; a non-200 answer or a missing open CORS header is an error."""
        self.report.requests += 1
        r = self.get(path, params or {})
        if r.status_code != 200:
            self.report.errors.append(f"{path} {params}: HTTP {r.status_code}")
            return None
        if r.headers.get("access-control-allow-origin") != "*":
            self.report.errors.append(f"{path}: no Access-Control-Allow-Origin: *")
        return r.json()

    def walk_list(self, path: str, params: dict[str, Any] | None = None) -> list[str]:
        """Every page of a list: schema, envelope arithmetic, no duplicates; returns the ids."""
        v = self.validator(path)
        ids: list[str] = []
        page, total_pages = 1, 1
        total = None
        while page <= total_pages:
            body = self.fetch(path, {**(params or {}), "page": page, "per_page": self.per_page})
            if body is None:
                break
            self.check(v, body, f"{path}?page={page}")
            total_pages = int(body.get("total_pages") or 1)
            total = body.get("total_items") if total is None else total
            expect = {"page_number": page, "first_page": page == 1,
                      "last_page": page >= total_pages, "size": len(body.get("contents", [])),
                      "empty": not body.get("contents")}
            for key, want in expect.items():
                if body.get(key) != want:
                    self.report.errors.append(f"{path}?page={page}: {key} is "
                                              f"{body.get(key)!r}, expected {want!r}")
            ids += [str(item["id"]) for item in body.get("contents", []) if "id" in item]
            page += 1
        if total is not None and total != len(ids):
            self.report.errors.append(f"{path}: total_items {total} but {len(ids)} items paged")
        if len(set(ids)) != len(ids):
            self.report.errors.append(f"{path}: an id appears on two pages")
        self.report.items[path] = len(ids)
        return ids

    def walk_details(self, path: str, ids: list[str]) -> None:
        """GET each id from the list at its detail path and validate it."""
        v = self.validator(path)
        extra = self.file_validator(EXTRA_SCHEMAS[path]) if path in EXTRA_SCHEMAS else None
        chosen = ids if self.max_details is None else ids[: self.max_details]
        for item_id in chosen:
            body = self.fetch(path.replace("{id}", item_id))
            if body is None:
                continue
            self.check(v, body, path.replace("{id}", item_id))
            if extra is not None:
                self.check(extra, body, path.replace("{id}", item_id) + " (validator schema)")
            if body.get("id") != item_id:
                self.report.errors.append(f"{path}: asked for {item_id}, got {body.get('id')}")
        self.report.details[path] = len(chosen)

    def walk(self) -> WalkReport:
        """The whole API: the root first, then every list with its detail path."""
        root = self.fetch("/")
        if root is not None:
            self.check(self.validator("/"), root, "/")
            if str(root.get("version")) != "3.0" or "openreferral" not in str(
                    root.get("profile", "")).replace(".", "").lower():
                self.report.errors.append(f"/: not an ORUK 3.0 profile: {root}")
        for path in sorted(self.openapi["paths"]):
            if path == "/" or "{id}" in path:
                continue
            ids = self.walk_list(path)
            detail = path + "/{id}"
            if detail in self.openapi["paths"]:
                self.walk_details(detail, ids)
        return self.report
