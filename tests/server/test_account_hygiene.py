"""Issue 16, account hygiene: an enrolment code stays dead when the server's clock is stepped back,
an administrator disables an account (its sessions end, it cannot sign in, the answer is a wrong
password's), a workstation starting a further `<id>#…` chain raises an alert. PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.support.audit_server import HTTP, enrol, issue_code


def _age_code(live, code: str, *, created: timedelta, expires: timedelta) -> None:
    """Set the code's life as if it had been made `created` ago and ended `expires` ago."""
    from server.db import Database, now_utc
    from server.models import EnrolmentCode
    from server.security import normalise_code, secret_hash

    database, now = Database(live.database_url), now_utc()
    with database.write() as session:
        session.execute(update(EnrolmentCode).where(EnrolmentCode.code_hash == secret_hash(normalise_code(code)))
                        .values(created_at=now - created, expires_at=now - expires))
    database.dispose()


@pytest.mark.parametrize("back", [timedelta(minutes=90), timedelta(hours=3), timedelta(days=400)],
                         ids=["into-its-life", "before-it-was-made", "a-year-back"])
def test_a_clock_stepped_back_does_not_revive_an_expired_code(live, monkeypatch, back):
    """The code was made 2 h ago for 1 h; the server has lived past its end (admins signed in,
    workstations sent events); then its clock is stepped back. The code stays dead, and a code made
    after the step still lives its full span."""
    import server.db
    import server.services.workstations as workstations

    for uses in (1, 5):
        code = issue_code(live.url, live.headers("admin"), live.unit) if uses == 1 else HTTP.post(
            f"{live.url}/api/v1/admin/enrolment-codes", json={"unit": live.unit, "uses": uses},
            headers=live.headers("admin")).json()["code"]
        _age_code(live, code, created=timedelta(hours=2), expires=timedelta(hours=1))
        real_now = server.db.now_utc
        monkeypatch.setattr(workstations, "now_utc", lambda: real_now() - back)
        with pytest.raises(AssertionError, match="SERVER_ENROLMENT_CODE_INVALID"):
            enrol(live.url, code, f"ws-stepped-{uses}-{int(back.total_seconds())}")
        fresh = issue_code(live.url, live.headers("admin"), live.unit)  # made on the stepped-back clock
        assert enrol(live.url, fresh, f"ws-fresh-{uses}-{int(back.total_seconds())}").workstation_id
        monkeypatch.undo()


def _sign_in(live, username: str, password: str):
    return HTTP.post(f"{live.url}/api/v1/auth/login", json={"username": username, "password": password})


def test_a_disabled_account_loses_its_sessions_and_signs_in_no_more(live):
    from tests.support.audit_server import ADMIN_PASSWORD, login

    auditor = live.names["auditor"]
    session = login(live.url, auditor)
    assert HTTP.get(f"{live.url}/api/v1/auth/me", headers=session).status_code == 200
    # another unit's administrator does not see it; an auditor may not act; one cannot disable oneself
    other = HTTP.post(f"{live.url}/api/v1/admin/accounts/{live.names['other_auditor']}/disable",
                      headers=live.headers("unit_admin"))
    assert (other.status_code, other.json()["code"]) == (404, "SERVER_NOT_FOUND")
    assert HTTP.post(f"{live.url}/api/v1/admin/accounts/{auditor}/disable", headers=session).status_code == 403
    itself = HTTP.post(f"{live.url}/api/v1/admin/accounts/{live.names['unit_admin']}/disable",
                       headers=live.headers("unit_admin"))
    assert (itself.status_code, itself.json()["code"]) == (422, "SERVER_REQUEST_INVALID")

    done = HTTP.post(f"{live.url}/api/v1/admin/accounts/{auditor}/disable", headers=live.headers("unit_admin"))
    assert done.status_code == 200, done.text
    assert done.json() == {"username": auditor, "role": "auditor", "unit": live.unit, "locked": False, "disabled": True}
    assert HTTP.get(f"{live.url}/api/v1/auth/me", headers=session).status_code == 401  # its session ended
    right, wrong, nobody = (_sign_in(live, auditor, ADMIN_PASSWORD), _sign_in(live, auditor, "sai mật khẩu"),
                            _sign_in(live, "khong-co-ai-" + auditor, ADMIN_PASSWORD))
    # the right password of a disabled account answers as a wrong one, and as a name with no account
    assert [(r.status_code, r.json()) for r in (right, wrong)] == [(nobody.status_code, nobody.json())] * 2
    assert right.status_code == 401
    listed = HTTP.get(f"{live.url}/api/v1/admin/accounts", headers=live.headers("admin")).json()
    assert next(a for a in listed if a["username"] == auditor)["disabled"] is True
    log = HTTP.get(f"{live.url}/api/v1/admin/log", params={"limit": 1000}, headers=live.headers("admin")).json()
    disabled = [e for e in log["entries"] if e["action"] == "account.disabled" and e["target"] == auditor]
    assert [e["actor"] for e in disabled] == [f"admin:{live.names['unit_admin']}"]

    enabled = HTTP.post(f"{live.url}/api/v1/admin/accounts/{auditor}/enable", headers=live.headers("unit_admin"))
    assert (enabled.status_code, enabled.json()["disabled"]) == (200, False)
    assert "Authorization" in login(live.url, auditor)


def test_disable_and_enable_from_the_command_line(tmp_path, capsys, monkeypatch):
    import functools

    from tests.server.test_admin import _cli

    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    run = functools.partial(_cli, capsys, monkeypatch, db=db)
    assert run("admin", "create-unit", "VKS-CLI", "Viện kiểm sát thử")[0] == 0
    assert run("admin", "create-admin", "kiemtoan-cli", "--unit", "VKS-CLI", "--role", "auditor", "--password-stdin",
               stdin="một mật khẩu rất dài\n")[0] == 0
    code, out, _ = run("admin", "disable", "kiemtoan-cli")
    assert code == 0 and "kiemtoan-cli" in out
    code, _, err = run("admin", "disable", "khong-co")
    assert code != 0 and "SERVER_NOT_FOUND" in err
    from server.db import Database
    from server.models import AdminAccount
    from sqlalchemy import select

    database = Database(db)
    with database.read_session() as session:
        assert session.execute(select(AdminAccount.disabled).where(AdminAccount.username == "kiemtoan-cli")).scalar()
    code, out, _ = run("admin", "enable", "kiemtoan-cli")
    assert code == 0 and "kiemtoan-cli" in out
    with database.read_session() as session:
        assert not session.execute(select(AdminAccount.disabled).where(AdminAccount.username == "kiemtoan-cli")).scalar()
    database.dispose()


def _send(live, ws, chain: str, *, mode: str = "production"):
    from tests.support.audit_server import sealed_chain

    response = HTTP.post(f"{live.url}/api/v1/events", headers=ws.headers,
                         json={"events": sealed_chain(chain, count=2, mode=mode)})
    assert response.status_code == 200, response.text


def _alerts(live, workstation: str) -> list[dict]:
    listed = HTTP.get(f"{live.url}/api/v1/alerts", params={"unit": live.unit}, headers=live.headers("auditor")).json()["alerts"]
    return [a for a in listed if a["workstation"] == workstation]


def test_new_chains_beyond_the_first_restart_raise_an_alert(live):
    """A workstation may set one damaged log aside and start `<id>#…` once without a word; every
    further chain it starts is an alert (one open alert per workstation, repeats counted), in
    either mode; its own chain and another workstation's first restart raise nothing."""
    ws, calm = live.workstation(), live.workstation()
    _send(live, ws, ws.workstation_id)
    _send(live, ws, f"{ws.workstation_id}#20261203T080000Z")
    _send(live, ws, f"{ws.workstation_id}#20261203T080000Z", mode="practice")  # the same restart, other mode
    _send(live, calm, calm.workstation_id)
    _send(live, calm, f"{calm.workstation_id}#1")
    assert _alerts(live, ws.workstation_id) == [] and _alerts(live, calm.workstation_id) == []

    second = f"{ws.workstation_id}#20261203T090000Z"
    _send(live, ws, second)
    _send(live, ws, second)  # the same chain again: a duplicate, no new alert
    [alert] = _alerts(live, ws.workstation_id)
    assert (alert["kind"], alert["chain"], alert["mode"], alert["repeats"]) == ("chain_started", second, "production", 1)
    for n in range(3):
        _send(live, ws, f"{ws.workstation_id}#more-{n}", mode=("production", "practice")[n % 2])
    [alert] = _alerts(live, ws.workstation_id)
    assert alert["repeats"] == 4 and alert["acknowledged_at"] is None
    assert _alerts(live, calm.workstation_id) == []
    from server.db import Database
    from server.services.alerts import acknowledge

    database = Database(live.database_url)  # the console's review (its page calls the same function)
    with database.write() as session:
        acknowledge(session, actor="admin:kiemtra", alert_id=alert["id"], scope=None, comment="ổ đĩa hỏng, đã kiểm tra")
    database.dispose()
    _send(live, ws, f"{ws.workstation_id}#after-review")
    assert [a["repeats"] for a in _alerts(live, ws.workstation_id)] == [1, 4]  # a fresh alert after the review
