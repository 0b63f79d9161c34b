"""Input the app must refuse gets a 4xx in the app's error shape, on a connection still usable."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import httpx
import pytest

from tests.harden.conftest import login


class Conn:
    """One keep-alive HTTP/1.1 connection: a reset after an error would fail the next call."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.http = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)

    def call(self, method: str, target: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        self.http.request(method, target, body=body, headers=headers or {})
        resp = self.http.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def close(self) -> None:
        self.http.close()


def app_error(status: int, headers: dict[str, str], data: bytes) -> dict[str, object]:
    """The body must be the app's JSON error shape, not text/plain or FastAPI's detail."""
    assert headers["content-type"].startswith("application/json"), (status, data[:200])
    body = json.loads(data)
    assert "detail" not in body and isinstance(body.get("error"), str), body
    assert isinstance(body.get("message"), str)
    return body


@pytest.fixture
def conn(server: dict[str, str]) -> Conn:
    c = Conn(server["url"])
    yield c  # type: ignore[misc]
    c.close()


def _json(doc: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "Content-Length": str(len(doc.encode()))}


def test_every_listed_500_is_now_a_4xx_and_the_connection_lives(client: httpx.Client,
                                                                conn: Conn) -> None:
    admin = login(client, "root")
    editor = login(client, "edith")
    cases: list[tuple[str, str, bytes | None, dict[str, str], int, str | None]] = [
        ("GET", "/api/activities?page=99999999999999999", None, {}, 422, "page"),
        ("GET", "/api/activities?page=10001", None, {}, 422, "page"),
        ("GET", "/api/oruk/services?page=99999999999999999", None, {}, 422, "page"),
        ("GET", "/api/admin/audit?page=99999999999999999", None, admin, 422, "page"),
        ("GET", "/api/activities?q=a%00b", None, {}, 422, "q"),
        ("GET", "/api/activities?near=NG18%001AA", None, {}, 422, "near"),
        ("GET", "/api/activities/abc%00def", None, {}, 422, "activity_id"),
        ("GET", "/api/postcodes/NG18%001AA", None, {}, 422, "postcode"),
        ("GET", "/api/oruk/services/x%00y", None, {}, 422, "service_id"),
        ("POST", "/api/activities", b'{"name": "Walk\\u0000"}', editor, 422, "name"),
        ("POST", "/api/activities", b'{"name": "Walk\\ud800"}', editor, 422, "name"),
        ("POST", "/api/activities",
         b'{"name": "Walk", "locations": [{"name": "\\udfff"}]}', editor, 422,
         "locations.0.name"),
        ("PATCH", "/api/activities/x", b'{"description": "a\\ud83d"}', editor, 422,
         "description"),
        ("POST", "/api/activities", b'{"name": ', editor, 422, "body"),
        ("POST", "/api/activities", b'{"name": NaN}', editor, 422, "body"),
        ("POST", "/api/reachable-activities", b'{"origin": "NG18', {}, 422, "body"),
        ("POST", "/api/reachable-activities", b'{"origin": "NG18 1AA\\u0000"}', {}, 422,
         "origin"),
        ("POST", "/api/auth/token", b"username=a%00b&password=whatever-123",
         {"Content-Type": "application/x-www-form-urlencoded"}, 422, "username"),
        ("GET", "/api/activities?q=%ff%fe", None, {}, 422, "q"),
        ("GET", "/no/such/page", None, {}, 404, None),
        ("DELETE", "/api/activities", None, {}, 405, None),
    ]
    for method, target, body, headers, status, field in cases:
        hdrs = dict(headers)
        if body is not None:
            hdrs.setdefault("Content-Type", "application/json")
            hdrs["Content-Length"] = str(len(body))
        got, rh, data = conn.call(method, target, body, hdrs)
        assert got == status, (method, target, got, data[:300])
        err = app_error(got, rh, data)
        if field:
            assert err["field"] == field, (target, err)
        # The same connection answers the next request.
        ok, _, _ = conn.call("GET", "/api/health")
        assert ok == 200, target


def test_if_match_is_validated_strictly(client: httpx.Client, conn: Conn) -> None:
    editor = login(client, "edith")
    created = client.post("/api/activities", headers=editor, json={
        "name": "Strict ETag walk", "primary_category": "physical-activity",
        "locations": [{"name": "Hall", "lat": 53.1436, "lon": -1.1948}],
        "schedules": [{"freq": "WEEKLY", "byday": "WE", "opens_at": "10:00",
                       "closes_at": "11:00"}]})
    assert created.status_code == 201, created.text
    aid = created.json()["id"]
    for bad in ('"v²"', '"v٣"', '"v1", "v2"', "v1x", '"v99999999999999999999"', '"v-1"', "*x"):
        status, rh, data = conn.call(
            "PATCH", f"/api/activities/{aid}", b'{"name": "Renamed"}',
            {**editor, **_json('{"name": "Renamed"}'), "If-Match": bad.encode().decode("latin-1")})
        assert status == 422, (bad, data)
        assert app_error(status, rh, data)["field"] == "If-Match"
    for good in ('"v1"', 'W/"v1"'):
        r = client.patch(f"/api/activities/{aid}", headers={**editor, "If-Match": good},
                         json={"name": "Strict ETag walk"})
        assert r.status_code in (200, 409), r.text
    assert client.patch(f"/api/activities/{aid}", headers=editor,
                        json={"name": "x"}).status_code == 428


def test_oversized_body_is_refused_in_the_app_shape(conn: Conn) -> None:
    doc = '{"name": "' + "a" * 1_100_000 + '"}'
    status, rh, data = conn.call("POST", "/api/reachable-activities", doc.encode(), _json(doc))
    assert status == 413
    app_error(status, rh, data)


def test_cors_only_for_public_reads(client: httpx.Client) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    assert client.get("/api/activities", headers=origin
                      ).headers.get("access-control-allow-origin") == "*"
    assert client.get("/api/oruk/services", headers=origin
                      ).headers.get("access-control-allow-origin") == "*"
    r = client.post("/api/auth/token", headers=origin,
                    data={"username": "nobody-cors", "password": "not-the-password"})
    assert r.status_code == 401
    assert "access-control-allow-origin" not in r.headers
    pre = client.options("/api/auth/token", headers={
        **origin, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    pre = client.options("/api/activities", headers={
        **origin, "Access-Control-Request-Method": "POST"})
    assert pre.headers.get("access-control-allow-origin") != "*"
    r = client.post("/api/activities", headers=origin, json={"name": "x"})
    assert r.status_code == 401 and "access-control-allow-origin" not in r.headers
    r = client.get("/api/auth/me", headers=origin)
    assert "access-control-allow-origin" not in r.headers


def test_openapi_documents_the_error_responses(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    patch = paths["/api/activities/{activity_id}"]["patch"]["responses"]
    assert {"401", "403", "404", "409", "422", "428"} <= set(patch)
    assert "ErrorBody" in json.dumps(patch["409"])
    assert {"401", "403"} <= set(paths["/api/activities"]["post"]["responses"])
    assert {"401", "429"} <= set(paths["/api/auth/token"]["post"]["responses"])
    assert {"401", "403"} <= set(paths["/api/admin/lockouts/{username}"]["delete"]["responses"])
