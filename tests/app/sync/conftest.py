"""Fixtures for the sync client: a central server on loopback, this workstation's real audit log."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.audit_server import ROOT, ThreadServer, issue_code, login, seed_accounts


@pytest.fixture(autouse=True)
def file_credentials():
    """As on a Linux server or CI: no OS credential store, so the 0600 file is used."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@dataclass
class Central:
    url: str
    database_url: str
    unit: str
    admin_name: str
    auditor_name: str
    server: ThreadServer | None = None
    _admin: dict | None = None

    @property
    def admin(self) -> dict[str, str]:
        if self._admin is None:
            self._admin = login(self.url, self.admin_name)
        return self._admin

    def code(self) -> str:
        return issue_code(self.url, self.admin, self.unit)

    def stored(self, chain: str, mode: str = "production") -> list[tuple[int, str]]:
        """(seq, hash) of the chain's events in the server's database, each once."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(
                    "SELECT seq, hash FROM events WHERE chain = :c AND mode = :m ORDER BY seq"), {"c": chain, "m": mode})]
        finally:
            engine.dispose()


def make_central(database_url: str, data_dir: Path, **server_options) -> Central:
    tag = secrets.token_hex(4)
    unit, admin, auditor = f"VKS-{tag}", f"admin-{tag}", f"auditor-{tag}"
    seed_accounts(database_url, units=(unit,), accounts={admin: ("administrator", unit), auditor: ("auditor", unit)})
    central = Central("", database_url, unit, admin, auditor)
    if server_options.get("start", True):
        server_options.pop("start", None)
        central.server = ThreadServer(database_url, data_dir=data_dir, **server_options)
        central.url = central.server.url
    return central


@pytest.fixture
def central(tmp_path):
    from server.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    upgrade(url)
    made = make_central(url, tmp_path / "central")
    yield made
    made.server.stop()


@pytest.fixture
def audit_log(kyso_home):
    from app.audit.opening import open_audit_log

    store = open_audit_log().store
    yield store
    store.close()


def append(store, count: int, *, mode: str = "production") -> None:
    from app.audit.events import AuditActor

    actor = AuditActor(os_user="canbo", user_name="Trần Thị Bình", user_role="kiem-sat-vien")
    for index in range(count):
        store.append(mode=mode, type="sign.succeeded", data={"document": f"van-ban-{index}.pdf", "outcome": "ok"},
                     actor=actor, app_version="0.1.0")


def kyso(*args: str, home: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real `kyso` command in a child process (no token needed for sync)."""
    env = {**os.environ, "KYSO_HOME": str(home), "KYSO_LANG": "en",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=timeout)
