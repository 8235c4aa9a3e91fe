"""The central audit server under load, side by side with its floor (issue 7).

    .venv/bin/python -m benchmarks.run_all --only server [--quick]

1. Ingestion: 100 simulated workstations on loopback, each on its own keep-alive connection,
   send their chains in 1,000-event batches to one `kyso-server` process on PostgreSQL (a fresh
   database). The requests are built before the clock starts and sent by a minimal asyncio HTTP
   client so the load generator takes as little of the machine's two cores as it can.
   Sustained events/s = events stored / wall time, all workstations sending back to back; then
   latency per batch (measured at the client) with the load offered at the target rate. Floor:
   PostgreSQL binary COPY (as the server does it) of the very same rows into the same table
   with the same indexes, one connection, same machine, same run. The machine is shared: the CPU
   other processes take meanwhile is measured and reported, and ingestion measured again (up to
   three times) while it is more than 15 % — the choice is on that figure, never on the result.
   Then, beside the target's setup, the same load on two server processes on the one database.
2. Export: N events (made in the database with generate_series) exported as CSV through
   GET /api/v1/events/export by a fresh server process: wall time, and that process's peak
   resident memory (VmHWM) against its resident memory before the export.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import time
from pathlib import Path

import httpx
import psycopg

from benchmarks.machine import CpuMeter

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATE = 20_000
ATTEMPTS, QUIET = 3, 0.15  # ingestion measured up to 3 times, until other processes take ≤ 15 % of the machine
WORK = ROOT / "benchmarks" / "work" / "server"


def run(quick: bool) -> str:
    from tests.support.postgres import temporary_database

    WORK.mkdir(parents=True, exist_ok=True)
    workstations, batches, size = (100, 2, 1000) if quick else (100, 4, 1000)
    paced_rounds = 2 if quick else 4
    export_rows = 200_000 if quick else 1_000_000
    attempts = []
    for _ in range(ATTEMPTS):  # the machine is shared: measure again while others load it (never on our result)
        with temporary_database() as url:
            attempts.append(_ingestion(url, workstations=workstations, batches=batches, size=size,
                                       paced_rounds=paced_rounds))
        best = min(attempts, key=_interference)
        for other in attempts:
            if other is not best:
                other.pop("chains", None)  # hundreds of MB each: keep only the events the floor needs
        if _interference(best) <= QUIET:
            break
    ingest = best
    ingest["attempts"] = len(attempts)
    with temporary_database() as url:
        two = _ingestion(url, workstations=workstations, batches=batches, size=size, paced_rounds=paced_rounds,
                         processes=2)
        two.pop("chains")
    with temporary_database() as url:
        floor = _copy_floor(url, _rows(ingest.pop("chains")))
    with temporary_database() as url:
        export = _export(url, rows=export_rows)
    return (_report(ingest, two, floor, export, workstations=workstations, batches=batches, size=size)
            + f"\nMachine load (1-minute average, `uptime`) at the end of the run: {os.getloadavg()[0]:.2f} on "
              f"{os.cpu_count()} cores.\n")


def _interference(ingest: dict) -> float:
    return max(ingest["others"], ingest["paced_others"])


# -- ingestion ---------------------------------------------------------------------------------

def _ingestion(url: str, *, workstations: int, batches: int, size: int, paced_rounds: int,
               processes: int = 1) -> dict:
    """Saturation then paced load; with `processes` > 1, that many kyso-server processes on the one
    database, each workstation talking to one of them (as behind a load balancer)."""
    from server.migrate import upgrade
    from tests.support.audit_server import ProcessServer, seed_accounts

    upgrade(url)
    seed_accounts(url, units=("BENCH",), accounts={"bench-admin": ("administrator", None)})
    # paced workstations send every 5 s: keep their connections open longer than that
    # the server's default ingestion limits (the test servers' raised sign-in/enrolment limits only
    # let the 100 workstations enrol from one address)
    env = {"KYSO_SERVER_KEEP_ALIVE_SECONDS": "30", "KYSO_SERVER_INGEST_BATCHES_PER_SECOND": "5",
           "KYSO_SERVER_INGEST_IN_FLIGHT": "1"}
    servers = [ProcessServer(url, data_dir=WORK, migrate=False, extra_env=env) for _ in range(processes)]
    try:
        chains, requests, ports = _prepared(servers, workstations=workstations, size=size,
                                            total=batches + paced_rounds)
        pids = (os.getpid(), *(server.process.pid for server in servers))
        meter = CpuMeter(database=url.rsplit("/", 1)[-1], pids=pids)
        started = time.perf_counter()
        latencies = asyncio.run(_send_all(ports, [own[:batches] for own in requests]))
        elapsed = time.perf_counter() - started
        others = meter.others()
        period = workstations * size / TARGET_RATE  # each workstation's pace for 20,000 events/s in all
        paced_meter = CpuMeter(database=url.rsplit("/", 1)[-1], pids=pids)
        paced_started = time.perf_counter()
        paced = asyncio.run(_send_all(ports, [own[batches:] for own in requests], period=period))
        paced_elapsed = time.perf_counter() - paced_started
        paced_others = paced_meter.others()
        stored = _count(url)
    finally:
        for server in servers:
            server.stop()
    events, paced_events = workstations * batches * size, workstations * paced_rounds * size
    return {"others": others, "paced_others": paced_others, "events": events, "seconds": elapsed,
            "rate": events / elapsed, **_percentiles(latencies), "paced": _percentiles(paced),
            "paced_events": paced_events, "paced_rate": paced_events / paced_elapsed, "stored": stored,
            "expected": events + paced_events, "chains": [chain[:batches * size] for chain in chains]}


def _prepared(servers: list, *, workstations: int, size: int, total: int) -> tuple[list, list, list]:
    """Enrolled workstations' chains, their requests built beforehand, and each one's server port."""
    from tests.support.audit_server import enrol, issue_code, login
    from tests.support.fast_chain import fast_chain

    first = servers[0]
    admin = login(first.url, "bench-admin")
    enrolled = [enrol(first.url, issue_code(first.url, admin, "BENCH"), f"ws-bench-{i:04d}-{secrets.token_hex(4)}")
                for i in range(workstations)]
    ports = [servers[index % len(servers)].port for index in range(workstations)]
    chains = [fast_chain(ws.workstation_id, count=total * size) for ws in enrolled]
    requests = [[_request(ws, chain[b * size:(b + 1) * size], port=port) for b in range(total)]
                for ws, chain, port in zip(enrolled, chains, ports, strict=True)]
    return chains, requests, ports


def _rows(chains: list[list[dict]]) -> list[tuple]:
    """The rows the server made of these events (for the COPY floor)."""
    from server.db import now_utc
    from server.services.ingest import event_row

    received = now_utc()
    return [event_row(event, workstation_id=event["workstation"], unit_id="BENCH", received_at=received)
            for chain in chains for event in chain]


def _percentiles(latencies: list[float]) -> dict:
    latencies = sorted(latencies)
    return {"p50": statistics.median(latencies), "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)],
            "max": latencies[-1]}


def _request(ws, events: list[dict], *, port: int) -> bytes:
    import orjson

    body = orjson.dumps({"events": events})
    head = (f"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {ws.credential}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    return head + body


async def _send_all(ports: list[int], requests: list[list[bytes]], *, period: float | None = None) -> list[float]:
    """Every workstation at once: back to back (period None), or one batch every `period`
    seconds each, the workstations' starts spread evenly over the first period (open loop)."""
    latencies: list[float] = []
    origin = time.perf_counter()
    await asyncio.gather(*(_workstation(port, own, latencies, origin=origin, period=period,
                                        offset=index * (period or 0) / len(requests))
                           for index, (port, own) in enumerate(zip(ports, requests, strict=True))))
    return latencies


async def _workstation(port: int, own: list[bytes], latencies: list[float], *, origin: float, period: float | None,
                       offset: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for index, request in enumerate(own):
            if period is not None:
                await asyncio.sleep(max(0.0, origin + offset + index * period - time.perf_counter()))
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status, length = await _read_head(reader)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                raise RuntimeError(f"batch refused: HTTP {status}")
    finally:
        writer.close()


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, int]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    return int(lines[0].split(" ")[1]), length


def _count(url: str) -> int:
    with psycopg.connect(_dsn(url)) as connection:
        return connection.execute("SELECT count(*) FROM events").fetchone()[0]


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# -- the floor ---------------------------------------------------------------------------------

def _copy_floor(url: str, rows: list[tuple]) -> dict:
    from server.migrate import upgrade
    from server.services.ingest import COPY_EVENTS, COPY_TYPES

    upgrade(url)
    with psycopg.connect(_dsn(url)) as connection:
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(COPY_EVENTS) as copy:
            copy.set_types(COPY_TYPES)
            for row in rows:
                copy.write_row(row)
        connection.commit()
        elapsed = time.perf_counter() - started
    return {"events": len(rows), "seconds": elapsed, "rate": len(rows) / elapsed}


# -- export ------------------------------------------------------------------------------------

_FILL = """
INSERT INTO events (workstation_id, chain, unit_id, mode, seq, v, prev_hash, hash, type, outcome, document_type,
                    at_utc, at_utc_text, at_local, os_user, user_name, user_role, app_version, data, received_at)
SELECT 'ws-export-' || (g % 100), 'ws-export-' || (g % 100), 'BENCH', 'production', g / 100 + 1, 1,
       md5(g::text) || md5((g + 1)::text), md5((g + 2)::text) || md5((g + 3)::text), 'sign.succeeded', 'ok',
       'quyet-dinh', now() - make_interval(secs => g), to_char(now(), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       to_char(now(), 'YYYY-MM-DD"T"HH24:MI:SS.US"+07:00"'), 'canbo', 'Nguyễn Văn An', 'kiem-sat-vien', '0.1.0',
       '{"document":"quyet-dinh-' || g || '.pdf","outcome":"ok","input_sha256":"' || md5(g::text) || '"}', now()
FROM generate_series(1, {rows}) AS g
"""


def _export(url: str, *, rows: int) -> dict:
    from server.migrate import upgrade
    from tests.support.audit_server import ProcessServer, login, seed_accounts

    upgrade(url)
    seed_accounts(url, units=("BENCH",), accounts={"bench-auditor": ("auditor", None)})
    with psycopg.connect(_dsn(url)) as connection:
        connection.execute(_FILL.replace("{rows}", str(rows)))
        connection.commit()
        connection.execute("ANALYZE events")
    server = ProcessServer(url, data_dir=WORK, migrate=False)
    try:
        headers = login(server.url, "bench-auditor")
        measured = measured_download(server, "/api/v1/events/export", params={"format": "csv"}, headers=headers)
    finally:
        server.stop()
    return {"rows": rows, **measured}


def measured_download(server, path: str, *, params: dict, headers: dict, reset_peak: bool = False) -> dict:
    """Wall time and size of one streamed answer, and the server process's resident memory before
    and at its peak (VmHWM; with `reset_peak`, the peak counts from the request on)."""
    before = _memory(server.process.pid)
    if reset_peak:
        Path(f"/proc/{server.process.pid}/clear_refs").write_text("5")
    started = time.perf_counter()
    size = 0
    with httpx.stream("GET", f"{server.url}{path}", params=params, headers=headers, timeout=600) as response:
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code} {response.read()[:300]!r}")
        for chunk in response.iter_raw(1 << 20):
            size += len(chunk)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "mib": size / 2**20, "before": before, "peak": _memory(server.process.pid, field="VmHWM")}


def _memory(pid: int, *, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- the section -------------------------------------------------------------------------------

def ingest_period(workstations: int, size: int) -> float:
    return workstations * size / TARGET_RATE


def _report(ingest: dict, two: dict, floor: dict, export: dict, *, workstations: int, batches: int,
            size: int) -> str:
    rate_ok = ingest["rate"] >= TARGET_RATE
    p99_ok = ingest["paced"]["p99"] <= 0.250
    export_ok = export["seconds"] <= 15 and export["peak"] <= 200
    exact = all(run["stored"] == run["expected"] for run in (ingest, two))
    period = ingest_period(workstations, size)
    return f"""## 6. Central audit server — {workstations} workstations × {batches} batches of {size:,} events, one `kyso-server` process on PostgreSQL

| | events | time | events/s | batch latency p50 / p99 / max |
|---|---:|---:|---:|---|
| `POST /api/v1/events`, all workstations back to back (saturation) | {ingest['events']:,} | {ingest['seconds']:.2f} s | **{ingest['rate']:,.0f}** | {_latency(ingest)} |
| `POST /api/v1/events`, offered at {TARGET_RATE:,} events/s (each workstation one batch every {period:.0f} s) | {ingest['paced_events']:,} | — | {ingest['paced_rate']:,.0f} | {_latency(ingest['paced'], bold=True)} |
| floor: PostgreSQL binary `COPY` of the same rows (saturation phase), one connection, one transaction | {floor['events']:,} | {floor['seconds']:.2f} s | {floor['rate']:,.0f} | — |
| *not the target's setup:* two `kyso-server` processes on the same database, saturation | {two['events']:,} | {two['seconds']:.2f} s | {two['rate']:,.0f} | {_latency(two)} |
| *not the target's setup:* two processes, offered at {TARGET_RATE:,} events/s | {two['paced_events']:,} | — | {two['paced_rate']:,.0f} | {_latency(two['paced'])} |

Each request: authentication, shape and hash of every event, chain check under the chain's row
lock, binary COPY, commit, Ed25519 receipt; the server's default settings (two batches worked on at
once, `ingest_concurrency`). Every event stored exactly once, in every run: **{'yes' if exact else 'NO'}**.
Target ≥ {TARGET_RATE:,} events/s sustained by one process: **{'met' if rate_ok else 'not met'}** ({ingest['rate'] / floor['rate']:.2f}× the
COPY floor); p99 ≤ 250 ms at that rate: **{'met' if p99_ok else 'not met'}**. At saturation, latency is the
queue of {workstations} batches in flight, not the work of one. One process works on one core at a time
(Python's interpreter lock); the second process shows what the stateless design buys on the same
two cores. The load generator (a minimal asyncio HTTP client, requests built beforehand), the
server and PostgreSQL share the machine's two cores; other processes took
{ingest['others'] * 100:.0f} % of the machine during the saturation phase and {ingest['paced_others'] * 100:.0f} % during the paced one
(one process: measured {ingest['attempts']} time(s), again while others took more than {QUIET * 100:.0f} %, up to {ATTEMPTS}; the
least disturbed measurement is shown), {two['others'] * 100:.0f} % and {two['paced_others'] * 100:.0f} % for the two processes.

| export | events | time | CSV size | server memory before → peak |
|---|---:|---:|---:|---:|
| `GET /api/v1/events/export?format=csv` (streamed, server-side cursor) | {export['rows']:,} | **{export['seconds']:.1f} s** | {export['mib']:.0f} MiB | {export['before']:.0f} → **{export['peak']:.0f} MiB** |

Targets ≤ 15 s and ≤ 200 MiB: **{'met' if export_ok else 'not met'}**.
"""


def _latency(run: dict, *, bold: bool = False) -> str:
    p99 = f"{run['p99'] * 1000:.0f}"
    return f"{run['p50'] * 1000:.0f} / {f'**{p99}**' if bold else p99} / {run['max'] * 1000:.0f} ms"
