"""Checking the whole log: every event's hash, every link, every sequence number.

Each chain (production, practice) is walked in seq order from its checkpoint (or genesis).
The first break is reported with its position and kind:

- edited: an event's stored members no longer give its hash (or the event before it was
  changed and re-hashed: its successor no longer links to it);
- reordered: an event is intact but sits at another position (its members give its hash only
  with another seq);
- deleted: events are missing (a seq is skipped and the link is broken, the tail is shorter than
  the chain head or a server receipt says, or early events are gone without a checkpoint);
- inserted: an event that is not part of the chain (a seq already used, after the head, or
  inside the pruned range);
- sequence gap: the links hold but a seq number is skipped.

Verification reads a read-only connection, so it can run while kyso writes. An intact chain is
confirmed by the fast path in chain_scan.py (storage order, bytes, two processes for a large
log); only a chain that does not pass there is walked here, in seq order, to find and name its
first break.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .chain_scan import Stretch, scan_chains
from .errors import AuditCancelled, AuditError, AuditErrorCode
from .events import MODES
from .schema import DamagedLog, check_file, connect
from .wire import GENESIS, WireError, compose_values

__all__ = ["BreakKind", "ChainBreak", "ChainVerdict", "VerifyReport", "chain_summary", "verify_connection", "verify_log"]

_COLUMNS = ("app_version, at_local, at_utc, data, mode, os_user, prev_hash, seq, type, user_name, user_role, v, "
            "workstation, hash")
_BATCH = 4096
Progress = Callable[[int, int], None]


class BreakKind(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    SEQUENCE_GAP = "sequence_gap"


@dataclass(frozen=True)
class ChainBreak:
    mode: str
    seq: int  # the first position that does not verify
    kind: BreakKind
    detail: str = ""


@dataclass(frozen=True)
class ChainVerdict:
    mode: str
    events: int  # events that verified before the break (all of them when intact)
    first_seq: int  # 0 when the chain is empty
    last_seq: int
    checkpoint_seq: int
    acknowledged_seq: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    workstation: str
    chains: tuple[ChainVerdict, ...]

    @property
    def ok(self) -> bool:
        return all(chain.ok for chain in self.chains)

    @property
    def events(self) -> int:
        return sum(chain.events for chain in self.chains)

    @property
    def first_break(self) -> ChainBreak | None:
        return next((chain.broken for chain in self.chains if chain.broken), None)


def verify_log(path: Path, *, progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None) -> VerifyReport:
    """Verify the log file at `path` (read-only). Raises AuditError when it cannot be read."""
    if not path.is_file():
        raise AuditError(AuditErrorCode.DB_MISSING, file=path)
    try:
        check_file(path)
        conn = connect(path, readonly=True)
    except (DamagedLog, sqlite3.Error) as exc:
        raise AuditError(AuditErrorCode.DB_UNREADABLE, file=path, detail=str(exc)) from exc
    try:
        return verify_connection(conn, path=path, progress=progress, cancelled=cancelled,
                                 workers=min(2, os.cpu_count() or 1))
    except sqlite3.Error as exc:
        raise AuditError(AuditErrorCode.DB_UNREADABLE, file=path, detail=str(exc)) from exc
    finally:
        conn.close()


def verify_connection(conn: sqlite3.Connection, *, path: Path, progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None,
                      modes: tuple[str, ...] | None = None, workers: int = 1) -> VerifyReport:
    """Verify through an open connection (inside its transaction if one is open); `modes`
    limits the walk to those chains. With workers > 1 a large log's second half is read by a
    worker process (only when the connection shows the committed file: see chain_scan)."""
    conn.row_factory = None
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one consistent snapshot for the whole walk
    try:
        row = conn.execute("SELECT value FROM audit_meta WHERE key = 'workstation'").fetchone()
        workstation = row[0] if row else ""
        total = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
        counter = _Counter(total, progress, cancelled)
        walked = [mode for mode in _modes(conn) if modes is None or mode in modes]
        fast = scan_chains(conn, path=path, workstation=workstation, modes=tuple(walked), progress=counter.add,
                           workers=workers if own else 1)
        chains = tuple(_Walk(conn, mode, workstation, counter).run(fast.get(mode)) for mode in walked)
    finally:
        if own:
            conn.execute("ROLLBACK")
    return VerifyReport(path, workstation, chains)


def _modes(conn: sqlite3.Connection) -> list[str]:
    present = {row[0] for row in conn.execute("SELECT DISTINCT mode FROM audit_event")}
    present |= {row[0] for row in conn.execute("SELECT mode FROM audit_chain_head")}
    return [mode for mode in MODES if mode in present] + sorted(present - set(MODES))


class _Counter:
    def __init__(self, total: int, progress: Progress | None, cancelled: Callable[[], bool] | None) -> None:
        self.done = 0
        self.total = total
        self._progress = progress
        self._cancelled = cancelled

    def add(self, count: int) -> None:
        self.done += count
        if self._cancelled is not None and self._cancelled():
            raise AuditCancelled()
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)  # a chain walked twice counts once


class _Walk:
    """One chain, walked in seq order; stops at the first break."""

    def __init__(self, conn: sqlite3.Connection, mode: str, workstation: str, counter: _Counter) -> None:
        self.conn, self.mode, self.workstation, self.counter = conn, mode, workstation, counter
        point = conn.execute("SELECT seq, hash FROM audit_checkpoint WHERE mode = ? ORDER BY seq DESC LIMIT 1",
                             (mode,)).fetchone()
        self.checkpoint = (point[0], point[1]) if point else (0, GENESIS)
        head = conn.execute("SELECT seq, hash FROM audit_chain_head WHERE mode = ?", (mode,)).fetchone()
        self.head = (head[0], head[1]) if head else None
        acknowledged = conn.execute("SELECT max(seq) FROM audit_receipt WHERE mode = ?", (mode,)).fetchone()[0]
        self.acknowledged = acknowledged or 0

    def run(self, stretch: Stretch | None = None) -> ChainVerdict:
        """`stretch`: what the fast path found intact, if anything (else this walk looks)."""
        first, last, count = 0, 0, 0
        broken = self._checkpoint_break()
        if broken is None and stretch is not None and stretch.follows(*self.checkpoint):
            first, last, count = stretch.first_seq, stretch.last_seq, stretch.count
        elif broken is None:
            first, last, count, broken = self._walk()
        if broken is None:
            broken = self._tail_break(last)
        return ChainVerdict(self.mode, count, first, last, self.checkpoint[0], self.acknowledged, broken)

    def _walk(self) -> tuple[int, int, int, ChainBreak | None]:
        expected, prev = self.checkpoint[0] + 1, self.checkpoint[1]
        first = last = count = 0
        cursor = self.conn.execute(f"SELECT {_COLUMNS} FROM audit_event WHERE mode = ? ORDER BY seq, id", (self.mode,))
        workstation = self.workstation
        while rows := cursor.fetchmany(_BATCH):
            for row in rows:
                seq, stored = row[7], row[13]
                if seq == expected and row[6] == prev and row[12] == workstation and _intact(row):
                    prev, expected, last, count = stored, expected + 1, seq, count + 1
                    first = first or seq
                    continue
                return first, last, count, self._classify(row, expected, prev)
            self.counter.add(len(rows))
        return first, last, count, None

    # -- what kind of break -------------------------------------------------------------------------

    def _classify(self, row: tuple, expected: int, prev: str) -> ChainBreak:
        seq, prev_hash, stored = row[7], row[6], row[13]
        if not isinstance(seq, int) or seq < expected:
            where = "in the pruned range" if isinstance(seq, int) and seq <= self.checkpoint[0] else "seq already used"
            return self._break(seq if isinstance(seq, int) else expected, BreakKind.INSERTED, where)
        if seq > expected:
            if prev_hash == prev and _intact(row):
                return self._break(expected, BreakKind.SEQUENCE_GAP, f"next seq is {seq}")
            moved = self._successor_seq(prev)
            if moved is not None:
                return self._break(expected, BreakKind.REORDERED, f"event {expected} found at {moved}")
            return self._break(expected, BreakKind.DELETED, f"events {expected}…{seq - 1} missing")
        if not _intact(row) or row[12] != self.workstation:
            return self._changed(row)
        if self._successor_links(stored):  # this event is intact: the one before it was changed
            return self._break(seq - 1, BreakKind.EDITED, "re-hashed: its successor no longer links to it")
        if self.head is not None and seq > self.head[0]:
            return self._break(seq, BreakKind.INSERTED, "after the chain head")
        return self._break(seq, BreakKind.EDITED, "does not link to the event before it")

    def _changed(self, row: tuple) -> ChainBreak:
        seq = row[7]
        for candidate in self._original_seqs(row):
            if candidate != seq and _intact(row, seq=candidate):
                return self._break(seq, BreakKind.REORDERED, f"event {candidate} found at {seq}")
        return self._break(seq, BreakKind.EDITED, "its members do not give its hash")

    def _original_seqs(self, row: tuple) -> set[int]:
        """Where an intact event that moved came from: next to its neighbours in the chain."""
        prev_hash, stored = row[6], row[13]
        query = "SELECT seq FROM audit_event WHERE mode = ? AND {} = ?"
        candidates = {s - 1 for (s,) in self.conn.execute(query.format("prev_hash"), (self.mode, stored))}
        candidates |= {s + 1 for (s,) in self.conn.execute(query.format("hash"), (self.mode, prev_hash))}
        if prev_hash == self.checkpoint[1]:
            candidates.add(self.checkpoint[0] + 1)
        if self.head is not None and self.head[1] == stored:
            candidates.add(self.head[0])
        return candidates

    def _successor_seq(self, stored: str) -> int | None:
        row = self.conn.execute("SELECT seq FROM audit_event WHERE mode = ? AND prev_hash = ? LIMIT 1",
                                (self.mode, stored)).fetchone()
        return row[0] if row else None

    def _successor_links(self, stored: str) -> bool:
        return self.conn.execute("SELECT 1 FROM audit_event WHERE mode = ? AND prev_hash = ? LIMIT 1",
                                 (self.mode, stored)).fetchone() is not None

    def _checkpoint_break(self) -> ChainBreak | None:
        seq, digest = self.checkpoint
        if seq == 0:
            return None
        backed = self.conn.execute("SELECT 1 FROM audit_receipt WHERE mode = ? AND seq = ? AND hash = ?",
                                   (self.mode, seq, digest)).fetchone()
        return None if backed else self._break(1, BreakKind.DELETED, "a checkpoint no server receipt covers")

    def _tail_break(self, last: int) -> ChainBreak | None:
        last = last or self.checkpoint[0]
        if self.head is not None and self.head[0] > last:
            return self._break(last + 1, BreakKind.DELETED, f"the chain head is {self.head[0]}: the tail is missing")
        if self.acknowledged > last:
            return self._break(last + 1, BreakKind.DELETED, f"the server acknowledged up to {self.acknowledged}")
        if self.head is not None and self.head[0] < last:
            return self._break(self.head[0] + 1, BreakKind.INSERTED, "after the chain head")
        if self.head is not None and last and self.head[0] == last and self._last_hash(last) != self.head[1]:
            return self._break(last, BreakKind.EDITED, "re-hashed: the chain head no longer matches")
        return None

    def _last_hash(self, seq: int) -> str | None:
        row = self.conn.execute("SELECT hash FROM audit_event WHERE mode = ? AND seq = ?", (self.mode, seq)).fetchone()
        return row[0] if row else None

    def _break(self, seq: int, kind: BreakKind, detail: str) -> ChainBreak:
        return ChainBreak(self.mode, seq, kind, detail)


def _intact(row: tuple, *, seq: int | None = None) -> bool:
    """Whether the row's members (with `seq` in place of its own, if given) give its hash."""
    try:
        body = compose_values(*row[:7], row[7] if seq is None else seq, *row[8:13])
    except (WireError, TypeError):  # a member of a type the format does not allow
        return False
    return hashlib.sha256(body).hexdigest() == row[13]


def chain_summary(report: VerifyReport) -> list[dict]:
    """The report as plain data (for JSON output and the audit.verified event)."""
    return [
        {"mode": c.mode, "events": c.events, "first_seq": c.first_seq, "last_seq": c.last_seq,
         "checkpoint_seq": c.checkpoint_seq, "acknowledged_seq": c.acknowledged_seq, "ok": c.ok,
         "break": None if c.broken is None else {"seq": c.broken.seq, "kind": c.broken.kind.value,
                                                 "detail": c.broken.detail}}
        for c in report.chains
    ]


def describe_chain(chain: ChainVerdict, t: Callable[..., str]) -> list[str]:
    """A chain's verdict in the user's words (`t(code, **params)`: the CLI's or the desktop's)."""
    mode = t("AUDIT_MODE_" + chain.mode.upper())
    if chain.broken is not None:
        lines = [t("CLI_AUDIT_CHAIN_BROKEN", mode=mode, seq=chain.broken.seq, count=chain.events,
                   kind=t("AUDIT_BREAK_" + chain.broken.kind.name), detail=chain.broken.detail)]
    elif chain.events == 0:
        lines = [t("CLI_AUDIT_CHAIN_EMPTY", mode=mode)]
    else:
        lines = [t("CLI_AUDIT_CHAIN_OK", mode=mode, count=chain.events, first=chain.first_seq,
                   last=chain.last_seq)]
    if chain.checkpoint_seq:
        lines.append(t("CLI_AUDIT_CHAIN_CHECKPOINT", seq=chain.checkpoint_seq))
    return lines
