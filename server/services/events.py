"""Reading stored events: filters, pages, per-chain verification."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.audit.wire import GENESIS

from ..canonical import hash_matches
from ..db import as_utc
from ..models import ChainHead, Event
from ..textfold import fold

__all__ = ["ChainVerdict", "EventFilter", "RangeVerdict", "chains_of", "event_dict", "filtered", "page", "page_json",
           "rows", "stored_data", "verify_chain", "verify_range", "wire_dict"]

_FIELDS = (Event.id, Event.workstation_id, Event.chain, Event.unit_id, Event.mode, Event.seq, Event.v, Event.prev_hash,
           Event.hash, Event.type, Event.outcome, Event.document_type, Event.at_utc_text, Event.at_local,
           Event.os_user, Event.user_name, Event.user_role, Event.app_version, Event.data, Event.received_at)


@dataclass(frozen=True)
class EventFilter:
    unit: str | None = None
    workstation: str | None = None
    user: str | None = None  # the kyso user's name or the OS user
    type: str | None = None
    document_type: str | None = None
    outcome: str | None = None
    mode: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None  # exclusive
    document: str | None = None  # part of the document's name, accents and case ignored

    def described(self) -> dict[str, str]:
        """The filters set, as texts (times in RFC 3339)."""
        return {name: value.isoformat() if isinstance(value, datetime) else str(value)
                for name, value in vars(self).items() if value}


def filtered(query: Select, *, where: EventFilter) -> Select:
    exact = {Event.unit_id: where.unit, Event.workstation_id: where.workstation, Event.type: where.type,
             Event.document_type: where.document_type, Event.outcome: where.outcome, Event.mode: where.mode}
    for column, value in exact.items():
        if value is not None:
            query = query.where(column == value)
    if where.user is not None:
        query = query.where((Event.user_name == where.user) | (Event.os_user == where.user))
    if where.date_from is not None:
        query = query.where(Event.at_utc >= where.date_from)
    if where.date_to is not None:
        query = query.where(Event.at_utc < where.date_to)
    if where.document:
        query = query.where(Event.document_key.contains(fold(where.document), autoescape=True))
    return query


def event_dict(row: Any) -> dict[str, Any]:
    """The event as the workstation sealed it (re-hashable), from a stored row. A `data` text that
    cannot be read back (nesting deeper than the parser goes, stored before the server bounded
    events) gives data None: such an event never verifies, and reading it never fails."""
    return {**_members(row), "data": stored_data(row.data)}


def wire_dict(row: Any) -> dict[str, Any]:
    """event_dict() for output with orjson: `data` is the stored JSON text as it is (never parsed,
    so no nesting or size that ingestion once took can make a read or an export fail)."""
    return {**_members(row), "data": _stored_fragment(row.data)}


def _members(row: Any) -> dict[str, Any]:
    return {"v": row.v, "workstation": row.chain, "mode": row.mode, "seq": row.seq,
            "prev_hash": row.prev_hash, "type": row.type, "at_utc": row.at_utc_text, "at_local": row.at_local,
            "os_user": row.os_user, "user_name": row.user_name, "user_role": row.user_role,
            "app_version": row.app_version, "hash": row.hash}


def stored_data(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError, TypeError):
        return None


def _stored_fragment(text: Any) -> Any:
    """The stored text as a JSON fragment when it is a JSON object orjson reads (≤ 1,024 levels:
    what any client reads back); else None — the event then fails verification, visibly."""
    if not (isinstance(text, str) and text.startswith("{")):
        return None
    try:
        orjson.loads(text)  # ~1 µs an event: what leaves the server is always well-formed JSON
    except orjson.JSONDecodeError:
        return None
    return orjson.Fragment(text)


def rows(session: Session, *, where: EventFilter, chunk: int = 2000) -> Iterator[Any]:
    """Every matching row in id order, fetched `chunk` at a time (server-side cursor on PostgreSQL)."""
    query = filtered(select(*_FIELDS), where=where).order_by(Event.id)
    yield from session.execute(query.execution_options(yield_per=chunk, stream_results=True))


def page(session: Session, *, where: EventFilter, after_id: int, limit: int) -> tuple[list[dict], int | None]:
    query = filtered(select(*_FIELDS), where=where).where(Event.id > after_id).order_by(Event.id).limit(limit)
    found = list(session.execute(query))
    events = [{"id": row.id, "unit": row.unit_id, "workstation": row.workstation_id, "outcome": row.outcome, "document_type": row.document_type,
               "received_at": as_utc(row.received_at), "event": event_dict(row)} for row in found]
    return events, (found[-1].id if len(found) == limit else None)


def page_json(session: Session, *, where: EventFilter, after_id: int, limit: int) -> bytes:
    """GET /api/v1/events's answer (EventPage), written by orjson with each event's stored `data`
    text spliced in as it is: robust to anything stored, and no parse of it on the way out."""
    query = filtered(select(*_FIELDS), where=where).where(Event.id > after_id).order_by(Event.id).limit(limit)
    found = list(session.execute(query))
    events = [{"id": row.id, "unit": row.unit_id, "workstation": row.workstation_id, "outcome": row.outcome,
               "document_type": row.document_type, "received_at": _utc_text(row.received_at),
               "event": wire_dict(row)} for row in found]
    return orjson.dumps({"events": events, "next_after_id": found[-1].id if len(found) == limit else None})


def _utc_text(moment: datetime | None) -> str | None:
    moment = as_utc(moment)
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


@dataclass(frozen=True)
class ChainVerdict:
    chain: str
    mode: str
    events: int
    ok: bool
    problem: str | None  # gap | prev_hash | hash
    problem_seq: int | None
    head_seq: int
    head_hash: str


def chains_of(session: Session, *, workstation: str, mode: str | None) -> list[tuple[str, str]]:
    query = select(ChainHead.chain, ChainHead.mode).where(ChainHead.workstation_id == workstation)
    if mode is not None:
        query = query.where(ChainHead.mode == mode)
    return [(chain, chain_mode) for chain, chain_mode in session.execute(query.order_by(ChainHead.chain, ChainHead.mode))]


def verify_chain(session: Session, *, chain: str, mode: str) -> ChainVerdict:
    done = verify_range(session, chain=chain, mode=mode, after_seq=0, prev_hash=GENESIS)
    return ChainVerdict(chain, mode, done.seq, done.problem is None, done.problem, done.problem_seq, done.seq,
                        done.prev_hash)


@dataclass(frozen=True)
class RangeVerdict:
    seq: int  # the last sequence verified (the chain holds gaplessly up to it)
    prev_hash: str  # that event's hash: where the next range links
    checked: int  # events read in this range
    problem: str | None  # gap | prev_hash | hash
    problem_seq: int | None


def verify_range(session: Session, *, chain: str, mode: str, after_seq: int, prev_hash: str,
                 limit: int | None = None) -> RangeVerdict:
    """Events after `after_seq` (whose hash is `prev_hash`) re-hashed and linked, `limit` at most
    (all when None), up to the first problem: a chain can be verified a step at a time."""
    query = select(*_FIELDS).where(Event.chain == chain, Event.mode == mode, Event.seq > after_seq).order_by(Event.seq)
    if limit is not None:
        query = query.limit(limit)
    seq, previous, checked = after_seq, prev_hash, 0
    for row in session.execute(query.execution_options(yield_per=2000, stream_results=True)):
        checked += 1
        event = event_dict(row)
        problem = ("gap" if row.seq != seq + 1 else "prev_hash" if row.prev_hash != previous
                   else None if event["data"] is not None and hash_matches(event, row.hash) else "hash")
        if problem:
            return RangeVerdict(seq, previous, checked, problem, row.seq)
        seq, previous = row.seq, row.hash
    return RangeVerdict(seq, previous, checked, None, None)
