"""The latest time the server knows it has lived: its clock, or the latest moment it recorded,
whichever is later. A clock stepped back (a bad NTP source, a restored VM snapshot, a hand-set
BIOS clock) must not revive what had expired, so expiries are judged against this."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import as_utc
from ..models import AdminLogEntry, AdminSession, EnrolmentCode, Workstation

__all__ = ["latest_seen"]


def latest_seen(session: Session, *, now: datetime) -> datetime:
    """`now`, or the latest moment written down, if later: the last admin-log entry (every sign-in,
    code and enrolment writes one), the latest enrolment code made or used, the latest contact of
    any workstation (every batch it sends), the latest use of an admin session. A few small
    aggregates, read only where an expiry decides (enrolment), never on ingestion."""
    moments = [now]
    moments += session.execute(select(
        func.max(EnrolmentCode.created_at), func.max(EnrolmentCode.used_at),
    )).one()
    moments += session.execute(select(
        func.max(Workstation.last_seen_at), func.max(Workstation.enrolled_at), func.max(Workstation.reported_at),
    )).one()
    moments.append(session.execute(select(func.max(AdminSession.last_used_at))).scalar())
    last_entry = session.execute(select(AdminLogEntry.at).order_by(AdminLogEntry.seq.desc()).limit(1)).scalar()
    if last_entry:
        moments.append(datetime.fromisoformat(last_entry))
    return max(as_utc(_as_datetime(m)) for m in moments if m is not None)


def _as_datetime(value) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value  # SQLite's aggregates are text
