"""The central audit server under load, side by side with its floor (issue 7).

    .venv/bin/python -m benchmarks.run_all --only server [--quick]

1. Ingestion: 100 simulated workstations on loopback, each on its own keep-alive connection,
   send their chains in 1,000-event batches to one `kyso-server` process on PostgreSQL (a fresh
   database). The requests are built before the clock starts and sent by a minimal asyncio HTTP
   client so the load generator takes as little of the machine's two cores as it can.
   Sustained events/s = events stored / wall time; latency per batch measured at the client.
   Floor: PostgreSQL COPY of the very same rows (as the server builds them) into the same table
   with the same indexes, one connection, same machine, same run.
2. Export: N events (made in the database with generate_series) exported as CSV through
   GET /api/v1/events/export by a fresh server process: wall time, and that process's peak
   resident memory (VmHWM) against its resident memory before the export.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "work" / "server"


def run(quick: bool) -> str:
    from tests.support.postgres import temporary_database

    WORK.mkdir(parents=True, exist_ok=True)
    workstations, batches, size = (100, 2, 1000) if quick else (100, 6, 1000)
    export_rows = 200_000 if quick else 1_000_000
    with temporary_database() as url:
        ingest = _ingestion(url, workstations=workstations, batches=batches, size=size)
    with temporary_database() as url:
        floor = _copy_floor(url, ingest["rows"])
    with temporary_database() as url:
        export = _export(url, rows=export_rows)
    return _report(ingest, floor, export, workstations=workstations, batches=batches, size=size)


# -- ingestion ---------------------------------------------------------------------------------

def _ingestion(url: str, *, workstations: int, batches: int, size: int) -> dict:
    from server.migrate import upgrade
    from tests.support.audit_server import ProcessServer, enrol, issue_code, login, seed_accounts
    from tests.support.fast_chain import fast_chain

    upgrade(url)
    seed_accounts(url, units=("BENCH",), accounts={"bench-admin": ("administrator", None)})
    server = ProcessServer(url, data_dir=WORK, migrate=False)
    try:
        admin = login(server.url, "bench-admin")
        enrolled = [enrol(server.url, issue_code(server.url, admin, "BENCH"), f"ws-bench-{i:04d}-{secrets.token_hex(4)}")
                    for i in range(workstations)]
        chains = [fast_chain(ws.workstation_id, count=batches * size) for ws in enrolled]
        requests = [[_request(ws, chain[b * size:(b + 1) * size], port=server.port) for b in range(batches)]
                    for ws, chain in zip(enrolled, chains, strict=True)]
        started = time.perf_counter()
        latencies = asyncio.run(_send_all(server.port, requests))
        elapsed = time.perf_counter() - started
        stored = _count(url)
    finally:
        server.stop()
    from server.db import now_utc
    from server.services.ingest import event_row

    received = now_utc()
    rows = [event_row(event, workstation_id=event["workstation"], unit_id="BENCH", received_at=received)
            for chain in chains for event in chain]
    latencies.sort()
    return {"events": stored, "seconds": elapsed, "rate": stored / elapsed, "rows": rows,
            "p50": statistics.median(latencies), "p99": latencies[int(len(latencies) * 0.99) - 1],
            "max": latencies[-1], "expected": workstations * batches * size}


def _request(ws, events: list[dict], *, port: int) -> bytes:
    import orjson

    body = orjson.dumps({"events": events})
    head = (f"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {ws.credential}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    return head + body


async def _send_all(port: int, requests: list[list[bytes]]) -> list[float]:
    latencies: list[float] = []
    await asyncio.gather(*(_workstation(port, own, latencies) for own in requests))
    return latencies


async def _workstation(port: int, own: list[bytes], latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for request in own:
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
    from server.services.ingest import COLUMNS

    upgrade(url)
    with psycopg.connect(_dsn(url)) as connection:
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(f"COPY events ({', '.join(COLUMNS)}) FROM STDIN") as copy:
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
        before = _memory(server.process.pid)
        started = time.perf_counter()
        size = 0
        with httpx.stream("GET", f"{server.url}/api/v1/events/export", params={"format": "csv"}, headers=headers,
                          timeout=600) as response:
            for chunk in response.iter_bytes():
                size += len(chunk)
        elapsed = time.perf_counter() - started
        peak = _memory(server.process.pid, field="VmHWM")
    finally:
        server.stop()
    return {"rows": rows, "seconds": elapsed, "mib": size / 2**20, "before": before, "peak": peak}


def _memory(pid: int, *, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- the section -------------------------------------------------------------------------------

def _report(ingest: dict, floor: dict, export: dict, *, workstations: int, batches: int, size: int) -> str:
    rate_ok = ingest["rate"] >= 20_000
    p99_ok = ingest["p99"] <= 0.250
    export_ok = export["seconds"] <= 15 and export["peak"] <= 200
    exact = "yes" if ingest["events"] == ingest["expected"] else f"NO ({ingest['events']} of {ingest['expected']})"
    return f"""## 6. Central audit server — {workstations} workstations × {batches} batches of {size:,} events, one `kyso-server` process on PostgreSQL

| | events | time | events/s | batch latency p50 / p99 / max |
|---|---:|---:|---:|---|
| `POST /api/v1/events` (auth, shape, every hash, chain check, COPY, Ed25519 receipt) | {ingest['events']:,} | {ingest['seconds']:.2f} s | **{ingest['rate']:,.0f}** | {ingest['p50'] * 1000:.0f} / **{ingest['p99'] * 1000:.0f}** / {ingest['max'] * 1000:.0f} ms |
| floor: PostgreSQL `COPY` of the same rows, one connection | {floor['events']:,} | {floor['seconds']:.2f} s | {floor['rate']:,.0f} | — |

Every event stored exactly once: **{exact}**. Targets ≥ 20,000 events/s: **{'met' if rate_ok else 'not met'}**
({ingest['rate'] / floor['rate']:.2f}× the COPY floor); p99 ≤ 250 ms: **{'met' if p99_ok else 'not met'}**.
The load generator (a minimal asyncio HTTP client, requests built beforehand), the server and
PostgreSQL share the machine's two cores.

| export | events | time | CSV size | server memory before → peak |
|---|---:|---:|---:|---:|
| `GET /api/v1/events/export?format=csv` (streamed, server-side cursor) | {export['rows']:,} | **{export['seconds']:.1f} s** | {export['mib']:.0f} MiB | {export['before']:.0f} → **{export['peak']:.0f} MiB** |

Targets ≤ 15 s and ≤ 200 MiB: **{'met' if export_ok else 'not met'}**.
"""
