"""Accounts, lock-out, the admin log, enrolment codes, revocation, unit configuration, the CLI,
and the migrations agreeing with the models."""

from __future__ import annotations

import functools
import io
import json
import sys
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text, update

from tests.support.audit_server import ADMIN_PASSWORD, HTTP, ROOT, enrol, issue_code, login


def test_lockout_after_repeated_failures(live):
    user = live.names["auditor"]
    for _ in range(5):
        wrong = HTTP.post(f"{live.url}/api/v1/auth/login", json={"username": user, "password": "sai mật khẩu"})
        assert (wrong.status_code, wrong.json()["code"]) == (401, "SERVER_LOGIN_FAILED")
    locked = HTTP.post(f"{live.url}/api/v1/auth/login", json={"username": user, "password": ADMIN_PASSWORD})
    assert (locked.status_code, locked.json()["code"]) == (403, "SERVER_ACCOUNT_LOCKED")
    unknown = HTTP.post(f"{live.url}/api/v1/auth/login", json={"username": "không-có", "password": "x"})
    assert unknown.json()["code"] == "SERVER_LOGIN_FAILED"  # no hint that the account does not exist
    listed = HTTP.get(f"{live.url}/api/v1/admin/accounts", headers=live.headers("admin")).json()
    assert next(a for a in listed if a["username"] == user)["locked"] is True
    # the lock ends by itself
    from server.db import Database, now_utc
    from server.models import AdminAccount

    database = Database(live.database_url)
    with database.write() as session:
        session.execute(update(AdminAccount).where(AdminAccount.username == user)
                        .values(locked_until=now_utc() - timedelta(seconds=1)))
    database.dispose()
    assert "Authorization" in login(live.url, user)


def test_logout_ends_the_session_and_accounts_need_strong_passwords(live):
    headers = login(live.url, live.names["unit_admin"])
    weak = HTTP.post(f"{live.url}/api/v1/admin/accounts", headers=headers,
                     json={"username": "yeu", "password": "123", "role": "auditor", "unit": live.unit})
    assert (weak.status_code, weak.json()["code"]) == (422, "SERVER_PASSWORD_WEAK")
    elsewhere = HTTP.post(f"{live.url}/api/v1/admin/accounts", headers=headers,
                          json={"username": "ngoai", "password": "một mật khẩu dài", "role": "auditor", "unit": None})
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (403, "SERVER_OTHER_UNIT")
    assert HTTP.post(f"{live.url}/api/v1/auth/logout", headers=headers).status_code == 204
    assert HTTP.get(f"{live.url}/api/v1/auth/me", headers=headers).status_code == 401


def test_admin_log_is_a_chain_that_finds_tampering(live):
    admin = live.headers("admin")
    issue_code(live.url, admin, live.unit)
    total = HTTP.get(f"{live.url}/api/v1/admin/log/verify", headers=admin).json()["entries"]
    log = HTTP.get(f"{live.url}/api/v1/admin/log", params={"after_seq": max(0, total - 30), "limit": 30},
                   headers=admin).json()["entries"]
    assert {"login", "enrolment_code.created"} <= {entry["action"] for entry in log}
    assert HTTP.get(f"{live.url}/api/v1/admin/log/verify", headers=admin).json()["ok"] is True
    engine = create_engine(live.database_url)
    with engine.begin() as connection:
        seq = connection.execute(text("SELECT max(seq) FROM admin_log WHERE action = 'enrolment_code.created'")).scalar()
        original = connection.execute(text("SELECT target FROM admin_log WHERE seq = :s"), {"s": seq}).scalar()
        connection.execute(text("UPDATE admin_log SET target = 'khác' WHERE seq = :s"), {"s": seq})
    verdict = HTTP.get(f"{live.url}/api/v1/admin/log/verify", headers=admin).json()
    with engine.begin() as connection:  # put it back: the PostgreSQL database is shared by the session's tests
        connection.execute(text("UPDATE admin_log SET target = :t WHERE seq = :s"), {"s": seq, "t": original})
    engine.dispose()
    assert verdict["ok"] is False and verdict["first_bad_seq"] == seq


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_enrolment_codes_are_one_time_and_expire(live):
    admin = live.headers("admin")
    code = issue_code(live.url, admin, live.unit)
    first = enrol(live.url, code.lower().replace("-", " "), "ws-aaaaaaaa-0001")  # typed loosely: still the code
    with pytest.raises(AssertionError, match="SERVER_ENROLMENT_CODE_INVALID"):
        enrol(live.url, code, "ws-aaaaaaaa-0002")
    with pytest.raises(AssertionError, match="SERVER_WORKSTATION_ID_TAKEN"):
        enrol(live.url, issue_code(live.url, admin, live.unit), first.workstation_id)
    expired = issue_code(live.url, admin, live.unit)
    engine = create_engine(live.database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE enrolment_codes SET expires_at = '2000-01-01 00:00:00.000000' WHERE used_at IS NULL"))
    engine.dispose()
    with pytest.raises(AssertionError, match="SERVER_ENROLMENT_CODE_INVALID"):
        enrol(live.url, expired, "ws-aaaaaaaa-0003")


def test_a_deployment_code_enrols_as_many_workstations_as_it_was_issued_for_and_no_more(live):
    """One code in the MSI pushed to a unit's workstations (ENROLMENT_CODE): each start enrols
    one; workstations starting at the same moment never take more uses than there are."""
    from concurrent.futures import ThreadPoolExecutor

    admin = live.headers("admin")
    response = HTTP.post(f"{live.url}/api/v1/admin/enrolment-codes", json={"unit": live.unit, "uses": 3}, headers=admin)
    assert response.status_code == 201 and response.json()["uses"] == 3
    code = response.json()["code"]

    def attempt(index: int) -> str:
        try:
            return enrol(live.url, code, f"ws-deploy-{index:04d}-{live.unit[:8]}").workstation_id
        except AssertionError as refused:
            assert "SERVER_ENROLMENT_CODE_INVALID" in str(refused), refused
            return ""

    with ThreadPoolExecutor(max_workers=6) as pool:
        enrolled = [ws for ws in pool.map(attempt, range(6)) if ws]
    assert len(enrolled) == 3
    engine = create_engine(live.database_url)
    with engine.begin() as connection:
        row = connection.execute(text("SELECT use_count, max_uses FROM enrolment_codes WHERE max_uses = 3")).one()
    engine.dispose()
    assert tuple(row) == (3, 3)
    for uses in (0, 10_001):
        refused = HTTP.post(f"{live.url}/api/v1/admin/enrolment-codes", json={"unit": live.unit, "uses": uses},
                            headers=admin)
        assert refused.status_code == 422


def test_revoked_workstation_is_refused_from_its_next_request(live):
    ws = live.workstation()
    assert HTTP.get(f"{live.url}/api/v1/chains", headers=ws.headers).status_code == 200
    HTTP.post(f"{live.url}/api/v1/admin/workstations/{ws.workstation_id}/revoke", headers=live.headers("unit_admin"))
    refused = HTTP.get(f"{live.url}/api/v1/chains", headers=ws.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "SERVER_WORKSTATION_REVOKED")


def test_unit_configuration_with_etag(live):
    ws = live.workstation()
    admin = live.headers("unit_admin")
    url = f"{live.url}/api/v1/admin/units/{live.unit}/catalogue"
    missing = HTTP.get(f"{live.url}/api/v1/config/catalogue", headers=ws.headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "SERVER_CONFIG_NOT_SET")
    bad = HTTP.put(url, headers=admin, json={"content": "catalogue: [unclosed"})
    assert (bad.status_code, bad.json()["code"]) == (422, "SERVER_CONFIG_INVALID")
    wrong_shape = HTTP.put(url, headers=admin, json={"content": "catalogue: {id: 1}\n"})
    assert wrong_shape.json()["code"] == "SERVER_CONFIG_INVALID"
    content = (ROOT / "resources" / "catalogue" / "default.yaml").read_text(encoding="utf-8")
    assert HTTP.put(url, headers=admin, json={"content": content}).status_code == 204
    first = HTTP.get(f"{live.url}/api/v1/config/catalogue", headers=ws.headers)
    assert first.status_code == 200 and first.text == content
    again = HTTP.get(f"{live.url}/api/v1/config/catalogue", headers={**ws.headers, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def _cli(capsys, monkeypatch, *args: str, db: str, stdin: str = "") -> tuple[int, str, str]:
    """`kyso-server …` in this process (its own entry point, as the console script calls it)."""
    from server.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.setenv("KYSO_LANG", "en")
    code = main([*args, "--db", db])
    out, err = capsys.readouterr()
    return code, out, err


def test_kyso_server_admin_commands(tmp_path, capsys, monkeypatch):
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    run = functools.partial(_cli, capsys, monkeypatch, db=db)
    assert run("admin", "create-unit", "VKS-HCM", "VKSND TP. Hồ Chí Minh")[0] == 0
    assert run("admin", "create-admin", "quantri", "--password-stdin", stdin="một mật khẩu thật dài\n")[0] == 0
    code, _, err = run("admin", "create-admin", "yeu", "--password-stdin", stdin="ngắn\n")
    assert code == 2 and "[SERVER_PASSWORD_WEAK]" in err
    assert json.loads(run("admin", "enrolment-code", "--unit", "VKS-HCM", "--json")[1])["unit"] == "VKS-HCM"
    deployment = run("admin", "enrolment-code", "--unit", "VKS-HCM", "--uses", "120")[1]
    assert "120" in deployment and "ENROLMENT_CODE=" in deployment
    assert "[SERVER_UNIT_UNKNOWN]" in run("admin", "enrolment-code", "--unit", "NOPE")[2]
    assert "[SERVER_WORKSTATION_UNKNOWN]" in run("admin", "revoke", "ws-none")[2]
    code, out, _ = run("admin", "verify-log", "--json")
    assert code == 0 and json.loads(out)["entries"] == 4  # the unit, the account, the two codes
    schema = json.loads(run("openapi")[1])
    assert "/api/v1/events" in schema["paths"] and schema["info"]["title"] == "kyso audit server"


def test_migrations_match_the_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from server.migrate import current_revision, upgrade
    from server.models import Base

    upgrade(db_url)  # twice is harmless
    assert current_revision(db_url) == _head_revision()
    engine = create_engine(db_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    from server.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_openapi_needs_no_receipt_key_nor_database(tmp_path, capsys, monkeypatch):
    """`kyso-server openapi` only prints the schema: on a build machine without the server's key
    file (a database that says its key lives in a file, a key file that is not there) and without a
    reachable database, it prints the same schema and creates nothing."""
    from server.receipts import load_signer

    db = f"sqlite:///{tmp_path / 'moved.sqlite3'}"
    from server.db import Database
    from server.migrate import upgrade

    upgrade(db)
    database = Database(db)
    load_signer(database=database, key_file=tmp_path / "elsewhere" / "receipt-key.pem")  # key moved to a file
    database.dispose()
    missing = tmp_path / "not-here" / "receipt-key.pem"
    monkeypatch.setenv("KYSO_SERVER_RECEIPT_KEY_FILE", str(missing))
    code, out, err = _cli(capsys, monkeypatch, "openapi", db=db)
    assert code == 0, err
    assert "/api/v1/events" in json.loads(out)["paths"]
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    code, out_offline, err = _cli(capsys, monkeypatch, "openapi", db=unreachable)
    assert code == 0, err
    assert json.loads(out_offline) == json.loads(out)
    assert not missing.exists() and not missing.parent.exists()
