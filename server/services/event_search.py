"""The console's reading of events: newest first, a page at a time by keyset (never OFFSET: page
1,000 costs what page 1 does), one event by id, and the counts the overview and the trainer's
report show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..db import as_utc
from ..models import Event
from .events import EventFilter, filtered

__all__ = ["Cursor", "SIGNATURE_TYPES", "event_by_id", "newest_first", "outcome_counts", "practice_summary"]

SIGNATURE_TYPES = ("sign.succeeded", "sign.failed", "sign.refused", "sign.recovered")
_LISTED = (Event.id, Event.unit_id, Event.workstation_id, Event.chain, Event.mode, Event.seq, Event.type,
           Event.outcome, Event.at_utc, Event.at_local, Event.os_user, Event.user_name, Event.data)


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last event's time and id (the order is time, then id, newest first)."""

    at_utc: datetime
    id: int

    def text(self) -> str:
        return f"{as_utc(self.at_utc).strftime('%Y%m%dT%H%M%S.%fZ')}~{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """None for anything that is not a cursor this console made (a hand-edited URL starts over)."""
        if not text or "~" not in text:
            return None
        moment, _, ident = text.partition("~")
        try:
            return cls(datetime.strptime(moment, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC), int(ident))
        except ValueError:
            return None


def newest_first(session: Session, *, where: EventFilter, before: Cursor | None, limit: int
                 ) -> tuple[list[Any], Cursor | None]:
    """One page of events, newest first, and the cursor of the next (older) page (None: no more)."""
    query = filtered(select(*_LISTED), where=where)
    if before is not None:
        query = query.where(or_(Event.at_utc < before.at_utc, and_(Event.at_utc == before.at_utc, Event.id < before.id)))
    found = list(session.execute(query.order_by(Event.at_utc.desc(), Event.id.desc()).limit(limit + 1)))
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], Cursor(last.at_utc, last.id)


def event_by_id(session: Session, *, event_id: int) -> Event | None:
    return session.get(Event, event_id)


def outcome_counts(session: Session, *, unit: str | None, since: datetime, mode: str = "production") -> dict[str, int]:
    """Signatures since `since`, by outcome (ok, failed, refused)."""
    query = (select(Event.outcome, func.count()).where(Event.type.in_(SIGNATURE_TYPES), Event.mode == mode,
                                                       Event.at_utc >= since).group_by(Event.outcome))
    if unit is not None:
        query = query.where(Event.unit_id == unit)
    return {outcome or "": count for outcome, count in session.execute(query)}


def practice_summary(session: Session, *, where: EventFilter, types: Sequence[str], limit: int = 500
                     ) -> list[tuple[str, str, str, int]]:
    """(trainee, event type, outcome, count) for the trainer's report, trainees in name order."""
    who = func.coalesce(Event.user_name, Event.os_user)
    query = (filtered(select(who, Event.type, Event.outcome, func.count()), where=where)
             .where(Event.type.in_(types)).group_by(who, Event.type, Event.outcome).order_by(who, Event.type)
             .limit(limit))
    return [(name, kind, outcome or "", count) for name, kind, outcome, count in session.execute(query)]
