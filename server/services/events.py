"""Reading stored events: filters, pages, per-chain verification."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.audit.wire import GENESIS

from ..canonical import hash_matches
from ..db import as_utc
from ..models import ChainHead, Event

__all__ = ["ChainVerdict", "EventFilter", "chains_of", "event_dict", "filtered", "page", "rows", "verify_chain"]

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
    return query


def event_dict(row: Any) -> dict[str, Any]:
    """The event as the workstation sealed it (re-hashable), from a stored row."""
    return {"v": row.v, "workstation": row.chain, "mode": row.mode, "seq": row.seq,
            "prev_hash": row.prev_hash, "type": row.type, "at_utc": row.at_utc_text, "at_local": row.at_local,
            "os_user": row.os_user, "user_name": row.user_name, "user_role": row.user_role,
            "app_version": row.app_version, "data": json.loads(row.data), "hash": row.hash}


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
    query = (select(*_FIELDS).where(Event.chain == chain, Event.mode == mode)
             .order_by(Event.seq).execution_options(yield_per=2000, stream_results=True))
    count, previous = 0, GENESIS
    for row in session.execute(query):
        problem = ("gap" if row.seq != count + 1 else "prev_hash" if row.prev_hash != previous
                   else None if hash_matches(event_dict(row), row.hash) else "hash")
        if problem:
            return ChainVerdict(chain, mode, count, False, problem, row.seq, count, previous)
        count, previous = count + 1, row.hash
    return ChainVerdict(chain, mode, count, True, None, None, count, previous)
