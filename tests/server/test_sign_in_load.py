"""Issue 16, availability under a sign-in flood, proved with counts (house rule 3: no timed
assertions; benchmarks/server_attack.py prints the latency figures beside the quiet ones):

- the sign-in limits hold in total across two real server processes on one database
  (PostgreSQL and SQLite): per address, per name, and an unknown name's lock-out;
- during a bounded flood from many addresses, the argon2 checks the server begins stay within
  its server-wide budget, every ingestion batch is answered 200, and sign-ins waiting for a
  password check never exceed their small queue (they cannot take the threads ingestion needs).
"""

from __future__ import annotations

import math
import secrets
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.audit_server import (
    ADMIN_PASSWORD,
    HTTP,
    ProcessServer,
    ThreadServer,
    enrol,
    issue_code,
    login,
    sealed_chain,
    seed_accounts,
    wait_until,
)


def _attempt(url: str, username: str, *, address: str, password: str = "sai-mat-khau-123") -> int:
    answer = HTTP.post(f"{url}/api/v1/auth/login", json={"username": username, "password": password},
                       headers={"X-Forwarded-For": address})
    return answer.status_code


@pytest.fixture
def two_processes(own_db_url, tmp_path):
    """Two kyso-server processes on one database, 6 sign-in attempts a minute per address and per
    name, a name locked after 3 failures."""
    tag = secrets.token_hex(3)
    known = f"admin-two-{tag}"
    seed_accounts(own_db_url, units=(f"VKS-TWO-{tag}",), accounts={known: ("administrator", None)})
    env = {"KYSO_SERVER_LOGIN_ATTEMPTS_PER_MINUTE": "6", "KYSO_SERVER_LOCKOUT_FAILURES": "3"}
    servers = [ProcessServer(own_db_url, data_dir=tmp_path, migrate=False, extra_env=env) for _ in range(2)]
    yield [server.url for server in servers], known
    for server in servers:
        server.stop()


def test_sign_in_limits_hold_in_total_across_two_processes(two_processes):
    (first, second), known = two_processes
    # one address, alternating between the processes: 6 attempts in all, not 6 on each
    address = "203.0.113.7"
    answers = [_attempt((first, second)[i % 2], f"khach-{secrets.token_hex(4)}", address=address) for i in range(12)]
    assert answers == [401] * 6 + [429] * 6
    # one name from six addresses, alternating: the name's limit is shared too (right password)
    answers = [_attempt((first, second)[i % 2], known, address=f"203.0.113.{20 + i}", password=ADMIN_PASSWORD)
               for i in range(8)]
    assert answers == [200] * 6 + [429] * 2


def test_an_unknown_name_locks_out_across_processes_as_a_known_one_does(two_processes):
    (first, second), known = two_processes
    ghost = f"ghost-{secrets.token_hex(4)}"
    ghost_answers = [_attempt((first, second)[i % 2], ghost, address=f"198.51.100.{i + 1}") for i in range(5)]
    known_answers = [_attempt((first, second)[i % 2], known, address=f"198.51.100.{i + 50}") for i in range(5)]
    assert ghost_answers == known_answers == [401, 401, 401, 403, 403]


@pytest.fixture
def flood_server(own_db_url, tmp_path):
    """One server with the real server-wide budget of password checks (1 a second after 5); the
    per-address limits raised so that only that budget holds (a flood from many addresses)."""
    tag = secrets.token_hex(3)
    unit, name = f"VKS-FL-{tag}", f"admin-fl-{tag}"
    seed_accounts(own_db_url, units=(unit,), accounts={name: ("administrator", None)})
    server = ThreadServer(own_db_url, data_dir=tmp_path / "flood", password_checks_per_second=1)
    admin = login(server.url, name)
    workstations = [enrol(server.url, issue_code(server.url, admin, unit), f"ws-fl-{i}-{secrets.token_hex(3)}")
                    for i in range(3)]
    yield server, workstations
    server.stop()


def _flood(url: str, count: int) -> list[int]:
    with httpx.Client(timeout=60) as client:
        return [client.post(f"{url}/api/v1/auth/login",
                            json={"username": f"khach-{secrets.token_hex(4)}", "password": "sai-mat-khau-123"},
                            headers={"X-Forwarded-For": f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(256)}"}
                            ).status_code for _ in range(count)]


def _ingest(url: str, ws, *, batches: int, size: int) -> list[int]:
    chain = sealed_chain(ws.workstation_id, count=batches * size)
    with httpx.Client(timeout=60) as client:
        return [client.post(f"{url}/api/v1/events", json={"events": chain[b * size:(b + 1) * size]},
                            headers=ws.headers).status_code for b in range(batches)]


def test_a_flood_from_many_addresses_costs_its_budget_of_password_checks_and_no_batch(flood_server):
    server, workstations = flood_server
    guard = server.app.state.kyso.guard
    checks_before = guard.password_checks
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=24) as pool:
        floods = [pool.submit(_flood, server.url, 25) for _ in range(20)]  # 500 attempts, 20 at a time
        batches = [pool.submit(_ingest, server.url, ws, batches=8, size=50) for ws in workstations]
        flood_answers = [status for future in floods for status in future.result()]
        batch_answers = [status for future in batches for status in future.result()]
    elapsed = time.monotonic() - started
    checks = guard.password_checks - checks_before
    budget = 5 + math.ceil(elapsed)  # the burst, then 1 a second, whatever the machine's speed
    assert batch_answers == [200] * 24  # every batch answered, none refused because of the flood
    assert checks <= budget and checks >= 1
    assert set(flood_answers) <= {401, 503} and flood_answers.count(401) == checks
    assert flood_answers.count(503) >= 500 - budget
    assert guard.password_waiting_most <= guard.limits.password_queue


@pytest.fixture
def open_server(own_db_url, tmp_path):
    """A server whose sign-in rates are all raised (the test servers' limits): only the password
    checks' own bounds hold."""
    tag = secrets.token_hex(3)
    unit, name = f"VKS-OP-{tag}", f"admin-op-{tag}"
    seed_accounts(own_db_url, units=(unit,), accounts={name: ("administrator", None)})
    server = ThreadServer(own_db_url, data_dir=tmp_path / "open")
    admin = login(server.url, name)
    workstations = [enrol(server.url, issue_code(server.url, admin, unit), f"ws-op-{i}-{secrets.token_hex(3)}")
                    for i in range(3)]
    yield server, workstations
    server.stop()


def test_sign_ins_waiting_for_a_password_check_never_hold_ingestions_threads(open_server):
    """Every password slot taken (as by a slow argon2): of 60 sign-ins at once, only the few allowed
    to queue wait, the others are refused at once with 503, and ingestion goes on meanwhile —
    before, every one waited for the slot on a thread of the pool ingestion authenticates on."""
    server, workstations = open_server
    guard = server.app.state.kyso.guard
    queue = guard.limits.password_queue
    with guard.password_slot(), ThreadPoolExecutor(max_workers=64) as pool:  # the only slot, held by the test
        attempts = [pool.submit(_attempt, server.url, f"cho-{i}", address=f"192.0.2.{i}") for i in range(60)]
        wait_until(lambda: sum(1 for a in attempts if a.done()) >= 60 - queue, what="the refusals")
        assert guard.password_waiting == queue
        batches = [pool.submit(_ingest, server.url, ws, batches=3, size=20) for ws in workstations]
        answered = [status for future in batches for status in future.result()]  # while the slot is held
        refused = [a.result() for a in attempts if a.done()]
    assert answered == [200] * 9
    assert refused == [503] * (60 - queue)
    assert guard.password_waiting_most == queue
    assert {a.result() for a in attempts} <= {401, 503}  # the queued ones checked once the slot is free, or told to retry


def test_kyso_server_workers_share_the_sign_in_limits(own_db_url, tmp_path):
    """`kyso-server --workers 2` (KYSO_SERVER_WORKERS): two processes on one port, whichever takes
    each attempt, the address's 6 a minute hold in total."""
    from pathlib import Path

    server = ProcessServer(own_db_url, data_dir=tmp_path, migrate=False,
                           extra_env={"KYSO_SERVER_WORKERS": "2", "KYSO_SERVER_LOGIN_ATTEMPTS_PER_MINUTE": "6"})
    try:
        children = [c for task in Path(f"/proc/{server.process.pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
        serving = [pid for pid in children
                   if b"multiprocessing" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(serving) >= 2  # uvicorn's two workers (each with its password worker beneath it)
        with httpx.Client(timeout=60) as client:  # a fresh connection each time: the kernel picks the worker
            answers = []
            for _ in range(12):
                answer = client.post(f"{server.url}/api/v1/auth/login", headers={"X-Forwarded-For": "203.0.113.99",
                                                                               "Connection": "close"},
                                     json={"username": f"khach-{secrets.token_hex(4)}", "password": "sai-mat-khau-123"})
                answers.append(answer.status_code)
        assert answers == [401] * 6 + [429] * 6
    finally:
        server.stop()


def _password_workers(pid: int) -> list[int]:
    from pathlib import Path

    found = []
    children = [c for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    for child in children:  # (a child is listed under the thread that started it)
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("end", ["stop", "kill"])
def test_the_password_worker_ends_with_its_server(tmp_path, end):
    """Every stopped or killed server left its argon2 worker running, orphaned (found: ~100 after a
    test session): the worker now ends when its server process is gone."""
    from server.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'ends.sqlite3'}"
    upgrade(url)
    server = ProcessServer(url, data_dir=tmp_path, migrate=False)
    assert _attempt(server.url, "ai-do", address="192.0.2.77") == 401  # the worker is started by a check
    workers = _password_workers(server.process.pid)
    assert len(workers) == 1
    server.kill() if end == "kill" else server.stop()
    wait_until(lambda: not _alive(workers[0]), what="the password worker's end")


def _alive(pid: int) -> bool:
    from pathlib import Path

    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_refused_sign_ins_are_held_a_moment_a_bounded_number_at_once(own_db_url, tmp_path):
    """A refused sign-in is answered after `sign_in_refusal_delay_seconds` by a sleeping coroutine
    (no thread): an attacker waiting for its answers is slowed to a few attempts a second per
    connection. At most `held` wait at once; beyond, the refusal is sent at once."""
    server = ThreadServer(own_db_url, data_dir=tmp_path / "held", login_attempts_per_minute=1,
                          sign_in_refusal_delay_seconds=10)
    try:
        gate = server.app.gate
        gate.held_most_allowed = 4
        assert _attempt(server.url, "lan-dau", address="203.0.113.50") == 401  # its one attempt of the minute
        with ThreadPoolExecutor(max_workers=10) as pool:
            refused = [pool.submit(_attempt, server.url, f"lan-{i}", address="203.0.113.50") for i in range(10)]
            wait_until(lambda: sum(1 for r in refused if r.done()) >= 6, what="the refusals beyond the held ones")
            assert gate.held == 4  # four held, six answered at once
            answers = [r.result() for r in refused]
        assert answers == [429] * 10 and gate.held == 0
    finally:
        server.stop()
