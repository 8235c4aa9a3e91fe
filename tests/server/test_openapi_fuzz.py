"""schemathesis against the published OpenAPI schema, on the real server on loopback, on SQLite and
PostgreSQL: generated valid and invalid requests for every operation, as the identity the operation
is for (an administrator's session on admin and audit routes, a workstation's bearer credential on
workstation routes), as the wrong identity, and anonymously. Every answer is checked by
schemathesis' own conformance checks — no 5xx, every status documented for that operation, the
body conforms to the documented schema, the documented content type and headers — and every
refusal carries a stable SERVER_ code. A method an operation does not have answers 405 with an
`Allow` header naming those it has.

Bounded and deterministic (hypothesis derandomised: the same requests on every run): on PostgreSQL,
the production database, 50 examples per operation and generation mode for the right identity; on
SQLite 20; 8 for the anonymous client and the wrong identity; sign-in 10 (each one an argon2 hash).
About a minute a database on a quiet machine."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from tests.support.audit_server import HTTP

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
EXAMPLES = {"postgresql": 50, "sqlite": 20}  # per operation and generation mode, for the right identity
FEW = 8  # per operation, for the anonymous client and the wrong identity
SIGN_IN = 10  # each sign-in costs a password hash on purpose (~0.1 s of a low-priority worker)
_SKIPPED = {("POST", "/api/v1/auth/logout")}  # would end the session the other calls use (test_admin.py)


def _identity(operation) -> str:
    tags = set(operation.definition.raw.get("tags", ()))
    if "workstation" in tags and operation.path != "/api/v1/enrol":
        return "workstation"
    if tags & {"admin", "audit"} and operation.path != "/api/v1/auth/login":
        return "admin"
    return "anonymous"


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_every_answer_conforms_to_the_schema(live):
    schema = schemathesis.openapi.from_url(f"{live.url}/api/v1/openapi.json")
    database = "sqlite" if live.database_url.startswith("sqlite") else "postgresql"
    headers = {"workstation": live.workstation().headers, "admin": live.headers("admin"), "anonymous": {}}
    wrong = {"workstation": headers["admin"], "admin": headers["workstation"], "anonymous": headers["workstation"]}
    failures: list[str] = []
    calls: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        if (operation.method.upper(), operation.path) in _SKIPPED:
            continue
        who = _identity(operation)
        examples = SIGN_IN if operation.path == "/api/v1/auth/login" else EXAMPLES[database]
        runs = [(GenerationMode.POSITIVE, headers[who], examples), (GenerationMode.NEGATIVE, headers[who], examples),
                (GenerationMode.POSITIVE, wrong[who], FEW), *([(GenerationMode.POSITIVE, {}, FEW)] if who != "anonymous" else [])]
        for mode, identity, examples in runs:
            _fuzz(operation, mode, identity, examples, live.url, failures, calls)
    assert failures == [], "\n".join(failures[:40])
    assert sum(calls) >= {"sqlite": 1000, "postgresql": 2000}[database]  # the fuzzing really ran


def _fuzz(operation, mode, identity, examples, base_url, failures, calls) -> None:
    try:
        strategy = operation.as_strategy(generation_mode=mode)
    except Exception:  # noqa: BLE001 — nothing negative can be made for an operation without inputs
        return

    @given(case=strategy)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        sent = {**(case.headers or {}), **identity}
        response = case.call(base_url=base_url, headers=sent, timeout=30)
        calls.append(1)
        where = f"{case.method} {case.formatted_path} [{mode.value}, {'authorised' if identity else 'anonymous'}]"
        try:
            case.validate_response(response, checks=CHECKS, headers=sent)
        except FailureGroup as failure:  # every finding is listed, the run goes on
            failures.append(f"{where}: {response.status_code} {str(failure)[:600]}")
            return
        if response.status_code >= 400:
            code = _code(response)
            if not code.startswith("SERVER_"):
                failures.append(f"{where}: {response.status_code} without a stable code: {response.text[:200]}")

    try:
        run()
    except Unsatisfiable:  # e.g. no invalid request exists for an operation without parameters
        pass


def _code(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code", "")) if isinstance(body, dict) else ""


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_method_not_offered_answers_405_with_allow(live):
    """Every path of the schema, every method it does not offer: 405, a stable code, and `Allow`
    naming exactly the methods it has (RFC 9110 §15.5.6)."""
    schema = HTTP.get(f"{live.url}/api/v1/openapi.json").json()
    admin = live.headers("admin")
    every = {"GET", "POST", "PUT", "PATCH", "DELETE"}
    checked = 0
    for template, item in schema["paths"].items():
        path = template.replace("{kind}", "catalogue").replace("{username}", "x").replace(
            "{workstation_id}", "ws-x").replace("{unit_id}", live.unit)
        offered = {method.upper() for method in item}
        for method in sorted(every - offered):
            answer = HTTP.request(method, f"{live.url}{path}", headers=admin)
            assert answer.status_code == 405, (method, path, answer.status_code)
            allowed = {part.strip() for part in answer.headers.get("allow", "").split(",") if part.strip()}
            assert offered <= allowed <= offered | {"HEAD"}, (method, path, answer.headers.get("allow"))
            assert answer.headers["content-type"].startswith("application/json")
            assert answer.json()["code"] == "SERVER_METHOD_NOT_ALLOWED"
            checked += 1
    assert checked >= 60


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
