"""The audit log on disk: one SQLite file, one writer at a time, chains that never fork.

Every append is one `BEGIN IMMEDIATE … COMMIT` transaction: the chain head (seq, hash) is read
and the new event written under SQLite's write lock, so two kyso processes appending at the
same time wait for each other instead of forking the chain. With WAL and synchronous=FULL the
event is on disk when append() returns; readers (the audit view, export) never block it.

The sync client (app/sync) uses: events_after(), head(), save_receipt(), acknowledged_seq(),
workstation_id() — see docs/audit.md, "For the sync client".
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import AuditError, AuditErrorCode
from .events import MODES, AuditActor, AuditEvent, EventType
from .schema import BUSY_SECONDS, LOCK_CHECK_SECONDS, DamagedLog, check_file, connect, ensure_schema
from .wire import FORMAT_VERSION, GENESIS, check_shape, compose_canonical, data_text, event_hash

__all__ = ["AuditStore", "PendingSign", "PruneResult", "utc_text"]

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_OPENS_REQUEST = {EventType.SIGN_REQUESTED.value}
_CLOSES_REQUEST = {EventType.SIGN_SUCCEEDED.value, EventType.SIGN_FAILED.value, EventType.SIGN_RECOVERED.value}
_EVENT_COLUMNS = ("mode", "seq", "v", "workstation", "prev_hash", "type", "at_utc", "at_local", "os_user",
                  "user_name", "user_role", "app_version", "data", "hash")
_INSERT_EVENT = f"INSERT INTO audit_event ({', '.join(_EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(_EVENT_COLUMNS))})"
_SET_HEAD = ("INSERT INTO audit_chain_head (mode, seq, hash) VALUES (?, ?, ?) "
             "ON CONFLICT(mode) DO UPDATE SET seq = excluded.seq, hash = excluded.hash")


def utc_text(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds, as events carry it: 2026-11-22T14:03:05.123456Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _local_text(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="microseconds")


@dataclass(frozen=True)
class PendingSign:
    """A "sign requested" event whose outcome was never recorded (the process died)."""

    request_id: str
    mode: str
    seq: int
    data: Mapping[str, Any]


@dataclass(frozen=True)
class PruneResult:
    mode: str
    pruned: int  # events removed
    checkpoint_seq: int  # the chain goes on from here (0: nothing pruned, ever)


class AuditStore:
    """One audit database. Open it with AuditStore.open(); close() when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, workstation: str, chain_workstation: str) -> None:
        self.path = path
        self._conn = conn
        self._workstation = workstation
        self._chain_workstation = chain_workstation
        self._lock = threading.Lock()  # one thread at a time on this connection

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, workstation: str, chain_workstation: str | None = None) -> AuditStore:
        """Open or create the log at `path`. Raises DamagedLog when it is damaged or locked.

        `workstation` is this workstation's id (enrolment); `chain_workstation` the id a *new*
        log's events carry (default: `workstation`). An existing log keeps the id it was made with.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        check_file(path)
        try:
            ensure_schema(path)
            conn = connect(path, busy_seconds=LOCK_CHECK_SECONDS)
        except sqlite3.Error as exc:
            raise _damage(exc) from exc
        try:
            chain = _init_meta(conn, chain_workstation or workstation)
            _probe(conn)
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
        except sqlite3.Error as exc:
            conn.close()
            raise _damage(exc) from exc
        conn.row_factory = sqlite3.Row
        return cls(path, conn, workstation=workstation, chain_workstation=chain)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- identity -----------------------------------------------------------------------------

    def workstation_id(self) -> str:
        """This workstation's id: a UUID made once and kept in the data folder (enrolment uses it)."""
        return self._workstation

    def chain_workstation(self) -> str:
        """The "workstation" member this log's events carry: workstation_id(), or
        "<workstation_id>#<UTC stamp>" for a log started after a damaged one was set aside."""
        return self._chain_workstation

    # -- writing ------------------------------------------------------------------------------

    def append(self, *, mode: str, type: str, data: Mapping[str, Any], actor: AuditActor,
               app_version: str) -> AuditEvent:
        """Seal and write one event; it is on disk when this returns."""
        return self.append_many(mode=mode, items=[(type, data)], actor=actor, app_version=app_version)[0]

    def append_many(self, *, mode: str, items: Sequence[tuple[str, Mapping[str, Any]]], actor: AuditActor,
                    app_version: str) -> list[AuditEvent]:
        """Seal and write several events (type, data) in one transaction, in order."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        texts = [data_text(data) for _, data in items]
        events = []
        with self._lock, self._write() as conn:
            seq, prev_hash = self._head(conn, mode)
            for (event_type, data), text in zip(items, texts, strict=True):
                event = self._insert(conn, mode=mode, seq=seq + 1, prev_hash=prev_hash, type=str(event_type),
                                     data=data, text=text, actor=actor, app_version=app_version)
                seq, prev_hash = event.seq, event.hash
                events.append(event)
            conn.execute(_SET_HEAD, (mode, seq, prev_hash))
        return events

    def _insert(self, conn: sqlite3.Connection, *, mode: str, seq: int, prev_hash: str, type: str,
                data: Mapping[str, Any], text: str, actor: AuditActor, app_version: str) -> AuditEvent:
        now = datetime.now(UTC)
        event = {
            "v": FORMAT_VERSION, "workstation": self._chain_workstation, "mode": mode, "seq": seq,
            "prev_hash": prev_hash, "type": type, "at_utc": utc_text(now), "at_local": _local_text(now),
            "os_user": actor.os_user, "user_name": actor.user_name, "user_role": actor.user_role,
            "app_version": app_version, "data": dict(data),
        }
        digest = _seal(event, text)
        conn.execute(_INSERT_EVENT, (*(event[c] for c in _EVENT_COLUMNS[:-2]), text, digest))
        self._track_request(conn, type, mode, seq, data)
        return AuditEvent(**{**event, "hash": digest})

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @staticmethod
    def _head(conn: sqlite3.Connection, mode: str) -> tuple[int, str]:
        row = conn.execute("SELECT seq, hash FROM audit_chain_head WHERE mode = ?", (mode,)).fetchone()
        if row is None:  # no head kept: the last event, else the last checkpoint, else genesis
            row = conn.execute("SELECT seq, hash FROM audit_event WHERE mode = ? ORDER BY seq DESC LIMIT 1",
                               (mode,)).fetchone() or _checkpoint(conn, mode)
        return (row[0], row[1]) if row else (0, GENESIS)

    @staticmethod
    def _track_request(conn: sqlite3.Connection, type: str, mode: str, seq: int, data: Mapping[str, Any]) -> None:
        request_id = data.get("request_id")
        if not isinstance(request_id, str):
            return
        if type in _OPENS_REQUEST:
            conn.execute("INSERT OR REPLACE INTO audit_pending_sign (request_id, mode, seq, data) VALUES (?, ?, ?, ?)",
                         (request_id, mode, seq, json.dumps(dict(data), ensure_ascii=False)))
        elif type in _CLOSES_REQUEST:
            conn.execute("DELETE FROM audit_pending_sign WHERE request_id = ?", (request_id,))

    # -- reading (the sync client's API) ---------------------------------------------------------

    def head(self, *, mode: str) -> tuple[int, str]:
        """(seq, hash) of the last event of the chain; (0, GENESIS) when it has none."""
        with self._lock:
            return self._head(self._conn, mode)

    def events_after(self, *, mode: str, after_seq: int, limit: int) -> list[dict[str, Any]]:
        """Sealed wire events of `mode` with seq > after_seq, in seq order, at most `limit`."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM audit_event WHERE mode = ? AND seq > ? ORDER BY seq LIMIT ?",
                (mode, after_seq, limit),
            ).fetchall()
        return [AuditEvent.from_row(row).to_wire() for row in rows]

    def event(self, *, mode: str, seq: int) -> AuditEvent | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM audit_event WHERE mode = ? AND seq = ?", (mode, seq)).fetchone()
        return AuditEvent.from_row(row) if row else None

    def count(self, *, mode: str | None = None) -> int:
        with self._lock:
            if mode is None:
                return self._conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
            return self._conn.execute("SELECT count(*) FROM audit_event WHERE mode = ?", (mode,)).fetchone()[0]

    # -- receipts, retention ----------------------------------------------------------------------

    def save_receipt(self, *, mode: str, receipt: Mapping[str, Any]) -> None:
        """Keep the server's receipt as given. Its members "seq" (int) and "hash" (hex) name the
        last event it covers; a receipt that disagrees with this log is refused (AuditError)."""
        seq, digest = _receipt_point(receipt)
        body = json.dumps(dict(receipt), ensure_ascii=False, sort_keys=True, default=str)
        with self._lock, self._write() as conn:
            _check_receipt(conn, mode, seq, digest)
            conn.execute("INSERT INTO audit_receipt (mode, seq, hash, body, received_at_utc) VALUES (?, ?, ?, ?, ?)",
                         (mode, seq, digest, body, utc_text(datetime.now(UTC))))

    def acknowledged_seq(self, *, mode: str) -> int:
        """The highest seq a stored receipt covers (0: none)."""
        with self._lock:
            row = self._conn.execute("SELECT max(seq) FROM audit_receipt WHERE mode = ?", (mode,)).fetchone()
        return row[0] or 0

    def receipts(self, *, mode: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute("SELECT body FROM audit_receipt WHERE mode = ? ORDER BY seq", (mode,)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def checkpoint(self, *, mode: str) -> tuple[int, str] | None:
        """(seq, hash) of the last pruned event, or None when nothing was ever pruned."""
        with self._lock:
            row = _checkpoint(self._conn, mode)
        return (row[0], row[1]) if row else None

    def prune(self, *, mode: str, older_than: datetime) -> PruneResult:
        """Remove the events older than `older_than` that a server receipt covers, leaving a
        checkpoint (the last removed seq and hash) so the rest of the chain still verifies."""
        cutoff = utc_text(older_than)
        with self._lock, self._write() as conn:
            point = conn.execute(
                "SELECT r.seq, r.hash FROM audit_receipt r JOIN audit_event e "
                "ON e.mode = r.mode AND e.seq = r.seq AND e.hash = r.hash "
                "WHERE r.mode = ? AND e.at_utc < ? ORDER BY r.seq DESC LIMIT 1", (mode, cutoff)).fetchone()
            if point is None:
                previous = _checkpoint(conn, mode)
                return PruneResult(mode, 0, previous[0] if previous else 0)
            conn.execute("INSERT INTO audit_checkpoint (mode, seq, hash, pruned_at_utc) VALUES (?, ?, ?, ?)",
                         (mode, point[0], point[1], utc_text(datetime.now(UTC))))
            removed = conn.execute("DELETE FROM audit_event WHERE mode = ? AND seq <= ?", (mode, point[0])).rowcount
        return PruneResult(mode, removed, point[0])

    def pending_requests(self) -> list[PendingSign]:
        with self._lock:
            rows = self._conn.execute("SELECT request_id, mode, seq, data FROM audit_pending_sign ORDER BY seq").fetchall()
        return [PendingSign(row[0], row[1], row[2], json.loads(row[3])) for row in rows]


def _seal(event: dict[str, Any], text: str) -> str:
    """The event's hash by the wire module (the one definition), checked against the bytes the
    verifier will rebuild from the stored columns."""
    check_shape(event, sealed=False)
    digest = event_hash(event)
    if hashlib.sha256(compose_canonical(event, data=text)).hexdigest() != digest:
        raise ValueError("stored form of the event would not verify")  # never expected: test_wire checks it
    return digest


def _checkpoint(conn: sqlite3.Connection, mode: str):
    return conn.execute("SELECT seq, hash FROM audit_checkpoint WHERE mode = ? ORDER BY seq DESC LIMIT 1",
                        (mode,)).fetchone()


def _receipt_point(receipt: Mapping[str, Any]) -> tuple[int, str]:
    seq, digest = receipt.get("seq"), receipt.get("hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1 or not isinstance(digest, str) \
            or not _HEX64.match(digest):
        raise AuditError(AuditErrorCode.RECEIPT_INVALID)
    return seq, digest


def _check_receipt(conn: sqlite3.Connection, mode: str, seq: int, digest: str) -> None:
    row = conn.execute("SELECT hash FROM audit_event WHERE mode = ? AND seq = ?", (mode, seq)).fetchone()
    if row is not None:
        if row[0] != digest:
            raise AuditError(AuditErrorCode.RECEIPT_MISMATCH, seq=seq, mode=mode)
        return
    point = _checkpoint(conn, mode)
    if point is None or seq > point[0] or (seq == point[0] and digest != point[1]):
        raise AuditError(AuditErrorCode.RECEIPT_MISMATCH, seq=seq, mode=mode)


def _init_meta(conn: sqlite3.Connection, chain_workstation: str) -> str:
    row = conn.execute("SELECT value FROM audit_meta WHERE key = 'workstation'").fetchone()
    if row is not None:
        return row[0]
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('workstation', ?)", (chain_workstation,))
        conn.execute("INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('created_at_utc', ?)",
                     (utc_text(datetime.now(UTC)),))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return conn.execute("SELECT value FROM audit_meta WHERE key = 'workstation'").fetchone()[0]


def _probe(conn: sqlite3.Connection) -> None:
    """Touch what every append touches: the write lock, the heads, the last events."""
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("ROLLBACK")
    conn.execute("SELECT mode, seq, hash FROM audit_chain_head").fetchall()
    for mode in MODES:
        conn.execute("SELECT * FROM audit_event WHERE mode = ? ORDER BY seq DESC LIMIT 2", (mode,)).fetchall()


def _damage(exc: sqlite3.Error) -> DamagedLog:
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return DamagedLog("locked", text)
    if "not a database" in text or "file is encrypted" in text:
        return DamagedLog("not_a_database", text)
    if "no such table" in text or "no such column" in text:
        return DamagedLog("schema", text)
    return DamagedLog("malformed", text)
