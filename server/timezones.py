"""The zone the server shows times in and reads typed dates in (`console_timezone`)."""

from __future__ import annotations

import functools
from datetime import timedelta, timezone, tzinfo

__all__ = ["local_zone"]


@functools.cache
def local_zone(name: str) -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ImportError, KeyError, ValueError, OSError):
        return timezone(timedelta(hours=7), "ICT")  # Việt Nam: UTC+7, no daylight saving
