"""schemathesis against the published OpenAPI schema: generated valid and invalid requests, as a
workstation and as an administrator — every answer a 2xx/3xx or a 4xx with a stable code, never a
5xx. Runs against the real server on loopback (SQLite: the same code paths, a faster set-up)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.support.audit_server import HTTP

_WORKSTATION_PATHS = ("/api/v1/events", "/api/v1/chains", "/api/v1/config/{kind}")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_request_makes_a_server_error(live):
    schema = schemathesis.openapi.from_url(f"{live.url}/api/v1/openapi.json")
    ws = live.workstation()
    admin = live.headers("admin")
    failures: list[str] = []
    calls: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        if operation.path == "/api/v1/auth/logout":
            continue  # would end the session the other calls use (tested in test_admin.py)
        headers = ws.headers if operation.path in _WORKSTATION_PATHS and operation.method == "post" \
            or operation.path in _WORKSTATION_PATHS[1:] else admin
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers, live.url, failures, calls)
    assert failures == []
    assert sum(calls) >= 250  # the fuzzing really ran


def _fuzz(operation, mode, headers, base_url, failures, calls) -> None:
    try:
        strategy = operation.as_strategy(generation_mode=mode)
    except Exception:  # noqa: BLE001 — nothing negative can be made for an operation without inputs
        return

    @given(case=strategy)
    @settings(max_examples=10, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        response = case.call(base_url=base_url, headers={**headers, **(case.headers or {})}, timeout=30)
        calls.append(1)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}")
        elif response.status_code >= 400 and "application/json" in str(response.headers.get("content-type")) \
                and not str(response.json().get("code", "")).startswith("SERVER_"):
            failures.append(f"{case.method} {case.formatted_path}: {response.status_code} without a code")

    try:
        run()
    except Unsatisfiable:  # e.g. no invalid request exists for an operation without parameters
        pass


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_openapi_is_published(live):
    schema = HTTP.get(f"{live.url}/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["events"]["maxItems"] == 1000
    assert {"workstation", "admin"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_values_postgresql_cannot_store_get_4xx(live):
    """U+0000 (PostgreSQL text cannot hold it) and numbers beyond BIGINT, where schemathesis on
    SQLite would not meet them: refused with a code, never a 500 or a cut stream."""
    from app.audit import wire
    from tests.support.audit_server import sealed_chain

    admin, ws = live.headers("admin"), live.workstation()
    event = {k: v for k, v in sealed_chain(ws.workstation_id, count=1)[0].items() if k != "hash"}
    nul_events = [wire.seal({**event, "user_name": "a\x00b"}),
                  wire.seal({**event, "data": {"document_type": "a\x00"}})]
    cases = [("GET", "/api/v1/events", {"params": {"user": "a\x00"}}, admin),
             ("GET", "/api/v1/events", {"params": {"after_id": str(2**63)}}, admin),
             ("GET", "/api/v1/events/export", {"params": {"format": "csv", "type": "a\x00"}}, admin),
             ("GET", "/api/v1/admin/log", {"params": {"after_seq": str(10**30)}}, admin),
             ("GET", "/api/v1/workstations/a%00b/verify", {}, admin),
             ("POST", "/api/v1/admin/workstations/a%00/revoke", {}, admin),
             ("POST", "/api/v1/admin/enrolment-codes", {"json": {"unit": "U\x00"}}, admin),
             ("POST", "/api/v1/auth/login", {"json": {"username": "a\x00", "password": "x"}}, {}),
             *(("POST", "/api/v1/events", {"json": {"events": [bad]}}, ws.headers) for bad in nul_events)]
    answers = [HTTP.request(method, f"{live.url}{path}", headers=headers, **options)
               for method, path, options, headers in cases]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [
        *[(422, "SERVER_REQUEST_INVALID")] * 8, *[(422, "SERVER_EVENT_INVALID")] * 2]
    stored = [e["data"] for e in HTTP.get(f"{live.url}/api/v1/events", params={"workstation": ws.workstation_id},
                                          headers=admin).json()["events"]]
    assert stored == []
    escaped = wire.seal({**event, "data": {"document": "x\x00.pdf"}})  # inside data: stored as escaped JSON
    assert HTTP.post(f"{live.url}/api/v1/events", json={"events": [escaped]}, headers=ws.headers).status_code == 200
    verdict = HTTP.get(f"{live.url}/api/v1/workstations/{ws.workstation_id}/verify", headers=admin).json()
    assert verdict["ok"] is True
