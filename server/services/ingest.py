"""Ingestion of one batch of one workstation's chain (POST /api/v1/events).

Order of work: the whole batch is checked without the database (shape, owner, one mode, every
hash), then, holding the chain's head row, events at or below the head are compared with what is
stored (same hash: a duplicate, acknowledged; different: a rewritten history, refused and raised
as an alert), and events from head+1 on are appended while each one's prev_hash is its
predecessor's hash. The first sequence beyond head+1 stops the batch: the answer names the
sequence expected next. Every answer carries a receipt for the head as it now stands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.audit import wire

from ..canonical import EventLimits, hash_matches, inspect, reference_hash, shape_ok
from ..db import Database, now_utc
from ..errors import ServerError, ServerErrorCode
from ..models import Alert, ChainHead, Event, Workstation
from ..principals import WorkstationPrincipal
from ..receipts import ReceiptSigner
from ..textfold import fold
from ..timezones import parse_moment

__all__ = ["COLUMNS", "COPY_EVENTS", "COPY_TYPES", "IngestResult", "event_row", "ingest_batch", "owns_chain"]

COLUMNS = ("workstation_id", "chain", "unit_id", "mode", "seq", "v", "prev_hash", "hash", "type", "outcome",
           "document_type", "document_key", "at_utc", "at_utc_text", "at_local", "os_user", "user_name", "user_role",
           "app_version", "data", "received_at")
COPY_TYPES = ("text", "text", "text", "text", "int8", "int4", "text", "text", "text", "text", "text", "text", "timestamptz",
              "text", "text", "text", "text", "text", "text", "text", "timestamptz")
"""PostgreSQL types of COLUMNS for binary COPY (varchar takes text's binary form)."""
COPY_EVENTS = f"COPY events ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
_OUTCOMES = {"succeeded": "ok", "ok": "ok", "done": "ok", "failed": "failed", "refused": "refused",
             "blocked": "refused"}


@dataclass(frozen=True)
class IngestResult:
    workstation: str
    mode: str
    accepted: int
    duplicates: int
    acknowledged_seq: int
    hash: str
    expected_seq: int
    receipt: dict[str, Any]
    gap_at: int | None  # the first sequence beyond the head that could not be stored

    def answer(self) -> dict[str, Any]:
        return {"workstation": self.workstation, "mode": self.mode, "accepted": self.accepted,
                "duplicates": self.duplicates, "acknowledged_seq": self.acknowledged_seq,
                "hash": self.hash, "expected_seq": self.expected_seq, "receipt": self.receipt}


class _Rewritten(Exception):
    def __init__(self, seq: int, stored: str, received: str) -> None:
        self.seq, self.stored, self.received = seq, stored, received


def ingest_batch(database: Database, *, principal: WorkstationPrincipal, events: Any, signer: ReceiptSigner,
                 max_batch: int, limits: EventLimits | None = None, nul_free: bool = False) -> IngestResult:
    """`nul_free`: the request's body holds no "\\u0000" (the only way JSON writes U+0000), so no
    event's text can: the per-event search for it is skipped."""
    batch, chain, mode, moments = _checked_batch(events, principal=principal, max_batch=max_batch,
                                                 limits=limits or EventLimits(), nul_free=nul_free)
    try:
        with database.write() as session:
            result = _store(session, batch=batch, chain=chain, mode=mode, principal=principal, signer=signer,
                            postgres=database.dialect == "postgresql", moments=moments)
    except _Rewritten as rewritten:
        _raise_alert(database, principal=principal, chain=chain, mode=mode, rewritten=rewritten)
        raise ServerError(ServerErrorCode.CHAIN_REWRITTEN, seq=rewritten.seq) from None
    if result.gap_at is not None:
        raise ServerError(ServerErrorCode.CHAIN_GAP, extra=result.answer(), expected_seq=result.expected_seq,
                          received_seq=result.gap_at)
    return result


def _checked_batch(events: Any, *, principal: WorkstationPrincipal, max_batch: int, limits: EventLimits,
                   nul_free: bool = False) -> tuple[list[dict], str, str, dict[int, datetime]]:
    """The batch in sequence order (duplicates within it merged), its chain and mode, and each
    sequence's at_utc as parsed once by the check."""
    if not isinstance(events, list) or not events:
        raise ServerError(ServerErrorCode.BATCH_EMPTY)
    if len(events) > max_batch:
        raise ServerError(ServerErrorCode.BATCH_TOO_LARGE, count=len(events), limit=max_batch)
    moments = [_check_event(item, index=index, principal=principal, limits=limits, nul_free=nul_free)
               for index, item in enumerate(events)]
    chain, mode = events[0]["workstation"], events[0]["mode"]
    by_seq: dict[int, dict] = {}
    at: dict[int, datetime] = {}
    for item, moment in zip(events, moments, strict=True):
        if item["workstation"] != chain or item["mode"] != mode:
            raise ServerError(ServerErrorCode.BATCH_MIXED_CHAINS)
        other = by_seq.setdefault(item["seq"], item)
        if other is not item and other["hash"] != item["hash"]:
            raise ServerError(ServerErrorCode.BATCH_DUPLICATE_SEQ, seq=item["seq"])
        at.setdefault(item["seq"], moment)
    return [by_seq[seq] for seq in sorted(by_seq)], chain, mode, at


def _check_event(item: Any, *, index: int, principal: WorkstationPrincipal, limits: EventLimits,
                 nul_free: bool = False) -> datetime:
    """The event checked; its at_utc parsed."""
    if not isinstance(item, dict):
        raise ServerError(ServerErrorCode.EVENT_INVALID, index=index, detail="not an object")
    excess, fast = inspect(item, limits)  # first: every later check walks the event
    if excess is not None:
        raise ServerError(ServerErrorCode.EVENT_TOO_LARGE, extra={"limit": excess[0], "limit_value": excess[1]},
                          index=index, limit=excess[0], value=excess[1])
    if not shape_ok(item, data_plain=fast):  # the fast check is never looser than wire's; wire names the problem
        try:
            wire.check_shape(item)
        except wire.WireError as exc:
            raise ServerError(ServerErrorCode.EVENT_INVALID, index=index, detail=str(exc)) from None
    if not nul_free and _has_nul(item):
        raise ServerError(ServerErrorCode.EVENT_INVALID, index=index, detail="U+0000 in a text member")
    if not owns_chain(principal, item["workstation"]):
        raise ServerError(ServerErrorCode.WRONG_WORKSTATION, workstation=item["workstation"])
    moment = parse_moment(item["at_utc"])
    if moment is None:
        raise ServerError(ServerErrorCode.EVENT_INVALID, index=index,
                          detail="at_utc: not RFC 3339 with a time zone (offset at most ±15:59)")
    if not hash_matches(item, item["hash"], fast=fast):
        if reference_hash(item) is None:  # RFC 8785 cannot encode it: no stated hash could ever be right
            raise ServerError(ServerErrorCode.EVENT_NOT_CANONICAL, index=index, seq=item["seq"])
        raise ServerError(ServerErrorCode.EVENT_HASH_MISMATCH, index=index, seq=item["seq"])
    return moment


def _has_nul(item: dict) -> bool:
    """PostgreSQL text cannot hold U+0000: refused (on both databases) rather than failing the
    insert. `data` is stored as escaped JSON; only its document_type is stored as text."""
    document_type = item["data"].get("document_type")
    stored = (item["workstation"], item["type"], item["at_utc"], item["at_local"], item["os_user"],
              item["app_version"], item["user_name"] or "", item["user_role"] or "",
              document_type if isinstance(document_type, str) else "")
    return "\x00" in "".join(stored)


def owns_chain(principal: WorkstationPrincipal, chain: str) -> bool:
    """A workstation writes its own chain, and the chains it starts after a damaged log ("<id>#…")."""
    return chain == principal.id or (chain.startswith(principal.id + "#") and len(chain) <= 128)


def _locked_head(session: Session, *, chain: str, mode: str, principal: WorkstationPrincipal,
                 postgres: bool) -> tuple[int, str, bool]:
    """(seq, hash, started) of the chain's head, its row locked until the transaction ends (Core,
    not the ORM: this runs once a batch, on the hot path); `started`: this batch made the row."""
    query = (select(ChainHead.seq, ChainHead.hash).where(ChainHead.chain == chain, ChainHead.mode == mode)
             .with_for_update())
    head = session.execute(query).one_or_none()
    started = False
    if head is None:  # the chain's first batch; two processes may race here: the insert is idempotent
        dialect_insert = postgresql_insert if postgres else sqlite_insert
        made = session.execute(dialect_insert(ChainHead).values(chain=chain, mode=mode, workstation_id=principal.id,
                                                                seq=0, hash=wire.GENESIS)
                               .on_conflict_do_nothing().returning(ChainHead.seq))
        started = made.first() is not None  # (rowcount is -1 here on psycopg)
        head = session.execute(query).one()
    return head[0], head[1], started


def _store(session: Session, *, batch: list[dict], chain: str, mode: str, principal: WorkstationPrincipal,
           signer: ReceiptSigner, postgres: bool, moments: dict[int, datetime] | None = None) -> IngestResult:
    head_seq, head_hash, started = _locked_head(session, chain=chain, mode=mode, principal=principal, postgres=postgres)
    if started and chain != principal.id:
        _note_restart(session, principal=principal, chain=chain, mode=mode, first=batch[0])
    old = [item for item in batch if item["seq"] <= head_seq]
    _check_duplicates(session, old=old, chain=chain, mode=mode)
    fresh, gap_at, seq, current = [], None, head_seq, head_hash
    for item in batch[len(old):]:
        if item["seq"] != seq + 1:
            gap_at = item["seq"]
            break
        if item["prev_hash"] != current:
            raise _Rewritten(seq, current, item["prev_hash"])
        fresh.append(item)
        seq, current = item["seq"], item["hash"]
    if fresh:
        received = now_utc()
        moments = moments or {}
        rows = [event_row(item, workstation_id=principal.id, unit_id=principal.unit_id, received_at=received,
                          at=moments.get(item["seq"])) for item in fresh]
        _insert(session, rows=rows, postgres=postgres)
        session.execute(update(ChainHead).where(ChainHead.chain == chain, ChainHead.mode == mode)
                        .values(seq=seq, hash=current))
        session.execute(update(Workstation).where(Workstation.id == principal.id).values(last_seen_at=received))
    receipt = signer.sign(workstation=chain, mode=mode, seq=seq, hash=current)
    return IngestResult(chain, mode, len(fresh), len(old), seq, current, seq + 1, receipt, gap_at)


def _note_restart(session: Session, *, principal: WorkstationPrincipal, chain: str, mode: str, first: dict) -> None:
    """A workstation starts `<id>#…` after setting a damaged log aside: once is a mishap and passes
    without a word; a further chain (a name it had not used, in either mode) is a `chain_started`
    alert — a workstation starting chains at will could drop any history it liked. One open alert
    per workstation: further chains count on it until someone acknowledges it."""
    earlier = session.execute(
        select(ChainHead.chain).where(ChainHead.workstation_id == principal.id, ChainHead.chain != principal.id,
                                      ChainHead.chain != chain).limit(1)
    ).first()
    if earlier is None:
        return
    existing = session.execute(
        select(Alert).where(Alert.workstation_id == principal.id, Alert.kind == "chain_started",
                            Alert.acknowledged_at.is_(None)).order_by(Alert.id).limit(1).with_for_update()
    ).scalar_one_or_none()
    if existing is not None:
        existing.repeats += 1
        return
    session.add(Alert(unit_id=principal.unit_id, workstation_id=principal.id, chain=chain, mode=mode,
                      kind="chain_started", seq=first["seq"], stored_hash="",
                      received_hash=first["hash"], created_at=now_utc(), repeats=1))


def _check_duplicates(session: Session, *, old: list[dict], chain: str, mode: str) -> None:
    if not old:
        return
    query = select(Event.seq, Event.hash).where(Event.chain == chain, Event.mode == mode,
                                                Event.seq.between(old[0]["seq"], old[-1]["seq"]))
    stored = {seq: digest for seq, digest in session.execute(query)}
    for item in old:
        if stored.get(item["seq"]) != item["hash"]:
            raise _Rewritten(item["seq"], stored.get(item["seq"], ""), item["hash"])


def event_row(item: dict, *, workstation_id: str, unit_id: str, received_at: datetime,
              at: datetime | None = None) -> tuple:
    """`at`: the event's at_utc already parsed (by the check), else parsed here."""
    data = item["data"]
    return (workstation_id, item["workstation"], unit_id, item["mode"], item["seq"], item["v"], item["prev_hash"],
            item["hash"], item["type"], _outcome(item["type"], data), _text(data.get("document_type")),
            _document_key(data.get("document")), at or parse_moment(item["at_utc"]), item["at_utc"], item["at_local"], item["os_user"],
            item["user_name"], item["user_role"], item["app_version"], _json(data), received_at)


def _outcome(kind: str, data: dict) -> str | None:
    stated = data.get("outcome")
    if isinstance(stated, str) and stated in ("ok", "failed", "refused"):
        return stated
    return _OUTCOMES.get(kind.rsplit(".", 1)[-1])


def _document_key(value: Any) -> str | None:
    """The document's name as the console searches it: without diacritics, lower case."""
    return fold(value) if isinstance(value, str) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _json(data: dict) -> str:
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):  # integers beyond 64 bits
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _insert(session: Session, *, rows: list[tuple], postgres: bool) -> None:
    if postgres:  # binary COPY: the fastest way into PostgreSQL (~2 µs an event here), in the same transaction
        raw = session.connection().connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(COPY_EVENTS) as copy:
            copy.set_types(COPY_TYPES)
            for row in rows:
                copy.write_row(row)
        return
    session.execute(insert(Event), [dict(zip(COLUMNS, row, strict=True)) for row in rows])


def _raise_alert(database: Database, *, principal: WorkstationPrincipal, chain: str, mode: str,
                 rewritten: _Rewritten) -> None:
    """Record the tamper alert, in its own transaction (the batch was refused). While one is open
    (not acknowledged) for this chain, every further rewrite only counts on it: a workstation
    sending 50 rewrites raises one alert counted 50 times, not 50 alerts burying the others."""
    with database.write() as session:
        existing = session.execute(
            select(Alert).where(Alert.chain == chain, Alert.mode == mode, Alert.kind == "history_rewritten",
                                Alert.acknowledged_at.is_(None)).order_by(Alert.id).limit(1).with_for_update()
        ).scalar_one_or_none()
        if existing is not None:
            existing.repeats += 1
            return
        session.add(Alert(unit_id=principal.unit_id, workstation_id=principal.id, chain=chain, mode=mode,
                          kind="history_rewritten", seq=rewritten.seq, stored_hash=rewritten.stored,
                          received_hash=rewritten.received, created_at=now_utc(), repeats=1))
