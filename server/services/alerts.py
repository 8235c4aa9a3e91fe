"""Tamper alerts, listed for the unit's administrators and auditors, and acknowledged (with a
comment, recorded in the admin log) once someone has looked into them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import as_utc, now_utc
from ..errors import ServerError, ServerErrorCode
from ..models import Alert
from . import adminlog

__all__ = ["acknowledge", "list_alerts"]


def list_alerts(session: Session, *, unit: str | None, limit: int, open_first: bool = False) -> list[dict]:
    order = (Alert.acknowledged_at.is_not(None), Alert.id.desc()) if open_first else (Alert.id.desc(),)
    query = select(Alert).order_by(*order).limit(limit)
    if unit is not None:
        query = query.where(Alert.unit_id == unit)
    return [{"id": a.id, "unit": a.unit_id, "workstation": a.workstation_id, "chain": a.chain, "mode": a.mode, "kind": a.kind,
             "seq": a.seq, "stored_hash": a.stored_hash, "received_hash": a.received_hash,
             "created_at": as_utc(a.created_at), "repeats": a.repeats, "acknowledged_at": as_utc(a.acknowledged_at),
             "acknowledged_by": a.acknowledged_by, "acknowledgement": a.acknowledgement}
            for a in session.execute(query).scalars()]


def acknowledge(session: Session, *, actor: str, alert_id: int, scope: str | None, comment: str) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None or (scope is not None and alert.unit_id != scope):
        raise ServerError(ServerErrorCode.NOT_FOUND, detail="alert")  # another unit's alert: as if none
    comment = comment.strip()
    if not comment:
        raise ServerError(ServerErrorCode.REQUEST_INVALID, detail="comment")
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by, alert.acknowledgement = now_utc(), actor, comment[:2000]
        adminlog.record(session, actor=actor, action="alert.acknowledged", target=str(alert.id),
                        details={"workstation": alert.workstation_id, "chain": alert.chain, "seq": alert.seq,
                                 "comment": comment[:2000]})
    return alert
