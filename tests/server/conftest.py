"""Fixtures for the server: a database on each backend, the server on loopback, accounts.

PostgreSQL: one database for the session (kyso_test_<random>, dropped at the end); tests keep
apart by using units, accounts and workstations of their own. SQLite: a file per test.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.audit_server import ThreadServer, enrol, issue_code, login, seed_accounts


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        from server.migrate import upgrade

        url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
        upgrade(url)
        return url
    return request.getfixturevalue("audit_server_pg")


@pytest.fixture(params=["sqlite", "postgresql"])
def own_db_url(request, tmp_path):
    """A database of the test's own on each backend (PostgreSQL: created and dropped here): for
    tests of the sign-in limits, whose counters every server on a database shares (all test
    requests come from 127.0.0.1, so the session's database would carry other tests' attempts)."""
    from server.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'own.sqlite3'}"
        upgrade(url)
        yield url
        return
    from tests.support.postgres import temporary_database

    with temporary_database() as url:
        upgrade(url)
        yield url


@dataclass
class Live:
    """A running server with two units and an account of each kind."""

    url: str
    database_url: str
    unit: str  # the unit the tests' workstations belong to
    other_unit: str
    names: dict[str, str]  # role key → username
    server: ThreadServer
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        """who: admin (every unit), unit_admin, auditor (this unit), other_auditor."""
        if who not in self._headers:
            self._headers[who] = login(self.url, self.names[who])
        return self._headers[who]

    def workstation(self, suffix: str = ""):
        code = issue_code(self.url, self.headers("admin"), self.unit)
        return enrol(self.url, code, f"ws-{secrets.token_hex(6)}{suffix}")


@pytest.fixture
def live(db_url, tmp_path: Path):
    tag = secrets.token_hex(4)
    unit, other = f"VKS-{tag}", f"VKS-OTHER-{tag}"
    names = {"admin": f"admin-{tag}", "unit_admin": f"unitadmin-{tag}", "auditor": f"auditor-{tag}",
             "other_auditor": f"other-{tag}"}
    seed_accounts(db_url, units=(unit, other), accounts={
        names["admin"]: ("administrator", None), names["unit_admin"]: ("administrator", unit),
        names["auditor"]: ("auditor", unit), names["other_auditor"]: ("auditor", other)})
    server = ThreadServer(db_url, data_dir=tmp_path / "server-data")
    yield Live(server.url, db_url, unit, other, names, server)
    server.stop()


@pytest.fixture(scope="session")
def console_site(audit_server_pg, tmp_path_factory):
    """The console on HTTPS over the session's PostgreSQL, seeded once (tests/support/console.py);
    tests that change things use objects of their own."""
    from tests.support.console import build_site

    site = build_site(audit_server_pg, tmp_path_factory.mktemp("console"))
    yield site
    site.server.stop()
