"""Every endpoint × every kind of caller → the expected status. Nothing readable without the
right role; a revoked workstation is refused from its next request."""

from __future__ import annotations

import secrets

import pytest

from tests.support.audit_server import ADMIN_PASSWORD, HTTP, sealed_chain

WHO = ("none", "forged", "revoked", "wrong_ws", "other_auditor", "auditor", "unit_admin", "admin", "ws")
#        none forged revoked wrong_ws other_aud auditor unit_adm admin  ws
WS_ONLY = (401, 401, 403, None, 401, 401, 401, 401, None)
READ = (401, 401, 401, 401, 403, 200, 200, 200, 401)
ADMIN = (401, 401, 401, 401, 403, 403, None, None, 401)


def _matrix(ctx):
    u, ws, victim = ctx["unit"], ctx["ws"], ctx["victim"]
    unique = lambda: secrets.token_hex(4)  # noqa: E731
    return [
        ("POST", "/api/v1/events", lambda: {"json": {"events": ctx["events"]}}, _with(WS_ONLY, wrong_ws=403, ws=200)),
        ("GET", "/api/v1/chains", None, _with(WS_ONLY, wrong_ws=200, ws=200)),
        ("GET", "/api/v1/config/policy", None, _with(WS_ONLY, wrong_ws=404, ws=200)),
        ("PUT", "/api/v1/workstation/state", lambda: {"json": {"app_version": "0.1.0", "heads": {"production": 2}}},
         _with(WS_ONLY, wrong_ws=204, ws=204)),
        ("GET", f"/api/v1/events?unit={u}", None, READ),
        ("GET", f"/api/v1/events/export?unit={u}&format=jsonl", None, READ),
        ("GET", "/api/v1/workstations", None, _with(READ, other_auditor=200)),
        ("GET", f"/api/v1/workstations/{ws}/verify", None, _with(READ, other_auditor=404)),  # as if unknown
        ("GET", f"/api/v1/alerts?unit={u}", None, READ),
        ("GET", "/api/v1/auth/me", None, _with(READ, other_auditor=200)),
        ("POST", "/api/v1/admin/enrolment-codes", lambda: {"json": {"unit": u}}, _with(ADMIN, unit_admin=201, admin=201)),
        ("POST", f"/api/v1/admin/workstations/{victim}/revoke", None, _with(ADMIN, unit_admin=200, admin=200)),
        ("PUT", f"/api/v1/admin/units/{u}/policy", lambda: {"json": {"content": "[defaults]\nlanguage = 'vi'\n"}},
         _with(ADMIN, unit_admin=204, admin=204)),
        ("GET", "/api/v1/admin/accounts", None, _with(ADMIN, unit_admin=200, admin=200)),
        ("POST", "/api/v1/admin/accounts", lambda: {"json": {"username": f"kt-{unique()}", "password": "một mật khẩu dài",
                                                            "role": "auditor", "unit": u}},
         _with(ADMIN, unit_admin=201, admin=201)),
        ("POST", f"/api/v1/admin/accounts/{ctx['victim_account']}/disable", None, _with(ADMIN, unit_admin=200, admin=200)),
        ("POST", f"/api/v1/admin/accounts/{ctx['victim_account']}/enable", None, _with(ADMIN, unit_admin=200, admin=200)),
        ("GET", "/api/v1/admin/units", None, _with(ADMIN, unit_admin=200, admin=200)),
        ("POST", "/api/v1/admin/units", lambda: {"json": {"id": f"U-{unique()}", "name": "Đơn vị mới"}},
         _with(ADMIN, unit_admin=403, admin=201)),
        ("GET", "/api/v1/admin/log", None, _with(ADMIN, unit_admin=403, admin=200)),
        ("GET", "/api/v1/admin/log/verify", None, _with(ADMIN, unit_admin=403, admin=200)),
        ("GET", "/api/v1/server-key", None, (200,) * len(WHO)),
        ("GET", "/api/v1/health", None, (200,) * len(WHO)),
        ("GET", "/api/v1/ready", None, (200,) * len(WHO)),
        ("POST", "/api/v1/enrol", lambda: {"json": {"code": "AAAA-BBBB-CCCC-DDDD", "public_key": "A" * 43 + "=",
                                                   "proof": "A" * 86 + "=="}}, (422,) * len(WHO)),
        ("POST", "/api/v1/auth/login", lambda: {"json": {"username": ctx["auditor"], "password": ADMIN_PASSWORD}},
         (200,) * len(WHO)),  # a header sent along changes nothing
        ("POST", "/api/v1/auth/logout", None, _with(READ, other_auditor=204, auditor=204, unit_admin=204, admin=204)),
    ]  # logout last: it ends the sessions the rows above use


def _with(base, **changes):
    return tuple(changes.get(name, value) for name, value in zip(WHO, base, strict=True))


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_authorisation_matrix(live):
    ws, wrong, revoked, victim = live.workstation(), None, live.workstation(), live.workstation()
    from tests.support.audit_server import enrol, issue_code

    wrong = enrol(live.url, issue_code(live.url, live.headers("admin"), live.other_unit), f"ws-{secrets.token_hex(6)}")
    assert HTTP.post(f"{live.url}/api/v1/admin/workstations/{revoked.workstation_id}/revoke",
                     headers=live.headers("unit_admin")).status_code == 200
    HTTP.put(f"{live.url}/api/v1/admin/units/{live.unit}/policy", json={"content": "[audit]\nkeep_days = 1\n"},
             headers=live.headers("admin"))
    forged_id, _, _ = ws.credential.rpartition(".")
    headers = {
        "none": {}, "forged": {"Authorization": f"Bearer {forged_id}.{wrong.credential.rpartition('.')[2]}"},
        "revoked": revoked.headers, "wrong_ws": wrong.headers, "ws": ws.headers,
        **{who: live.headers(who) for who in ("other_auditor", "auditor", "unit_admin", "admin")},
    }
    ctx = {"unit": live.unit, "ws": ws.workstation_id, "victim": victim.workstation_id,
           "events": sealed_chain(ws.workstation_id, count=2), "auditor": live.names["auditor"],
           "victim_account": f"kt-victim-{secrets.token_hex(4)}"}
    assert HTTP.post(f"{live.url}/api/v1/admin/accounts", headers=live.headers("admin"), json={
        "username": ctx["victim_account"], "password": "một mật khẩu dài", "role": "auditor", "unit": live.unit,
    }).status_code == 201
    listed = HTTP.get(f"{live.url}/api/v1/workstations", headers=live.headers("other_auditor")).json()
    assert {w["unit"] for w in listed} == {live.other_unit}  # the other unit sees only its own
    problems = []
    for method, path, body, expected in _matrix(ctx):
        for who, status in zip(WHO, expected, strict=True):
            response = HTTP.request(method, f"{live.url}{path}", headers=headers[who], **(body() if body else {}))
            if response.status_code != status:
                problems.append(f"{method} {path} as {who}: {response.status_code} (expected {status}) {response.text[:120]}")
            if response.status_code >= 400:
                assert response.json()["code"].startswith("SERVER_"), response.text
    assert problems == []


def test_every_route_is_in_the_matrix(tmp_path):
    """A new endpoint must be added to the matrix above."""
    from server.api.main import create_app
    from server.config import ServerSettings
    from server.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'routes.sqlite3'}"
    upgrade(url)
    app = create_app(ServerSettings(database_url=url))
    routes = {(method.upper(), path) for path, operations in app.openapi()["paths"].items() for method in operations}
    ctx = {"unit": "{unit_id}", "ws": "{workstation_id}", "victim": "{workstation_id}", "events": [], "auditor": "",
           "victim_account": "{username}"}
    covered = {(method, path.split("?")[0].replace("{workstation_id}/revoke", "{workstation_id}/revoke")
                .replace("/units/{unit_id}/policy", "/units/{unit_id}/{kind}").replace("/config/policy", "/config/{kind}"))
               for method, path, _, _ in _matrix(ctx)}
    assert len(routes) >= 20 and routes - covered == set()
