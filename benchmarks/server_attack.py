"""The audit server under attack (issue 16): ingestion's latency while it is flooded.

    .venv/bin/python -m benchmarks.server_attack [--quick]
    (or: .venv/bin/python -m benchmarks.run_all --only server_attack)

One `kyso-server` process on PostgreSQL (a fresh database), the server's default limits (the
test suite's raised sign-in limits put back). Ten workstations each send one 500-event batch
a second (5,000 events/s offered — a quarter of the server's capacity, so the quiet figure is not
a queue; open loop, each on its keep-alive connection) for the length of each phase, and the
latency of every batch is taken at the client:

1. quiet — nothing else;
2. login flood, one address — 40 concurrent clients post wrong passwords to /api/v1/auth/login,
   200 attempts a second in all (the review's attack: 40 threads, each waiting ~0.2 s for its
   argon2 answer; paced here, since refused attempts are answered at once and an unpaced loop on
   this same machine would only measure the load generator taking the cores);
3. login flood, many addresses — the same, each attempt from another address and name
   (X-Forwarded-For through the trusted loopback proxy), so only the server-wide limit holds;
   the attackers run in a process of their own (forked), so the loop that times the batches is
   not also serving the flood;
4. one workstation flooding — an eleventh workstation sends its batches back to back.

Printed: batch latency p50 / p99 / max per phase, the flood's answers by status, the server's
resident memory peak. The target (issue 16): p99 during a flood within 2× of the quiet p99.
"""

from __future__ import annotations

import asyncio
import collections
import os
import secrets
import statistics
import sys
import time

from benchmarks.machine import CpuMeter
from benchmarks.server import WORK, _memory, _read_head, _request

WORKSTATIONS, SIZE = 10, 500
REAL_LIMITS = {"KYSO_SERVER_LOGIN_ATTEMPTS_PER_MINUTE": "10", "KYSO_SERVER_PASSWORD_CHECKS_PER_SECOND": "1",
               "KYSO_SERVER_KEEP_ALIVE_SECONDS": "30"}


def run(quick: bool) -> str:
    from server.migrate import upgrade
    from tests.support.audit_server import ProcessServer, enrol, issue_code, login, seed_accounts
    from tests.support.fast_chain import fast_chain
    from tests.support.postgres import temporary_database

    seconds = 8 if quick else 20
    load_before = os.getloadavg()
    WORK.mkdir(parents=True, exist_ok=True)
    with temporary_database() as url:
        upgrade(url)
        seed_accounts(url, units=("BENCH",), accounts={"bench-admin": ("administrator", None)})
        server = ProcessServer(url, data_dir=WORK, migrate=False, extra_env=REAL_LIMITS)
        try:
            admin = login(server.url, "bench-admin")
            enrolled = [enrol(server.url, issue_code(server.url, admin, "BENCH"), f"ws-atk-{i:02d}-{secrets.token_hex(3)}")
                        for i in range(WORKSTATIONS + 1)]
            rounds = 4 * seconds + 4
            chains = [fast_chain(ws.workstation_id, count=rounds * SIZE) for ws in enrolled]
            requests = [[_request(ws, chain[b * SIZE:(b + 1) * SIZE], port=server.port) for b in range(rounds)]
                        for ws, chain in zip(enrolled, chains, strict=True)]
            cursor = [0] * len(requests)
            phases, meters = {}, {}
            for name in ("quiet", "flood_one_address", "flood_many_addresses", "one_workstation_flooding"):
                meter = CpuMeter(database=url.rsplit("/", 1)[-1], pids=(os.getpid(), server.process.pid))
                phases[name] = asyncio.run(_phase(server.port, requests, cursor, seconds=seconds, attack=name))
                meters[name] = meter.others()
            peak = _memory(server.process.pid, field="VmHWM")
        finally:
            server.stop()
    return _report(phases, meters, peak=peak, seconds=seconds, load=(load_before, os.getloadavg()))


async def _phase(port: int, requests, cursor: list[int], *, seconds: int, attack: str) -> dict:
    latencies: list[float] = []
    answers: collections.Counter = collections.Counter()
    stop = time.perf_counter() + seconds
    paced = [asyncio.create_task(_paced(port, requests[i], cursor, i, latencies, stop=stop))
             for i in range(WORKSTATIONS)]
    attackers = []
    if attack.startswith("flood"):  # in a process of its own, as an attacker elsewhere would be
        attackers = [asyncio.create_task(_flood_elsewhere(port, answers, seconds=stop - time.perf_counter(),
                                                          many=attack == "flood_many_addresses"))]
    elif attack == "one_workstation_flooding":
        attackers = [asyncio.create_task(_flooding(port, requests[WORKSTATIONS], cursor, WORKSTATIONS, answers,
                                                   stop=stop))]
    await asyncio.gather(*paced, *attackers)
    latencies.sort()
    return {"batches": len(latencies), "p50": statistics.median(latencies),
            "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)], "max": latencies[-1], "answers": dict(answers)}


async def _paced(port, own, cursor, index, latencies, *, stop: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    origin = time.perf_counter() + index / WORKSTATIONS  # starts spread over the first second
    try:
        beat = 0
        while (due := origin + beat) < stop:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            start = time.perf_counter()
            writer.write(own[cursor[index]])
            await writer.drain()
            status, length = await _read_head(reader)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                raise RuntimeError(f"paced batch refused: HTTP {status}")
            cursor[index] += 1
            beat += 1
    finally:
        writer.close()


async def _flood_elsewhere(port: int, answers, *, seconds: float, many: bool) -> None:
    """The 40 attackers in another process (its event loop is not the one timing the batches)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    process = context.Process(target=_flood_process, args=(port, seconds, many, results))
    process.start()
    counted = await asyncio.get_running_loop().run_in_executor(None, results.get)
    process.join()
    answers.update(counted)


def _flood_process(port: int, seconds: float, many: bool, results) -> None:
    async def flood() -> collections.Counter:
        answers: collections.Counter = collections.Counter()
        stop = time.perf_counter() + seconds
        await asyncio.gather(*(_login_flood(port, answers, stop=stop, many=many, offset=i / 200) for i in range(40)))
        return answers

    results.put(dict(asyncio.run(flood())))


async def _login_flood(port: int, answers, *, stop: float, many: bool, offset: float) -> None:
    """One attacker: 5 attempts a second (40 of them: 200 a second), each on the same connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    origin, beat = time.perf_counter() + offset, 0
    try:
        while (due := origin + beat * 0.2) < stop and time.perf_counter() < stop:  # the phase's length, not its count
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            beat += 1
            body = b'{"username":"khach-' + secrets.token_hex(4).encode() + b'","password":"sai-mat-khau-123"}'
            forwarded = f"X-Forwarded-For: 198.51.{secrets.randbelow(256)}.{secrets.randbelow(256)}\r\n" if many else ""
            writer.write((f"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{forwarded}"
                          f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
            await writer.drain()
            status, length = await _read_head(reader)
            await reader.readexactly(length)
            answers[status] += 1
    finally:
        writer.close()


async def _flooding(port, own, cursor, index, answers, *, stop: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop and cursor[index] < len(own):
            writer.write(own[cursor[index]])
            await writer.drain()
            status, length = await _read_head(reader)
            await reader.readexactly(length)
            answers[status] += 1
            if status == 200:
                cursor[index] += 1
    finally:
        writer.close()


_TITLES = {"quiet": "quiet (10 workstations, one 500-event batch a second each)",
           "flood_one_address": "+ 40 clients offering 200 wrong sign-ins a second, from one address",
           "flood_many_addresses": "+ 40 clients offering 200 wrong sign-ins a second, each from another address",
           "one_workstation_flooding": "+ an 11th workstation sending its batches back to back"}


def _report(phases: dict, meters: dict, *, peak: float, seconds: int, load: tuple) -> str:
    quiet = phases["quiet"]["p99"]
    rows = "\n".join(
        f"| {_TITLES[name]} | {run['batches']} | {run['p50'] * 1000:.0f} / **{run['p99'] * 1000:.0f}** / "
        f"{run['max'] * 1000:.0f} ms | {run['p99'] / quiet:.2f}× | "
        f"{', '.join(f'{status}: {count:,}' for status, count in sorted(run['answers'].items())) or '—'} | "
        f"{meters[name] * 100:.0f} % |"
        for name, run in phases.items())
    worst = max(run["p99"] for name, run in phases.items() if name.startswith("flood")) / quiet
    return f"""## 6c. The audit server under attack — ingestion while flooded (issue 16)

One `kyso-server` process on PostgreSQL with its default limits; each phase {seconds} s; ten
workstations each offer one 500-event batch a second (open loop, keep-alive connections).

| phase | batches | batch latency p50 / p99 / max | p99 ÷ quiet p99 | flood's answers (HTTP status: count) | other processes (not the server, PostgreSQL or the load generator) |
|---|---:|---|---:|---|---:|
{rows}

Target: p99 during a sign-in flood within 2× of the quiet p99: **{'met' if worst <= 2 else 'not met'}** (worst {worst:.2f}×).
Machine load (1-minute average, `uptime`) before / after the run: {load[0][0]:.2f} / {load[1][0]:.2f} on
{os.cpu_count()} cores — a shared machine: each p99 is the worst of ~{phases['quiet']['batches']} batches and moves with what
others run meanwhile (their share is the last column); the tests prove the mechanism by counts
(tests/server/test_sign_in_load.py).
Server resident memory peak over the whole run: **{peak:.0f} MiB** (the review measured 1.74 GB
under 40 login threads before the limits). Sign-in answers 429 (per address / per name) or 503
(server-wide password checks) before any argon2 work beyond 1 a second, each refusal at the door
sent after the server's 1 s pause (`sign_in_refusal_delay_seconds`): the attackers wait for their
answers, as the review's threads did, so far fewer attempts are made than offered; a workstation beyond its
5 batches a second (after a burst of 10) or 1 in flight gets 429 with Retry-After.
"""


def main() -> None:
    print(run(quick="--quick" in sys.argv))


if __name__ == "__main__":
    main()
