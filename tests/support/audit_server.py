"""The central audit server for tests: on loopback in a thread or in its own process, seeded
with units and accounts, plus helpers that enrol workstations and make sealed event chains."""

from __future__ import annotations

import base64
import functools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.audit import wire

__all__ = [
    "ADMIN_PASSWORD", "HTTP", "Enrolled", "ProcessServer", "ThreadServer", "enrol", "issue_code", "login", "sealed_chain",
    "seed_accounts", "wait_until",
]

ADMIN_PASSWORD = "mật-khẩu-đủ-dài-2026"
# Every test request comes from 127.0.0.1: the per-address sign-in and enrolment limits are raised
# for test servers unless a test sets them (tests/server/test_guard.py tests the limits themselves).
TEST_LIMITS = {"login_attempts_per_minute": 100_000, "enrol_attempts_per_minute": 100_000,
               "password_checks_per_second": 100_000, "ingest_batches_per_second": 100_000, "ingest_in_flight": 100}
HTTP = httpx.Client(timeout=60)  # one client for the tests: making one costs ~50 ms (its TLS context)
ROOT = Path(__file__).resolve().parents[2]


def wait_until(condition, *, timeout: float = 30.0, interval: float = 0.02, what: str = "condition"):
    """Poll an observable condition (no fixed sleeps); its truthy value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


class ThreadServer:
    """uvicorn serving create_app() on a pre-bound loopback socket, in a thread of this process."""

    def __init__(self, database_url: str, *, data_dir: Path, tls: tuple[Path, Path] | None = None,
                 port: int = 0, **settings: Any) -> None:
        """`port`: 0 for any free one; a given port to restart a server where its workstations know it."""
        from server.api.main import create_app
        from server.config import ServerSettings
        from server.migrate import upgrade

        upgrade(database_url)
        self.settings = ServerSettings(database_url=database_url, data_dir=data_dir, **{**TEST_LIMITS, **settings})
        self.app = create_app(self.settings)
        self._socket = socket.create_server(("127.0.0.1", port))
        self.port = self._socket.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False,
                                ssl_certfile=tls[0] if tls else None, ssl_keyfile=tls[1] if tls else None)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)
        self._thread.start()
        wait_until(lambda: self._server.started, what="uvicorn start")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()
        self.app.state.kyso.database.dispose()


class ProcessServer:
    """`kyso-server` in a child process (killable with SIGKILL), on a loopback port."""

    def __init__(self, database_url: str, *, data_dir: Path, port: int | None = None, migrate: bool = True,
                 extra_env: dict[str, str] | None = None) -> None:
        self.database_url, self.data_dir = database_url, data_dir
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "KYSO_SERVER_DATA_DIR": str(data_dir), "KYSO_SERVER_LOG_LEVEL": "warning",
                    **{f"KYSO_SERVER_{name.upper()}": str(value) for name, value in TEST_LIMITS.items()},
                    **(extra_env or {})}
        self.process: subprocess.Popen | None = None
        self.start(migrate=migrate)

    def start(self, *, migrate: bool = False) -> None:
        command = [sys.executable, "-m", "server.cli", "--db", self.database_url, "--host", "127.0.0.1",
                   "--port", str(self.port), *([] if migrate else ["--no-migrate"])]
        self.log = open(self.data_dir / f"server-{self.port}.log", "ab")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(self._healthy, timeout=60, interval=0.05, what=f"kyso-server on {self.port}")

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"kyso-server exited: {(self.data_dir / f'server-{self.port}.log').read_text()[-2000:]}")
        try:
            return HTTP.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown, transactions in flight are lost (rolled back by the database)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


@functools.cache
def _password_hash() -> str:
    from server.security import hash_password

    return hash_password(ADMIN_PASSWORD)  # argon2id once per session: ~0.1 s each


def seed_accounts(database_url: str, *, units: tuple[str, ...], accounts: dict[str, tuple[str, str | None]]) -> None:
    """Units and accounts straight into the database: {username: (role, unit or None)}, all with
    ADMIN_PASSWORD (accounts made through the API are tested on their own)."""
    from server.db import Database, now_utc
    from server.models import AdminAccount
    from server.services import accounts as account_service

    database = Database(database_url)
    try:
        with database.write() as session:
            for unit in units:
                account_service.create_unit(session, actor="test", unit_id=unit, name=f"Đơn vị {unit}")
            for username, (role, unit) in accounts.items():
                session.add(AdminAccount(username=username, password_hash=_password_hash(), role=role, unit_id=unit,
                                         failed_logins=0, disabled=False, created_at=now_utc()))
    finally:
        database.dispose()


def login(url: str, username: str, password: str = ADMIN_PASSWORD) -> dict[str, str]:
    response = HTTP.post(f"{url}/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def issue_code(url: str, admin: dict[str, str], unit: str) -> str:
    response = HTTP.post(f"{url}/api/v1/admin/enrolment-codes", json={"unit": unit}, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()["code"]


@dataclass(frozen=True)
class Enrolled:
    workstation_id: str
    credential: str
    server_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential}"}


def enrol(url: str, code: str, workstation_id: str) -> Enrolled:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    proof = key.sign(f"kyso-enrol:{normalised}:{workstation_id}".encode())
    response = HTTP.post(f"{url}/api/v1/enrol", json={
        "code": code, "workstation_id": workstation_id, "public_key": base64.b64encode(public).decode(),
        "proof": base64.b64encode(proof).decode()})
    assert response.status_code == 201, response.text
    body = response.json()
    return Enrolled(body["workstation_id"], body["credential"], body["server_key"]["public_key"])


def sealed_chain(workstation: str, *, count: int, mode: str = "production", start: int = 1,
                 prev_hash: str = wire.GENESIS, at_utc: str = "2026-11-22T07:00:00.000000Z",
                 data: dict | None = None) -> list[dict]:
    """`count` sealed events of one chain, seq from `start`, linked to `prev_hash`."""
    events, previous = [], prev_hash
    for seq in range(start, start + count):
        event = wire.seal({
            "v": 1, "workstation": workstation, "mode": mode, "seq": seq, "prev_hash": previous,
            "type": "sign.succeeded" if seq % 3 else "sign.failed", "at_utc": at_utc,
            "at_local": at_utc.replace("Z", "+00:00"), "os_user": "canbo", "user_name": "Nguyễn Văn An",
            "user_role": "kiem-sat-vien", "app_version": "0.1.0",
            "data": data if data is not None else {"document": f"quyet-dinh-{seq}.pdf", "document_type": "quyet-dinh",
                                                   "outcome": "ok" if seq % 3 else "failed"}})
        events.append(event)
        previous = event["hash"]
    return events
