"""State-secret marks (MẬT, TỐI MẬT, TUYỆT MẬT): such a document must never be signed by kyso.

The mark is stamped as its own line or box ("MẬT", "Tối mật", "ĐỘ MẬT: TUYỆT MẬT"), usually
under the number on page 1. A line whose whole text is a mark — or which starts with "độ mật" —
counts; the same words inside ordinary text ("bảo vệ bí mật nhà nước") do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .text import fold, strip_marks

__all__ = ["secret_mark"]

_MARKS = ("tuyệt mật", "tối mật", "mật")
_PREFIXES = ("độ mật", "do mat")
_FRAMING = re.compile(r"^[\s\[\(\*\-–—:]+|[\s\]\)\*\-–—:.]+$")


def secret_mark(lines: Iterable[str]) -> str | None:
    """The mark found ("TUYỆT MẬT", "TỐI MẬT" or "MẬT"), or None."""
    for line in lines:
        text = _FRAMING.sub("", fold(line))
        bare = strip_marks(text)
        for mark in _MARKS:
            if text == mark or bare == strip_marks(mark):
                return mark.upper()
        if text.startswith(_PREFIXES) or bare.startswith(_PREFIXES):
            rest = text.split(":", 1)[-1].strip()
            return next((m.upper() for m in _MARKS if rest.endswith(m)), "MẬT")
    return None
