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
                other.pop("rows", None)  # ~1 GB each: keep only the rows the floor may need
        if _interference(best) <= QUIET:
            break
    ingest = best
    ingest["attempts"] = len(attempts)
    with temporary_database() as url:
        floor = _copy_floor(url, ingest["rows"])
    with temporary_database() as url:
        export = _export(url, rows=export_rows)
    return _report(ingest, floor, export, workstations=workstations, batches=batches, size=size)


def _interference(ingest: dict) -> float:
    return max(ingest["others"], ingest["paced_others"])


# -- ingestion ---------------------------------------------------------------------------------

def _ingestion(url: str, *, workstations: int, batches: int, size: int, paced_rounds: int) -> dict:
    from server.migrate import upgrade
    from tests.support.audit_server import ProcessServer, enrol, issue_code, login, seed_accounts
    from tests.support.fast_chain import fast_chain

    upgrade(url)
    seed_accounts(url, units=("BENCH",), accounts={"bench-admin": ("administrator", None)})
    # paced workstations send every 5 s: keep their connections open longer than that
    server = ProcessServer(url, data_dir=WORK, migrate=False, extra_env={"KYSO_SERVER_KEEP_ALIVE_SECONDS": "30"})
    try:
        admin = login(server.url, "bench-admin")
        enrolled = [enrol(server.url, issue_code(server.url, admin, "BENCH"), f"ws-bench-{i:04d}-{secrets.token_hex(4)}")
                    for i in range(workstations)]
        total = batches + paced_rounds
        chains = [fast_chain(ws.workstation_id, count=total * size) for ws in enrolled]
        requests = [[_request(ws, chain[b * size:(b + 1) * size], port=server.port) for b in range(total)]
                    for ws, chain in zip(enrolled, chains, strict=True)]
        meter = CpuMeter(database=url.rsplit("/", 1)[-1], pids=(os.getpid(), server.process.pid))
        started = time.perf_counter()
        latencies = asyncio.run(_send_all(server.port, [own[:batches] for own in requests]))
        elapsed = time.perf_counter() - started
        others = meter.others()
        period = workstations * size / TARGET_RATE  # each workstation's pace for 20,000 events/s in all
        paced_meter = CpuMeter(database=url.rsplit("/", 1)[-1], pids=(os.getpid(), server.process.pid))
        paced_started = time.perf_counter()
        paced = asyncio.run(_send_all(server.port, [own[batches:] for own in requests], period=period))
        paced_elapsed = time.perf_counter() - paced_started
        paced_others = paced_meter.others()
        stored = _count(url)
    finally:
        server.stop()
    from server.db import now_utc
    from server.services.ingest import event_row

    received = now_utc()
    rows = [event_row(event, workstation_id=event["workstation"], unit_id="BENCH", received_at=received)
            for chain in chains for event in chain[:batches * size]]
    saturated, offered = _percentiles(latencies), _percentiles(paced)
    return {"others": others, "paced_others": paced_others, "events": workstations * batches * size, "seconds": elapsed, "rate": workstations * batches * size / elapsed,
            "rows": rows, **saturated, "paced": offered, "paced_events": workstations * paced_rounds * size,
            "paced_rate": workstations * paced_rounds * size / paced_elapsed, "stored": stored,
            "expected": workstations * total * size}


class CpuMeter:
    """How much of the machine other processes took while we measured (the machine is shared):
    all busy CPU time less ours — this process, the server, and PostgreSQL's processes except
    client backends of other databases."""

    def __init__(self, *, database: str, pids: tuple[int, ...]) -> None:
        self.database, self.pids = database, pids
        self.start_busy, self.start_ours, self.started = _busy_ticks(), self._ours(), time.perf_counter()

    def others(self) -> float:
        """Share of the whole machine (all cores) used by other processes since the start."""
        elapsed = time.perf_counter() - self.started
        theirs = (_busy_ticks() - self.start_busy) - (self._ours() - self.start_ours)
        return max(0.0, theirs / os.sysconf("SC_CLK_TCK") / (elapsed * os.cpu_count()))

    def _ours(self) -> int:
        ticks = sum(_ticks(pid) for pid in self.pids)
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and _is_ours(entry, self.database):
                ticks += _ticks(int(entry.name))
        return ticks


def _is_ours(entry: Path, database: str) -> bool:
    try:
        if (entry / "comm").read_text().strip() != "postgres":
            return False
        command = (entry / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return database in command or "(" not in command  # a background process, or a backend of ours


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _busy_ticks() -> int:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values[:8]) - values[3] - values[4]  # user … steal, less idle and iowait (guest is in user)


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


async def _send_all(port: int, requests: list[list[bytes]], *, period: float | None = None) -> list[float]:
    """Every workstation at once: back to back (period None), or one batch every `period`
    seconds each, the workstations' starts spread evenly over the first period (open loop)."""
    latencies: list[float] = []
    origin = time.perf_counter()
    await asyncio.gather(*(_workstation(port, own, latencies, origin=origin, period=period,
                                        offset=index * (period or 0) / len(requests))
                           for index, own in enumerate(requests)))
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
        before = _memory(server.process.pid)
        started = time.perf_counter()
        size = 0
        with httpx.stream("GET", f"{server.url}/api/v1/events/export", params={"format": "csv"}, headers=headers,
                          timeout=600) as response:
            for chunk in response.iter_raw(1 << 20):
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

def ingest_period(workstations: int, size: int) -> float:
    return workstations * size / TARGET_RATE


def _report(ingest: dict, floor: dict, export: dict, *, workstations: int, batches: int, size: int) -> str:
    rate_ok = ingest["rate"] >= TARGET_RATE
    p99_ok = ingest["paced"]["p99"] <= 0.250
    export_ok = export["seconds"] <= 15 and export["peak"] <= 200
    exact = "yes" if ingest["stored"] == ingest["expected"] else f"NO ({ingest['stored']} of {ingest['expected']})"
    paced = ingest["paced"]
    return f"""## 6. Central audit server — {workstations} workstations × {batches} batches of {size:,} events, one `kyso-server` process on PostgreSQL

| | events | time | events/s | batch latency p50 / p99 / max |
|---|---:|---:|---:|---|
| `POST /api/v1/events`, all workstations back to back (saturation) | {ingest['events']:,} | {ingest['seconds']:.2f} s | **{ingest['rate']:,.0f}** | {ingest['p50'] * 1000:.0f} / {ingest['p99'] * 1000:.0f} / {ingest['max'] * 1000:.0f} ms |
| `POST /api/v1/events`, offered at {TARGET_RATE:,} events/s (each workstation one batch every {ingest_period(workstations, size):.0f} s) | {ingest['paced_events']:,} | — | {ingest['paced_rate']:,.0f} | {paced['p50'] * 1000:.0f} / **{paced['p99'] * 1000:.0f}** / {paced['max'] * 1000:.0f} ms |
| floor: PostgreSQL binary `COPY` of the same rows (saturation phase), one connection, one transaction | {floor['events']:,} | {floor['seconds']:.2f} s | {floor['rate']:,.0f} | — |

Each request: authentication, shape and hash of every event, chain check under the chain's row
lock, binary COPY, commit, Ed25519 receipt; the server's default settings (two batches worked on at
once, `ingest_concurrency`). Every event stored exactly once: **{exact}**.
Target ≥ {TARGET_RATE:,} events/s sustained: **{'met' if rate_ok else 'not met'}** ({ingest['rate'] / floor['rate']:.2f}× the
COPY floor); p99 ≤ 250 ms at that rate: **{'met' if p99_ok else 'not met'}**. At saturation, latency is the
queue of 100 batches in flight, not the work of one. The load generator (a minimal asyncio HTTP
client, requests built beforehand), the server and PostgreSQL share the machine's two cores;
other processes took {ingest['others'] * 100:.0f} % of the machine during the saturation phase and
{ingest['paced_others'] * 100:.0f} % during the paced one (measured {ingest['attempts']} time(s): again, up to {ATTEMPTS}, while
others took more than {QUIET * 100:.0f} %; the least disturbed measurement is shown).

| export | events | time | CSV size | server memory before → peak |
|---|---:|---:|---:|---:|
| `GET /api/v1/events/export?format=csv` (streamed, server-side cursor) | {export['rows']:,} | **{export['seconds']:.1f} s** | {export['mib']:.0f} MiB | {export['before']:.0f} → **{export['peak']:.0f} MiB** |

Targets ≤ 15 s and ≤ 200 MiB: **{'met' if export_ok else 'not met'}**.
"""
