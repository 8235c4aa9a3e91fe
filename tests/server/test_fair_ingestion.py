"""Issue 16, fair ingestion between workstations, proved with counts (no clock): the queue gives
freed slots round robin between workstations, bounds its waiting batches and their bytes with a
retryable 503, and forgets a batch whose request went away; live, one workstation firing batches
at once cannot take another's turns (PostgreSQL and SQLite)."""

from __future__ import annotations

import asyncio
import secrets
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from server.errors import ServerError, ServerErrorCode
from server.guard import IngestQueue
from tests.support.audit_server import HTTP, ThreadServer, enrol, issue_code, login, sealed_chain, seed_accounts


async def _batch(queue: IngestQueue, workstation: str, order: list[str], release: asyncio.Event, *, size: int = 10):
    async with queue.admit(workstation=workstation, size=size) as turn:
        await turn.ready()
        order.append(workstation)
        await release.wait()


def test_freed_slots_go_round_robin_between_workstations():
    async def scenario() -> list[str]:
        queue = IngestQueue(slots=1, max_waiting=100, max_bytes=10_000)
        order: list[str] = []
        gates = {}
        tasks = []
        for index, workstation in enumerate(["busy"] * 10 + ["quiet"] * 2):  # "busy" queued all ten first
            gates[index] = asyncio.Event()
            tasks.append(asyncio.create_task(_batch(queue, workstation, order, gates[index])))
            await asyncio.sleep(0)  # each admitted in this order
        for index in range(12):  # let each granted batch finish, one at a time
            while len(order) <= index:
                await asyncio.sleep(0)
            gates[_first_granted(order, index, gates)].set()
        await asyncio.gather(*tasks)
        assert queue.granted == {"busy": 10, "quiet": 2} and queue.waiting == 0
        return order

    order = asyncio.run(scenario())
    # the quiet workstation's batches are taken every other turn, not after the busy one's ten
    assert order[:5] == ["busy", "busy", "quiet", "busy", "quiet"]
    assert order.count("busy") == 10


def _first_granted(order, index, gates):
    """The gate of the batch granted `index`-th: batches of one workstation run in their order."""
    workstation = order[index]
    nth = order[: index + 1].count(workstation) - 1
    mine = [i for i in gates if (i < 10) == (workstation == "busy")]
    return mine[nth]


def test_waiting_is_bounded_in_batches_and_bytes_with_a_retryable_answer():
    async def scenario() -> tuple[ServerError, ServerError, int]:
        queue = IngestQueue(slots=1, max_waiting=3, max_bytes=1_000)
        release = asyncio.Event()
        order: list[str] = []
        tasks = [asyncio.create_task(_batch(queue, f"ws-{i}", order, release)) for i in range(4)]
        await asyncio.sleep(0)
        assert queue.waiting == 3  # one working, three waiting
        with pytest.raises(ServerError) as full:
            queue.admit(workstation="ws-late", size=10)
        with pytest.raises(ServerError) as heavy:
            IngestQueue(slots=1, max_waiting=100, max_bytes=1_000).admit(workstation="ws-big", size=1_001)
        tasks[-1].cancel()  # a waiting request goes away: its place is free again
        await asyncio.gather(tasks[-1], return_exceptions=True)
        refused = queue.refused
        release.set()
        await asyncio.gather(*tasks[:-1])
        assert queue.waiting == 0 and order == ["ws-0", "ws-1", "ws-2"]
        return full.value, heavy.value, refused

    full, heavy, refused = asyncio.run(scenario())
    for error in (full, heavy):
        assert (error.code, error.status, error.extra["retry_after"]) == (ServerErrorCode.BUSY, 503, 1)
    assert refused == 1


@pytest.fixture
def fair_server(db_url, tmp_path):
    tag = secrets.token_hex(3)
    unit, name = f"VKS-FAIR-{tag}", f"admin-fair-{tag}"
    seed_accounts(db_url, units=(unit,), accounts={name: ("administrator", None)})
    server = ThreadServer(db_url, data_dir=tmp_path / "fair", ingest_concurrency=1, ingest_in_flight=3, ingest_queue=8)
    admin = login(server.url, name)
    busy, quiet = (enrol(server.url, issue_code(server.url, admin, unit), f"ws-{kind}-{secrets.token_hex(3)}")
                   for kind in ("busy", "quiet"))
    yield server, busy, quiet
    server.stop()


def test_a_workstation_firing_batches_at_once_does_not_take_anothers_turns(fair_server):
    server, busy, quiet = fair_server
    chain = sealed_chain(busy.workstation_id, count=200)

    def fire(index: int) -> httpx.Response:  # 40 copies of its first batch (duplicates once stored), all at once
        return HTTP.post(f"{server.url}/api/v1/events", json={"events": chain}, headers=busy.headers)

    quiet_chain = sealed_chain(quiet.workstation_id, count=50)
    with ThreadPoolExecutor(max_workers=40) as pool:
        fired = [pool.submit(fire, i) for i in range(40)]
        quiet_answers = [HTTP.post(f"{server.url}/api/v1/events", json={"events": quiet_chain[b * 10:(b + 1) * 10]},
                                   headers=quiet.headers).status_code for b in range(5)]
        busy_answers = [future.result() for future in fired]
    assert quiet_answers == [200] * 5  # every one of the quiet workstation's batches taken
    statuses = [answer.status_code for answer in busy_answers]
    assert set(statuses) <= {200, 429} and 200 in statuses
    refused = [answer for answer in busy_answers if answer.status_code == 429]
    assert refused and all(int(answer.headers["Retry-After"]) >= 1 for answer in refused)
    assert refused[0].json()["code"] == "SERVER_RATE_LIMITED"
    queue = server.app.state.kyso.ingest_queue
    assert queue.granted[quiet.workstation_id] == 5 and queue.granted[busy.workstation_id] == statuses.count(200)
