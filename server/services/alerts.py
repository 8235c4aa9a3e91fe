"""Tamper alerts, listed for the unit's administrators and auditors."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import as_utc
from ..models import Alert

__all__ = ["list_alerts"]


def list_alerts(session: Session, *, unit: str | None, limit: int) -> list[dict]:
    query = select(Alert).order_by(Alert.id.desc()).limit(limit)
    if unit is not None:
        query = query.where(Alert.unit_id == unit)
    return [{"id": a.id, "unit": a.unit_id, "workstation": a.workstation_id, "chain": a.chain, "mode": a.mode, "kind": a.kind,
             "seq": a.seq, "stored_hash": a.stored_hash, "received_hash": a.received_hash,
             "created_at": as_utc(a.created_at), "repeats": a.repeats}
            for a in session.execute(query).scalars()]
