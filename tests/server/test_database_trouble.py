"""Issue 16: the database's own trouble is a typed, retryable answer — a chain's head row held by a
stalled writer (lock timeout: 503 SERVER_BUSY with Retry-After, other workstations unaffected), a
full disk (507 SERVER_STORAGE_FULL), a database away (503 SERVER_DATABASE_UNAVAILABLE, /ready
says so while /health says the process runs) — never a 500, never a hang."""

from __future__ import annotations

import secrets

import psycopg
import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from tests.support.audit_server import (
    HTTP,
    ThreadServer,
    enrol,
    issue_code,
    login,
    sealed_chain,
    seed_accounts,
)


@pytest.fixture
def quick_locks(db_url, tmp_path):
    tag = secrets.token_hex(4)
    unit, name = f"VKS-L-{tag}", f"admin-l-{tag}"
    seed_accounts(db_url, units=(unit,), accounts={name: ("administrator", None)})
    server = ThreadServer(db_url, data_dir=tmp_path / "data", lock_timeout_seconds=1)
    admin = login(server.url, name)
    yield server, (lambda: enrol(server.url, issue_code(server.url, admin, unit), f"ws-l-{secrets.token_hex(4)}")), db_url
    server.stop()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_held_chain_head_is_a_retryable_answer_and_others_go_on(quick_locks):
    server, new_workstation, db_url = quick_locks
    stalled, other = new_workstation(), new_workstation()
    first = sealed_chain(stalled.workstation_id, count=2)
    assert HTTP.post(f"{server.url}/api/v1/events", json={"events": first}, headers=stalled.headers).status_code == 200
    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://")) as holder:
        holder.execute("SELECT seq FROM chain_heads WHERE chain = %s FOR UPDATE", (stalled.workstation_id,))
        more = sealed_chain(stalled.workstation_id, count=2, start=3, prev_hash=first[-1]["hash"])
        answer = HTTP.post(f"{server.url}/api/v1/events", json={"events": more}, headers=stalled.headers)
        assert (answer.status_code, answer.json()["code"]) == (503, "SERVER_BUSY") and answer.headers["Retry-After"]
        fine = HTTP.post(f"{server.url}/api/v1/events", json={"events": sealed_chain(other.workstation_id, count=3)},
                         headers=other.headers)
        assert fine.status_code == 200, fine.text
        holder.rollback()
    again = HTTP.post(f"{server.url}/api/v1/events", json={"events": more}, headers=stalled.headers)
    assert again.status_code == 200 and again.json()["acknowledged_seq"] == 4


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_full_disk_has_its_own_code(quick_locks):
    server, new_workstation, _db = quick_locks
    ws = new_workstation()
    engine = server.app.state.kyso.database.engine

    @event.listens_for(engine, "connect")
    def _full(dbapi_connection, _record) -> None:  # SQLite's own SQLITE_FULL: no page may be added
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()
    big = sealed_chain(ws.workstation_id, count=200, data={"document": "x" * 2000})
    answer = HTTP.post(f"{server.url}/api/v1/events", json={"events": big}, headers=ws.headers,
                       params={}, timeout=60)
    assert (answer.status_code, answer.json()["code"]) == (507, "SERVER_STORAGE_FULL"), answer.text
    assert "đầy" in answer.json()["message"]


def test_database_away_is_said_and_ready_tells_it(tmp_path):
    from server.api.main import create_app
    from server.config import ServerSettings
    from server.db import Database

    settings = ServerSettings(database_url="postgresql+psycopg://kyso@127.0.0.1:1/none", data_dir=tmp_path,
                              receipt_key_file=tmp_path / "receipt.pem")
    app = create_app(settings, database=Database(settings.database_url))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/health").status_code == 200  # the process runs
        ready = client.get("/api/v1/ready")
        assert (ready.status_code, ready.json()["code"]) == (503, "SERVER_DATABASE_UNAVAILABLE")
        login_answer = client.post("/api/v1/auth/login", json={"username": "a", "password": "b" * 12})
        assert (login_answer.status_code, login_answer.json()["code"]) == (503, "SERVER_DATABASE_UNAVAILABLE")


def test_ready_when_the_database_answers(live):
    assert HTTP.get(f"{live.url}/api/v1/ready").json() == {"status": "ready", "database": live.database_url.split(":")[0].split("+")[0]}


