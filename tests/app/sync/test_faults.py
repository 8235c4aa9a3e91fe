"""Faults, each ending with an exact count: every event the workstations made is on the server,
once. PostgreSQL behind real server processes; the network broken by a loopback TCP proxy."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import create_engine, text

from app.sync import SyncClient, enroll
from tests.app.sync.conftest import append, make_central
from tests.support.audit_server import (
    HTTP,
    ROOT,
    ProcessServer,
    enrol,
    login,
    sealed_chain,
    wait_until,
)
from tests.support.fast_chain import fast_chain
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture
def pg_central(audit_server_pg, tmp_path):
    central = make_central(audit_server_pg, tmp_path, start=False)
    server = ProcessServer(audit_server_pg, data_dir=tmp_path, migrate=False)
    central.url, central.process = server.url, server
    yield central
    server.stop()


def _local(store, mode: str = "production") -> list[tuple[int, str]]:
    return [(e["seq"], e["hash"]) for e in store.events_after(mode=mode, after_seq=0, limit=10**6)]


def test_server_killed_in_the_middle_of_a_batch(pg_central, audit_log):
    server = pg_central.process
    proxy = TcpProxy(("127.0.0.1", server.port))
    try:
        enroll(url=proxy.url, code=pg_central.code(), workstation_id=audit_log.workstation_id())
        append(audit_log, 1500)
        proxy.swallow_responses.set()  # the server stores the batch; its answer never comes back
        client = SyncClient(store=audit_log, batch_size=100, interval=3600)
        client.start()
        try:
            chain = audit_log.chain_workstation()
            wait_until(lambda: len(pg_central.stored(chain)) >= 100, what="a batch stored, unanswered")
            server.kill()  # SIGKILL while the client waits for its answer
            wait_until(lambda: client.status.last_error_code is not None, what="the client notices")
            proxy.swallow_responses.clear()
            server.start()
            client.sync_now()
            wait_until(lambda: client.status.pending == 0 and client.status.last_error_code is None, timeout=60,
                       what="resumed and finished")
        finally:
            client.stop()
    finally:
        proxy.stop()
    assert pg_central.stored(chain) == _local(audit_log)  # each event once, in order, same hashes


def test_connections_cut_at_random_points(pg_central, audit_log):
    rng = random.Random(2026)
    proxy = TcpProxy(("127.0.0.1", pg_central.process.port), cut_after=lambda: rng.randint(50, 60_000))
    try:
        enroll(url=proxy.url, code=pg_central.code(), workstation_id=audit_log.workstation_id())
        append(audit_log, 800)
        append(audit_log, 150, mode="practice")
        client = SyncClient(store=audit_log, batch_size=40, fetch_config=False)
        for _ in range(400):
            if client.run_once().pending == 0:
                break
    finally:
        proxy.stop()
    assert proxy.cuts >= 10
    chain = audit_log.chain_workstation()
    assert pg_central.stored(chain) == _local(audit_log)
    assert pg_central.stored(chain, "practice") == _local(audit_log, "practice")


def test_client_killed_mid_sync_and_restarted(pg_central, audit_log, kyso_home):
    from tests.app.sync.conftest import kyso

    proxy = TcpProxy(("127.0.0.1", pg_central.process.port))
    try:
        enroll(url=proxy.url, code=pg_central.code(), workstation_id=audit_log.workstation_id())
        append(audit_log, 1200)
        proxy.swallow_responses.set()
        env = {"KYSO_HOME": str(kyso_home), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        child = subprocess.Popen([sys.executable, "-m", "app.cli.main", "sync", "now"], cwd=ROOT,
                                 env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        chain = audit_log.chain_workstation()
        wait_until(lambda: len(pg_central.stored(chain)) >= 500, what="the first batch stored")
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        proxy.swallow_responses.clear()
        assert audit_log.acknowledged_seq(mode="production") == 0  # it died before any receipt was kept
        again = kyso("sync", "now", home=kyso_home)
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        proxy.stop()
    assert pg_central.stored(chain) == _local(audit_log)
    assert audit_log.acknowledged_seq(mode="production") == 1200


def test_two_server_processes_one_client_switching(pg_central, audit_log, tmp_path):
    """Stateless servers: a client moved between two processes on one PostgreSQL (as behind a
    load balancer), and two passes at once on the same chain through both."""
    first = pg_central.process
    (tmp_path / "second").mkdir()
    second = ProcessServer(pg_central.database_url, data_dir=tmp_path / "second", migrate=False)
    proxy = TcpProxy(("127.0.0.1", first.port))
    try:
        enroll(url=proxy.url, code=pg_central.code(), workstation_id=audit_log.workstation_id())
        client = SyncClient(store=audit_log, batch_size=70, fetch_config=False)
        for round_ in range(6):
            append(audit_log, 150)
            proxy.retarget(("127.0.0.1", (first if round_ % 2 == 0 else second).port))
            assert client.run_once().last_error_code is None
        append(audit_log, 400)
        assert _race(audit_log, urls=[first.url, second.url]) == [None, None]
        assert client.run_once().pending == 0
    finally:
        proxy.stop()
        second.stop()
    assert pg_central.stored(audit_log.chain_workstation()) == _local(audit_log)


def _race(store, *, urls: list[str]) -> list[str | None]:
    """One pass through each server process, started together: the chain's head row serialises them."""
    from app.sync.client import sync_once
    from app.sync.enrolment import Enrolment, load_enrolment

    base = load_enrolment()
    results: list[str | None] = [None] * len(urls)
    barrier = threading.Barrier(len(urls))

    def run(index: int) -> None:
        enrolment = Enrolment(**{**base.__dict__, "server_url": urls[index]})
        barrier.wait()
        try:
            sync_once(store, enrolment=enrolment, batch_size=50, fetch_config=False)
        except Exception as exc:  # noqa: BLE001 — recorded and judged by the caller
            results[index] = getattr(getattr(exc, "code", None), "value", repr(exc))

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(urls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_clock_skew_of_hours(pg_central):
    """Workstation clocks hours off: events are taken as they are, receipts carry the server's time."""
    from app.sync.receipts import verify_receipt
    from tests.support.audit_server import issue_code

    for hours in (-9, 7):
        ws = enrol(pg_central.url, issue_code(pg_central.url, pg_central.admin, pg_central.unit),
                   f"ws-skew-{hours + 20:02d}-{random.randrange(10**8):08d}")
        skewed = (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        events = sealed_chain(ws.workstation_id, count=5, at_utc=skewed)
        answer = HTTP.post(f"{pg_central.url}/api/v1/events", json={"events": events}, headers=ws.headers)
        assert answer.status_code == 200, answer.text
        receipt = verify_receipt(answer.json()["receipt"], public_key_b64=ws.server_key, chain=ws.workstation_id,
                                 mode="production")
        signed = datetime.fromisoformat(receipt["signed_at"])
        assert abs(signed - datetime.now(UTC)) < timedelta(minutes=5)  # the server's clock, not the client's
        assert len(pg_central.stored(ws.workstation_id)) == 5


def test_100000_events_from_50_workstations(pg_central):
    """Batches out of order, repeated and overlapping, from 50 workstations at once: exactly
    100,000 events stored, each once, every chain whole."""
    from tests.support.audit_server import issue_code

    workstations = [enrol(pg_central.url, issue_code(pg_central.url, pg_central.admin, pg_central.unit),
                          f"ws-bulk-{index:03d}-{random.randrange(10**8):08d}") for index in range(50)]
    chains = {ws.workstation_id: fast_chain(ws.workstation_id, count=2000) for ws in workstations}

    def send(ws) -> tuple[int, int]:
        rng = random.Random(ws.workstation_id)
        events = chains[ws.workstation_id]
        batches = [events[i:i + 500] for i in range(0, 2000, 500)]
        order = [batches[1], *batches, batches[2][100:], rng.choice(batches)[:200]]
        gaps = accepted = 0
        with httpx.Client(base_url=pg_central.url, headers=ws.headers, timeout=120) as http:
            for batch in order:
                answer = http.post("/api/v1/events", json={"events": batch})
                if answer.status_code == 409:
                    assert answer.json()["code"] == "SERVER_CHAIN_GAP"
                    gaps += 1
                else:
                    assert answer.status_code == 200, answer.text
                    accepted += answer.json()["accepted"]
        return gaps, accepted

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(send, workstations))
    assert sum(accepted for _, accepted in results) == 100_000
    assert all(gaps == 1 for gaps, _ in results)  # batch 2 first: told to start at 1
    engine = create_engine(pg_central.database_url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT chain, count(*), count(DISTINCT seq), min(seq), max(seq) FROM events "
            "WHERE workstation_id LIKE 'ws-bulk-%' AND unit_id = :u GROUP BY chain"), {"u": pg_central.unit}).all()
    engine.dispose()
    assert len(rows) == 50 and all(tuple(row[1:]) == (2000, 2000, 1, 2000) for row in rows)
    auditor = login(pg_central.url, pg_central.auditor_name)
    verdict = HTTP.get(f"{pg_central.url}/api/v1/workstations/{workstations[0].workstation_id}/verify",
                       headers=auditor).json()
    assert verdict["ok"] and verdict["chains"][0]["events"] == 2000
