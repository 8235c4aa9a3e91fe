"""The console's use of admin sessions: when each was last used, and ending one left idle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..db import as_utc
from ..models import AdminSession
from ..security import secret_hash
from . import adminlog

__all__ = ["end_idle_session", "last_used", "mark_used"]


def last_used(session: Session, *, token: str) -> datetime | None:
    value = session.execute(select(AdminSession.last_used_at)
                            .where(AdminSession.token_hash == secret_hash(token))).scalar_one_or_none()
    return as_utc(value)


def mark_used(session: Session, *, token: str, now: datetime) -> None:
    session.execute(update(AdminSession).where(AdminSession.token_hash == secret_hash(token)).values(last_used_at=now))


def end_idle_session(session: Session, *, token: str, actor: str) -> None:
    ended = session.execute(delete(AdminSession).where(AdminSession.token_hash == secret_hash(token))).rowcount
    if ended:
        adminlog.record(session, actor=actor, action="session.idle_ended")
