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
