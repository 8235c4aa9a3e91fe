"""The fast path of `kyso audit verify`: is every chain intact? (verify.py classifies breaks.)

verify.py walks each chain in seq order and, at the first break, works out its position and
kind. Walking a million events that way costs ~20 µs each in Python; this module answers the
common question — nothing is broken — at a few µs an event:

- rows are read in storage (id) order, one pass for every chain, with TEXT columns as
  `bytearray`: no UTF-8 decoding, and a BLOB (which comes back as `bytes`) is still told apart
  from TEXT, as the exact walk tells `bytes` from `str`;
- each event's RFC 8785 body is one %-format over those bytes when none of its top-level
  strings needs an escape — checked in C by counting the bytes that would (`"`, `\\`, below
  U+0020). The bytes are then exactly `wire.compose_values`'s (a test checks it on random
  rows), so SHA-256 over them must give the stored hash;
- a large log is split in two id ranges; a worker process reads the second (two cores).

A chain passes here when its events, in storage order, are consecutive seq numbers each linking
to the one before, each well-typed and giving its own hash. Storage order is then seq order, and
the exact walk would accept every event: verify.py takes the result as is. Anything else — a
break, a member that needs an escape, invalid UTF-8, a mode that is neither production nor
practice — sends that chain to the exact walk, which finds and names the first break. So this
path only ever answers "intact"; it never decides what is broken.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .events import MODES as _MODES

__all__ = ["PARALLEL_MIN", "Stretch", "fast_body", "scan_chains"]

log = logging.getLogger(__name__)

PARALLEL_MIN = 200_000  # rows: below this a second process costs more than it saves
_BATCH = 8192
_SAFE_INTEGER = 2**53


def _template(user_name: bytes, user_role: bytes) -> bytes:
    return (b'{"app_version":"%s","at_local":"%s","at_utc":"%s","data":%s,"mode":"%s","os_user":"%s",'
            b'"prev_hash":"%s","seq":%d,"type":"%s","user_name":' + user_name + b',"user_role":' + user_role
            + b',"v":1,"workstation":"%s"}')


# The body for each (user_name is null, user_role is null): a null member takes its "" as `null%s`.
_BODIES = (_template(b'"%s"', b'"%s"'), _template(b'"%s"', b"null%s"), _template(b"null%s", b'"%s"'),
           _template(b"null%s", b"null%s"))
_SPECIAL = bytes(range(0x20)) + b'"\\'  # the bytes RFC 8785 escapes in a string
# One row in storage order. `code` is the mode's index in _MODES, plus len(_MODES) when a member
# the body is made of is of the wrong type or value for the fast path: a string member that is
# not TEXT (a BLOB, which sqlite3 also gives as bytes; every TEXT value sorts below every BLOB, so
# below X''), a NULL where the format has none, `v` other than 1, another workstation. NULL: a
# mode that is neither (the exact walk takes that chain).
_SQL = ("SELECT CASE mode " + " ".join(f"WHEN '{mode}' THEN {code}" for code, mode in enumerate(_MODES)) + " END"
        " + CASE WHEN max(app_version, at_local, at_utc, data, os_user, prev_hash, type, hash, "
        "coalesce(user_name, ''), coalesce(user_role, '')) < X'' AND v = 1 AND workstation = ? THEN 0 ELSE "
        f"{len(_MODES)} END, seq, prev_hash, hash, app_version, at_local, at_utc, data, os_user, type, user_name, "
        "user_role FROM audit_event WHERE id BETWEEN ? AND ? ORDER BY id")
_MISSING = object()
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Stretch:
    """A chain's events in one id range: consecutive, each hash and link checked."""

    first_seq: int
    first_prev: str  # what the first event links to
    last_seq: int
    last_hash: str
    count: int  # 0: no event of this chain in the range

    def follows(self, seq: int, digest: str) -> bool:
        """Whether this stretch starts right after the event (seq, digest) — or is empty."""
        return self.count == 0 or (self.first_seq == seq + 1 and self.first_prev == digest)

    def then(self, other: Stretch | None) -> Stretch | None:
        """This stretch followed by `other` (the next id range), or None when they do not join."""
        if other is None or self.count == 0:
            return other
        if other.count == 0:
            return self
        if not other.follows(self.last_seq, self.last_hash):
            return None
        return Stretch(self.first_seq, self.first_prev, other.last_seq, other.last_hash, self.count + other.count)


EMPTY = Stretch(0, "", 0, "", 0)


def fast_body(app_version, at_local, at_utc, data, mode, os_user, prev_hash, seq, type, user_name, user_role,
              workstation) -> bytes | None:
    """The RFC 8785 body of a version 1 event from its members as sqlite3 gives them with
    text_factory=bytes (arguments in member order, without `v`; no BLOBs among them, which the
    query checks), or None when the exact path must decide: a member of another type, a string
    that needs an escape, invalid UTF-8. Byte for byte wire.compose_values() whenever it answers."""
    if seq.__class__ is not int or not -_SAFE_INTEGER < seq < _SAFE_INTEGER:
        return None
    try:
        name = b"" if user_name is None else user_name  # (not `or`: a number 0 must fail below)
        role = b"" if user_role is None else user_role
        strings = b"".join((app_version, at_local, at_utc, mode, os_user, prev_hash, type, workstation, name, role))
        if len(strings.translate(None, _SPECIAL)) != len(strings):
            return None  # a string RFC 8785 would escape
        body = _BODIES[(user_name is None) * 2 + (user_role is None)] % (
            app_version, at_local, at_utc, data, mode, os_user, prev_hash, seq, type, name, role, workstation)
        body.decode("utf-8")  # the exact path reads TEXT as str: invalid UTF-8 must not pass here
    except (TypeError, UnicodeDecodeError):  # a number where a string belongs, or not UTF-8
        return None
    return body


def scan_chains(conn: sqlite3.Connection, *, path: Path, workstation: str, modes: tuple[str, ...],
                progress: Progress, workers: int = 1) -> dict[str, Stretch | None]:
    """For each mode in `modes` (production and/or practice): its Stretch over the whole table
    when intact in storage order, None when the exact walk must look. Reads through `conn` (in
    its transaction); with workers > 1 and a large table, a worker process reads the second half
    of the ids (in its own snapshot, taken after this one: the log only grows, and any change
    made meanwhile is a break there, which sends the chain to the exact walk)."""
    modes = tuple(mode for mode in modes if mode in _MODES)
    if not modes:
        return {}
    low, high = conn.execute("SELECT (SELECT min(id) FROM audit_event), (SELECT max(id) FROM audit_event)").fetchone()
    if low is None:
        return dict.fromkeys(modes, EMPTY)
    second = None
    middle = high
    if workers > 1 and high - low + 1 >= PARALLEL_MIN and not getattr(sys, "frozen", False):
        middle = (low + high) // 2
        second = _Worker.start(path, middle + 1, high, workstation, modes)
    try:
        first = _scan(conn, low, middle, workstation, modes, _progress(progress, second))
        if middle < high:
            rest = second.result(progress) if second is not None else None
            if rest is None:  # the worker failed: read its half here
                rest = _scan(conn, middle + 1, high, workstation, modes, progress)
            first = {mode: None if stretch is None else stretch.then(rest[mode]) for mode, stretch in first.items()}
    finally:
        if second is not None:
            second.stop()
    return first


def _progress(progress: Progress, worker: _Worker | None) -> Progress:
    if worker is None:
        return progress

    def both(count: int) -> None:
        progress(count + worker.new_rows())

    return both


def _scan(conn: sqlite3.Connection, low: int, high: int, workstation: str, modes: tuple[str, ...],
          progress: Progress) -> dict[str, Stretch | None]:
    factory = conn.text_factory
    conn.text_factory = bytes
    try:
        cursor = conn.execute(_SQL, (workstation, low, high))
        wanted = {_MODES.index(mode) for mode in modes}
        chains = _walk_rows(cursor, workstation.encode(), wanted, progress)
        cursor.close()
    finally:
        conn.text_factory = factory
    return {mode: _stretch(chains.get(_MODES.index(mode), _MISSING)) for mode in modes}


def _stretch(chain) -> Stretch | None:
    if chain is _MISSING:
        return EMPTY
    if chain is None:
        return None
    first_seq, first_prev, last_seq, last_hash, count = chain
    return Stretch(first_seq, first_prev.decode(), last_seq, last_hash.decode(), count)


def _walk_rows(cursor: sqlite3.Cursor, workstation: bytes, wanted: set[int], progress: Progress) -> dict:
    """code → [first_seq, first_prev, last_seq, last_hash, count], or None once broken (or not
    wanted); stops early when every wanted chain is broken."""
    modes = len(_MODES)
    unwanted = [code for code in range(modes) if code not in wanted]
    chains: dict = {None: None, **{code: None for code in unwanted}, **{code + modes: None for code in unwanted}}
    sha256, body_of, names = hashlib.sha256, fast_body, [mode.encode() for mode in _MODES]
    while rows := cursor.fetchmany(_BATCH):
        for code, seq, prev, stored, app_version, at_local, at_utc, data, os_user, kind, name, role in rows:
            chain = chains.get(code, _MISSING)
            if chain is None:
                continue
            if chain is _MISSING and code < modes:  # the chain's first event here: its link is checked later
                chain = chains[code] = [seq, prev, seq - 1 if seq.__class__ is int else 0, prev, 0]
            if code < modes and seq == chain[2] + 1 and prev == chain[3]:
                body = body_of(app_version, at_local, at_utc, data, names[code], os_user, prev, seq, kind, name, role,
                               workstation)
                if body is not None and sha256(body).hexdigest().encode() == stored:
                    chain[2], chain[3], chain[4] = seq, stored, chain[4] + 1
                    continue
            chains[code % modes] = None  # (code ≥ modes: a row of that chain the fast path cannot take)
            if all(chains.get(mode, _MISSING) is None for mode in wanted):
                return chains
        progress(len(rows))
    return chains


class _Worker:
    """The second id range, read by a process of its own (spawned: never a fork of a process
    that may run Qt threads). It sends ("rows", n) after each batch, then ("ok", stretches)
    or ("error", text)."""

    def __init__(self, process, receiver) -> None:
        self.process, self.receiver = process, receiver
        self.answer: tuple | None = None

    @classmethod
    def start(cls, path: Path, low: int, high: int, workstation: str, modes: tuple[str, ...]) -> _Worker | None:
        try:
            import multiprocessing

            context = multiprocessing.get_context("spawn")
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_worker_main, args=(str(path), low, high, workstation, modes, sender),
                                      daemon=True)
            process.start()
            sender.close()
        except Exception:  # no second process (no resources, an odd build): this one reads all
            log.warning("verification goes on in one process: no worker process could start", exc_info=True)
            return None
        return cls(process, receiver)

    def new_rows(self) -> int:
        """Rows the worker has read since the last call (without waiting)."""
        rows = 0
        try:
            while self.answer is None and self.receiver.poll():
                kind, value = self.receiver.recv()
                if kind == "rows":
                    rows += value
                else:
                    self.answer = (kind, value)
        except (EOFError, OSError):
            self.answer = ("error", "the worker stopped")
        return rows

    def result(self, progress: Progress) -> dict[str, Stretch | None] | None:
        """The worker's stretches (None when it failed), reporting its progress meanwhile."""
        while True:
            progress(self.new_rows())
            if self.answer is not None:
                return self.answer[1] if self.answer[0] == "ok" else None
            if not self.process.is_alive() and not self.receiver.poll():
                return None
            self.receiver.poll(0.1)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        self.receiver.close()


def _worker_main(path: str, low: int, high: int, workstation: str, modes: tuple[str, ...], sender) -> None:
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        try:
            conn.execute("BEGIN")
            result = _scan(conn, low, high, workstation, modes, lambda rows: sender.send(("rows", rows)))
        finally:
            conn.close()
        sender.send(("ok", result))
    except Exception as exc:  # reported; the caller reads this range itself
        sender.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()
