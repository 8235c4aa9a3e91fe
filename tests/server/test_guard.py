"""Issue 16, availability and account hygiene: rate limits before any password check, the same
answers for known and unknown names, lock-out ending sessions, a workstation flooding refused
with Retry-After, the console's sign-in through the same guard — on PostgreSQL and SQLite."""

from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import select

from server.db import Database
from server.errors import ServerError, ServerErrorCode
from server.guard import Guard, GuardLimits
from server.models import AdminLogEntry
from tests.support.audit_server import (
    ADMIN_PASSWORD,
    HTTP,
    ThreadServer,
    enrol,
    issue_code,
    login,
    sealed_chain,
    seed_accounts,
)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_address_bucket_refills_and_names_lock_alike():
    clock = _Clock()
    guard = Guard(GuardLimits(login_per_address=(3, 10.0), login_per_name=(100, 0.1), lockout_failures=2,
                              lockout_seconds=60), clock=clock)
    for _ in range(3):
        guard.admit_login(address="10.0.0.1", username=secrets.token_hex(4))
    with pytest.raises(ServerError) as refused:
        guard.admit_login(address="10.0.0.1", username="x")
    assert (refused.value.code, refused.value.status, refused.value.extra["retry_after"]) == (
        ServerErrorCode.RATE_LIMITED, 429, 10)
    guard.admit_login(address="10.0.0.2", username="x")  # another address is not held back
    clock.now += 10
    guard.admit_login(address="10.0.0.1", username="x")  # one token back after its period
    for name in ("known-or-not", "KNOWN-OR-NOT "):
        guard.login_failed(username=name)
    assert guard.name_locked(username="known-or-not").code is ServerErrorCode.ACCOUNT_LOCKED
    clock.now += 61
    assert guard.name_locked(username="known-or-not") is None


def test_one_workstation_has_at_most_its_batches_in_flight():
    guard = Guard(GuardLimits(ingest_in_flight=1))
    with guard.ingesting(workstation="ws-a"):
        with pytest.raises(ServerError) as refused, guard.ingesting(workstation="ws-a"):
            pass
        assert refused.value.code is ServerErrorCode.RATE_LIMITED
        with guard.ingesting(workstation="ws-b"):  # another workstation is not held back
            pass
    with guard.ingesting(workstation="ws-a"):
        pass


@pytest.fixture
def guarded(own_db_url, tmp_path):
    db_url = own_db_url
    tag = secrets.token_hex(4)
    unit, name = f"VKS-G-{tag}", f"admin-g-{tag}"
    seed_accounts(db_url, units=(unit,), accounts={name: ("administrator", None)})
    server = ThreadServer(db_url, data_dir=tmp_path / "data", login_attempts_per_minute=20,
                          ingest_batches_per_second=1, lockout_failures=5)
    yield server, unit, name, db_url
    server.stop()


@pytest.fixture
def strict(own_db_url, tmp_path):
    """Two sign-in attempts a minute per address and per name: the third is refused, whatever the
    machine's speed."""
    db_url = own_db_url
    server = ThreadServer(db_url, data_dir=tmp_path / "strict", login_attempts_per_minute=2)
    yield server
    server.stop()


def _try(url: str, username: str, password: str = "sai-mat-khau") -> tuple[int, str]:
    answer = HTTP.post(f"{url}/api/v1/auth/login", json={"username": username, "password": password})
    return answer.status_code, answer.json().get("code", "")


def test_known_and_unknown_names_answer_alike_and_lock_out_ends_sessions(guarded):
    server, _unit, name, db_url = guarded
    token = login(server.url, name)
    assert HTTP.get(f"{server.url}/api/v1/auth/me", headers=token).status_code == 200
    known = [_try(server.url, name) for _ in range(7)]
    ghost = f"ghost-{secrets.token_hex(3)}"
    unknown = [_try(server.url, ghost) for _ in range(7)]
    assert known == unknown == [(401, "SERVER_LOGIN_FAILED")] * 5 + [(403, "SERVER_ACCOUNT_LOCKED")] * 2
    assert _try(server.url, name, ADMIN_PASSWORD) == (403, "SERVER_ACCOUNT_LOCKED")  # even the right password
    assert HTTP.get(f"{server.url}/api/v1/auth/me", headers=token).status_code == 401  # its session ended


def test_a_password_typed_as_the_name_is_not_logged(guarded):
    server, _unit, _name, db_url = guarded
    typed = f"Mat-Khau-{secrets.token_hex(6)}"
    assert _try(server.url, typed) == (401, "SERVER_LOGIN_FAILED")
    database = Database(db_url)
    try:
        with database.read_session() as session:
            entries = session.execute(select(AdminLogEntry.actor, AdminLogEntry.details)).all()
    finally:
        database.dispose()
    assert entries and not any(typed in actor or typed in details for actor, details in entries)


def test_address_flood_is_refused_before_any_password_check(strict):
    server = strict
    answers = [HTTP.post(f"{server.url}/api/v1/auth/login", json={"username": f"n{i}", "password": "x" * 12},
                         headers={"Accept-Language": "vi"}) for i in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 429, 429]
    limited = [a for a in answers if a.status_code == 429]
    assert limited and limited[0].json()["code"] == "SERVER_RATE_LIMITED" and int(limited[0].headers["Retry-After"]) >= 1
    assert "giây" in limited[0].json()["message"]


def test_console_sign_in_goes_through_the_same_guard(strict):
    from server.console.auth import sign_in

    state = strict.app.state.kyso
    results = [sign_in(state, address="192.0.2.9", username=f"ai-do-{i}", password="x" * 12) for i in range(3)]
    assert [r.code for r in results] == [ServerErrorCode.LOGIN_FAILED] * 2 + [ServerErrorCode.RATE_LIMITED]
    # the name's own limit is shared with the API: the console's attempts on it count there too
    assert [sign_in(state, address=f"192.0.2.{i}", username="chung", password="x" * 12).code for i in (20, 21)] == [
        ServerErrorCode.LOGIN_FAILED] * 2
    assert _try(strict.url, "chung") == (429, "SERVER_RATE_LIMITED")


def test_a_flooding_workstation_gets_retry_after_others_go_on(guarded):
    server, unit, _name, _db = guarded
    admin = login(server.url, _name)
    flood = enrol(server.url, issue_code(server.url, admin, unit), f"ws-flood-{secrets.token_hex(3)}")
    quiet = enrol(server.url, issue_code(server.url, admin, unit), f"ws-quiet-{secrets.token_hex(3)}")
    events = sealed_chain(flood.workstation_id, count=1)
    codes = [HTTP.post(f"{server.url}/api/v1/events", json={"events": events}, headers=flood.headers)
             for _ in range(25)]
    refused = [a for a in codes if a.status_code == 429]
    assert refused and refused[0].json()["code"] == "SERVER_RATE_LIMITED" and refused[0].headers["Retry-After"]
    other = HTTP.post(f"{server.url}/api/v1/events", json={"events": sealed_chain(quiet.workstation_id, count=3)},
                      headers=quiet.headers)
    assert other.status_code == 200, other.text


def test_a_flood_from_many_addresses_costs_a_bounded_number_of_password_checks():
    clock = _Clock()
    guard = Guard(GuardLimits(login_overall=(3, 0.5)), clock=clock)
    for index in range(3):
        guard.admit_login(address=f"198.51.100.{index}", username=f"u{index}")
    with pytest.raises(ServerError) as busy:
        guard.admit_login(address="198.51.100.99", username="u99")
    assert (busy.value.code, busy.value.status, busy.value.extra["retry_after"]) == (ServerErrorCode.BUSY, 503, 1)
    clock.now += 0.5
    guard.admit_login(address="198.51.100.100", username="u100")


def test_a_flood_is_answered_at_the_door(strict):
    """Once an address has no sign-in left, the gate answers before the body is even read: a
    malformed body gets the same 429 (the route would have said 422)."""
    server = strict
    for index in range(2):
        HTTP.post(f"{server.url}/api/v1/auth/login", json={"username": f"n{index}", "password": "x" * 12})
    answer = HTTP.post(f"{server.url}/api/v1/auth/login", content=b"{not json", headers={"Accept-Language": "en"})
    assert (answer.status_code, answer.json()["code"]) == (429, "SERVER_RATE_LIMITED")
    assert answer.headers["Retry-After"] and "Too many requests" in answer.json()["message"]
    console = HTTP.post(f"{server.url}/login", data={"username": "a", "password": "b"})
    assert console.status_code == 429  # the console's sign-in shares the gate


@pytest.mark.skipif(not hasattr(os, "nice"), reason="POSIX priorities")
def test_passwords_are_checked_in_a_worker_of_low_priority():
    from server import security

    security.use_password_worker()
    stored = security.hash_password("mật-khẩu-thử-nghiệm-2026")
    assert security.check_password("mật-khẩu-thử-nghiệm-2026", stored)
    assert not security.check_password("sai-mat-khau-roi", stored) and not security.check_password("x" * 12, None)
    workers = list(security._worker[0]._processes)
    assert workers and all(os.getpriority(os.PRIO_PROCESS, pid) >= os.getpriority(os.PRIO_PROCESS, 0) + 10
                           for pid in workers)


def test_a_revoked_workstation_enrols_again_with_a_new_code(live):
    """docs/server.md: after revocation, a new code and `kyso enroll --force` (it answered
    SERVER_WORKSTATION_ID_TAKEN); a live workstation's id, or another unit's, stays taken."""
    ws = live.workstation()
    first = sealed_chain(ws.workstation_id, count=2)
    assert HTTP.post(f"{live.url}/api/v1/events", json={"events": first}, headers=ws.headers).status_code == 200
    taken = HTTP.post(f"{live.url}/api/v1/enrol", json=_enrol_body(issue_code(live.url, live.headers("admin"), live.unit),
                                                                    ws.workstation_id))
    assert (taken.status_code, taken.json()["code"]) == (409, "SERVER_WORKSTATION_ID_TAKEN")
    HTTP.post(f"{live.url}/api/v1/admin/workstations/{ws.workstation_id}/revoke", headers=live.headers("admin"))
    elsewhere = HTTP.post(f"{live.url}/api/v1/enrol", json=_enrol_body(
        issue_code(live.url, live.headers("admin"), live.other_unit), ws.workstation_id))
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (409, "SERVER_WORKSTATION_ID_TAKEN")
    again = enrol(live.url, issue_code(live.url, live.headers("admin"), live.unit), ws.workstation_id)
    assert HTTP.get(f"{live.url}/api/v1/chains", headers=ws.headers).status_code == 401  # the old credential is gone
    more = sealed_chain(ws.workstation_id, count=2, start=3, prev_hash=first[-1]["hash"])
    answer = HTTP.post(f"{live.url}/api/v1/events", json={"events": more}, headers=again.headers)
    assert answer.status_code == 200 and answer.json()["acknowledged_seq"] == 4  # its chain goes on


def _enrol_body(code: str, workstation_id: str) -> dict:
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    proof = key.sign(f"kyso-enrol:{''.join(c for c in code.upper() if c.isalnum())}:{workstation_id}".encode())
    return {"code": code, "workstation_id": workstation_id, "public_key": base64.b64encode(public).decode(),
            "proof": base64.b64encode(proof).decode()}
