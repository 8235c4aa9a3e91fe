"""The server's own hash-chained log of admin actions (logins, accounts, codes, revocations,
configuration, exports). Same construction as the workstations' chains: SHA-256 over the RFC 8785
encoding of the entry without its hash; the first entry's prev_hash is GENESIS."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import rfc8785
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.wire import GENESIS

from ..db import now_utc
from ..models import AdminLogEntry, AdminLogHead
from ..receipts import utc_text

__all__ = ["LogVerdict", "entry_hash", "record", "verify_log"]


def entry_hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(rfc8785.dumps({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def record(session: Session, *, actor: str, action: str, target: str = "",
           details: dict[str, Any] | None = None) -> int:
    """Append one entry in the caller's write transaction; returns its sequence number."""
    head = session.execute(select(AdminLogHead).where(AdminLogHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AdminLogHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    details_text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True)
    entry = {"seq": head.seq + 1, "prev_hash": head.hash, "at": utc_text(now_utc()), "actor": actor,
             "action": action, "target": target, "details": details_text}
    digest = entry_hash(entry)
    session.add(AdminLogEntry(**entry, hash=digest))
    head.seq, head.hash = entry["seq"], digest
    return entry["seq"]


@dataclass(frozen=True)
class LogVerdict:
    entries: int
    ok: bool
    first_bad_seq: int | None
    head_hash: str


def verify_log(session: Session) -> LogVerdict:
    previous, count = GENESIS, 0
    rows = session.execute(select(AdminLogEntry).order_by(AdminLogEntry.seq)).scalars()
    for row in rows:
        entry = {"seq": row.seq, "prev_hash": row.prev_hash, "at": row.at, "actor": row.actor,
                 "action": row.action, "target": row.target, "details": row.details}
        if row.seq != count + 1 or row.prev_hash != previous or entry_hash(entry) != row.hash:
            return LogVerdict(count, False, count + 1, previous)
        previous, count = row.hash, count + 1
    return LogVerdict(count, True, None, previous)
