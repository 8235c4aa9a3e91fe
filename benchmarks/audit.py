"""Audit log figures (docs/performance.md section 5), each beside a peer measured in the same run.

    .venv/bin/python -m benchmarks.run_all --only audit [--quick]

The full run uses 1,000,000 events (the issue's targets); --quick 100,000.

- durable appends per second: AuditStore.append (BEGIN IMMEDIATE, seal, fsync'd commit) beside a
  bare sqlite3 INSERT + COMMIT with the same WAL/synchronous=FULL settings;
- verifying N events (`kyso audit verify --db`, whole process) beside hashing the same canonical
  bodies with hashlib alone (the floor any verifier pays) and `sha256sum` of the database file;
- exporting N events to CSV and XLSX (`kyso audit export`, whole process: time and peak memory)
  beside Python's csv module over the same query, and XlsxWriter's documented constant_memory
  loop (the writer kyso used before) over the first rows, scaled to N.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.procs import median_run

ROOT = Path(__file__).resolve().parents[1]
_COLUMNS = ("mode", "seq", "v", "workstation", "prev_hash", "type", "at_utc", "at_local", "os_user", "user_name",
            "user_role", "app_version", "data", "hash")


def build_log(path: Path, count: int) -> None:
    """A log of `count` chained production events shaped like a working day (the store writes the
    first ones, so the schema and meta are the real ones; the rest are chained here in bulk with
    the wire module's compose_values, the same bytes rfc8785 gives — spot-checked below)."""
    from app.audit.events import AuditActor
    from app.audit.store import AuditStore
    from app.audit.wire import compose_values, event_hash
    from tests.app.audit.conftest import sample_items

    rng = random.Random(5)
    with AuditStore.open(path, workstation="ws-bench") as store:
        store.append_many(mode="production", items=sample_items(rng, 100), actor=AuditActor("an", "Nguyễn Văn An"),
                          app_version="0.1.0")
    from app.audit.wire import data_text

    templates = [(kind, data_text(data)) for kind, data in sample_items(rng, 500)]
    conn = sqlite3.connect(path, isolation_level=None)
    seq, prev = conn.execute("SELECT seq, hash FROM audit_chain_head WHERE mode = 'production'").fetchone()
    conn.execute("BEGIN")
    insert = f"INSERT INTO audit_event ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
    batch = []
    for index in range(count - 100):
        kind, text = templates[index % len(templates)]
        seq += 1
        at = f"2026-{1 + index * 12 // count:02d}-15T0{index % 10}:00:00.{index % 1000000:06d}"
        row = ["production", seq, 1, "ws-bench", prev, kind, at + "Z", at + "+07:00", "an", "Nguyễn Văn An",
               "vien-truong", "0.1.0", text]
        prev = hashlib.sha256(compose_values("0.1.0", row[7], row[6], text, "production", "an", row[4], seq, kind,
                                             "Nguyễn Văn An", "vien-truong", 1, "ws-bench")).hexdigest()
        batch.append((*row, prev))
        if len(batch) == 10000:
            conn.executemany(insert, batch)
            batch = []
    conn.executemany(insert, batch)
    conn.execute("UPDATE audit_chain_head SET seq = ?, hash = ? WHERE mode = 'production'", (seq, prev))
    conn.execute("COMMIT")
    conn.row_factory = sqlite3.Row
    import json

    sample = dict(conn.execute("SELECT * FROM audit_event WHERE seq = ?", (count // 2,)).fetchone())
    sample["data"] = json.loads(sample["data"])
    assert event_hash({k: v for k, v in sample.items() if k != "id"}) == sample["hash"]
    conn.close()


def appends(folder: Path, count: int) -> tuple[float, float]:
    from app.audit.events import AuditActor
    from app.audit.store import AuditStore

    actor = AuditActor("an", "Nguyễn Văn An", "vien-truong")
    data = {"document": "quyết-định-15.pdf", "request_id": "r1", "output": "/home/an/quyết-định-15.signed.pdf",
            "certificate": {"serial": "1f2e", "subject": "CN=Nguyễn Văn An", "sha256": "ab" * 32}}
    with AuditStore.open(folder / "appends.sqlite3", workstation="ws-bench") as store:
        start = time.perf_counter()
        for _ in range(count):
            store.append(mode="production", type="sign.requested", data=data, actor=actor, app_version="0.1.0")
        ours = count / (time.perf_counter() - start)
    conn = sqlite3.connect(folder / "plain.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    body = str(data) * 2
    start = time.perf_counter()
    for _ in range(count):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", (body,))
        conn.execute("COMMIT")
    plain = count / (time.perf_counter() - start)
    conn.close()
    return ours, plain


def hash_floor(path: Path) -> float:
    from app.audit.wire import compose_values

    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT app_version, at_local, at_utc, data, mode, os_user, prev_hash, seq, type, user_name, "
                        "user_role, v, workstation FROM audit_event ORDER BY id")
    bodies = []
    for row in rows:
        bodies.append(compose_values(*row))
        if len(bodies) >= 200_000:
            break
    start = time.perf_counter()
    for body in bodies:
        hashlib.sha256(body).hexdigest()
    per = (time.perf_counter() - start) / len(bodies)
    conn.close()
    return per


def csv_peer(path: Path, out: Path) -> float:
    start = time.perf_counter()
    conn = sqlite3.connect(path)
    with open(out, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        cursor = conn.execute("SELECT seq, mode, at_local, at_utc, type, json_extract(data, '$.outcome'), user_name, "
                              "user_role, os_user, json_extract(data, '$.document'), data, hash FROM audit_event")
        while rows := cursor.fetchmany(2000):
            writer.writerows(rows)
    conn.close()
    return time.perf_counter() - start


def xlsx_peer(path: Path, out: Path, limit: int) -> float | None:
    """XlsxWriter (constant_memory) over the first `limit` rows, or None when it is not installed
    (it is the server's XLSX writer: the server extra)."""
    try:
        import xlsxwriter
    except ImportError:
        return None
    start = time.perf_counter()
    conn = sqlite3.connect(path)
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = book.add_worksheet()
    cursor = conn.execute("SELECT seq, mode, at_local, at_utc, type, json_extract(data, '$.outcome'), user_name, "
                          "user_role, os_user, json_extract(data, '$.document'), data, hash FROM audit_event LIMIT ?",
                          (limit,))
    for index, row in enumerate(cursor, start=1):
        sheet.write_row(index, 0, row)
    book.close()
    conn.close()
    return time.perf_counter() - start


def _env(home: Path) -> dict:
    policy = home / "policy"
    policy.mkdir(parents=True, exist_ok=True)
    from app.audit.journal import os_user

    (policy / "policy.toml").write_text(f'[audit]\nadministrators = ["{os_user()}"]\n', encoding="utf-8")
    return {**os.environ, "KYSO_HOME": str(home / "home"), "KYSO_POLICY_DIR": str(policy)}


def run(quick: bool) -> str:
    from app.audit.chain_scan import PARALLEL_MIN

    count = 100_000 if quick else 1_000_000
    peer_count = 20_000 if quick else 100_000  # XlsxWriter needs ~3 minutes for a million rows
    kyso = [sys.executable, "-m", "app.cli.main"]
    with tempfile.TemporaryDirectory(dir=ROOT / "benchmarks" / "work" if (ROOT / "benchmarks" / "work").is_dir()
                                     else None) as tmp:
        folder = Path(tmp)
        ours_appends, plain_appends = appends(folder, 300 if quick else 1000)
        log = folder / "big.sqlite3"
        build_log(log, count)
        size_mb = log.stat().st_size / 1e6
        env = _env(folder)
        verify = _measured([*kyso, "audit", "verify", "--db", str(log)], env)
        floor = hash_floor(log) * count
        start = time.perf_counter()
        subprocess.run(["sha256sum", str(log)], capture_output=True, check=True)
        sha256sum = time.perf_counter() - start
        exports = {fmt: _measured([*kyso, "audit", "export", "--format", fmt, "--db", str(log), "--out",
                                   str(folder / f"a.{fmt}")], env) for fmt in ("csv", "xlsx")}
        xlsx_mb = (folder / "a.xlsx").stat().st_size / 1e6
        peer_csv = csv_peer(log, folder / "peer.csv")
        peer_xlsx = xlsx_peer(log, folder / "peer.xlsx", peer_count)
    csv_run, xlsx_run = exports["csv"], exports["xlsx"]

    def met(run) -> str:
        return "met" if run.seconds <= 15 and run.peak_mib <= 200 else "not met"

    how = "two processes on two cores" if count >= PARALLEL_MIN else "one process: a log this small is not split"
    targets = "" if count == 1_000_000 else " (a quick run: the targets are for 1,000,000 events)"

    peer_xlsx_row = (f"| XlsxWriter constant_memory `write_row` loop over the same rows (in-process; measured on the first "
                     f"{peer_count:,}, × {count // peer_count}) | {count:,} | {peer_xlsx * count / peer_count:.0f} s | — |"
                     if peer_xlsx is not None else "| XlsxWriter (not installed in this environment: the server extra) | — | — | — |")
    return f"""## 5. Audit log — {count:,} events ({size_mb:.0f} MB database)

| durable appends (one event per fsync'd transaction) | events/s |
|---|---:|
| kyso `AuditStore.append` (BEGIN IMMEDIATE, seal with rfc8785, WAL, synchronous=FULL) | **{ours_appends:.0f}** |
| bare sqlite3 INSERT + COMMIT, same settings | {plain_appends:.0f} |

A signature adds two appends (requested, succeeded): {2000 / ours_appends:.1f} ms per document.

| verifying {count:,} events | time | peak memory |
|---|---:|---:|
| `kyso audit verify --db` (whole process, median of 3: every hash and link; {how}) | **{verify.seconds:.1f} s** | {verify.peak_mib:.0f} MiB |
| floor: SHA-256 of the same canonical bodies (hashlib alone, bodies already in memory) | {floor:.1f} s | — |
| `sha256sum` of the database file | {sha256sum:.1f} s | — |

Target ≤ 10 s{targets}: **{'met' if verify.seconds <= 10 else 'not met'}**. (Peak memory: the larger process's.)

| exporting {count:,} events | events | time | peak memory |
|---|---:|---:|---:|
| `kyso audit export --format csv` (whole process, median of 3) | {count:,} | **{csv_run.seconds:.1f} s** | **{csv_run.peak_mib:.0f} MiB** |
| Python csv module over the same query (in-process, rows as str) | {count:,} | {peer_csv:.1f} s | — |
| `kyso audit export --format xlsx` (whole process, median of 3; streamed inline strings, {xlsx_mb:.0f} MB file) | {count:,} | **{xlsx_run.seconds:.1f} s** | **{xlsx_run.peak_mib:.0f} MiB** |
{peer_xlsx_row}

Targets ≤ 15 s and ≤ 200 MiB each{targets}: CSV **{met(csv_run)}**; XLSX **{met(xlsx_run)}**.
"""


def _measured(command: list[str], env: dict):
    """Median time of three runs (other work may share the machine), highest peak memory."""
    return median_run(command, env=env, rounds=3)
