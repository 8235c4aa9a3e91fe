"""The zone the server shows times in and reads typed dates in (`console_timezone`), and the one
strict reading of the times and days a client sends."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

__all__ = ["local_zone", "parse_day", "parse_moment"]


@functools.cache
def local_zone(name: str) -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ImportError, KeyError, ValueError, OSError):
        return timezone(timedelta(hours=7), "ICT")  # Việt Nam: UTC+7, no daylight saving


_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_moment(text: str) -> datetime | None:
    """An RFC 3339 date-time with its zone ("Z" or ±HH:MM, at most ±15:59 as PostgreSQL takes), as
    an aware UTC datetime; None for anything else: no Unix times, no fractions of a number, no
    week dates, no naive times, no offsets beyond ±15:59, nothing beyond the years 0001–9999 in UTC.
    Digits beyond microseconds are cut (RFC 3339 allows any number)."""
    found = _RFC3339.fullmatch(text) if isinstance(text, str) and text.isascii() else None
    if found is None:
        return None
    year, month, day, hour, minute, second, fraction, z, sign, off_h, off_m = found.groups()
    if z is None and (int(off_h) > 15 or int(off_m) > 59):
        return None
    try:
        zone = UTC if z else timezone(int(sign + "1") * timedelta(hours=int(off_h), minutes=int(off_m)))
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                          int((fraction or "0")[:6].ljust(6, "0")), tzinfo=zone)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # 31 February, 24:00, a leap second, a year beyond 9999 in UTC
        return None


def parse_day(text: str) -> date | None:
    """YYYY-MM-DD (nothing else), a real day, not the first or last day of the calendar (whose
    midnight in another zone would fall outside it)."""
    found = _DAY.fullmatch(text) if isinstance(text, str) and text.isascii() else None
    if found is None:
        return None
    try:
        day = date(*(int(part) for part in found.groups()))
    except ValueError:
        return None
    return day if date.min < day < date.max else None
