"""Vietnam time: UTC+07:00 all year (no daylight saving), as Decree 30 stamps show it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

__all__ = ["VIETNAM", "iso_vietnam", "now_vietnam"]

VIETNAM = timezone(timedelta(hours=7), "ICT")


def now_vietnam() -> datetime:
    """The current time in Vietnam, to the second."""
    return datetime.now(VIETNAM).replace(microsecond=0)


def iso_vietnam(moment: datetime) -> str:
    """ISO 8601 with the Vietnam offset, e.g. 2026-03-20T14:30:15+07:00."""
    return moment.astimezone(VIETNAM).replace(microsecond=0).isoformat()
