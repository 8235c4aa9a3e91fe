"""The stamp font: Times New Roman, or its metric twin Liberation Serif 2.x.

Decree 30 stamps are Times New Roman 10 pt. Windows always has it; on Linux Debian's
fonts-liberation2 provides Liberation Serif 2.x. Version 1.x of Liberation lacks Vietnamese
glyphs (ệ, ắ, ộ…), so every candidate is checked for them before use.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .errors import SigningError, SigningErrorCode

__all__ = ["stamp_font_path", "covers_vietnamese", "VIETNAMESE_SAMPLE"]

FONT_ENV = "KYSO_STAMP_FONT"
VIETNAMESE_SAMPLE = "ĂÂĐÊÔƠƯăâđêôơư ệắộẫỹữựờởẻẽẹỉĩịọỏõụủũỳỷỵ ÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰ"

_CANDIDATES = (
    "{windir}/Fonts/times.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/times.ttf",
    "/usr/share/fonts/liberation-serif/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/Library/Fonts/Times New Roman.ttf",
    "/System/Library/Fonts/Supplemental/Times New Roman.ttf",
)


@functools.lru_cache(maxsize=8)
def covers_vietnamese(path: str) -> bool:
    """True when the font has a glyph for every Vietnamese letter."""
    try:
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True) as font:
            cmap = font.getBestCmap() or {}
    except Exception:
        return False
    return all(ord(ch) in cmap for ch in VIETNAMESE_SAMPLE if not ch.isspace())


@functools.lru_cache(maxsize=1)
def stamp_font_path() -> Path:
    """The first installed Times New Roman or Liberation Serif that covers Vietnamese."""
    override = os.environ.get(FONT_ENV)
    candidates = [override] if override else []
    windir = os.environ.get("WINDIR", "C:/Windows")
    candidates += [pattern.format(windir=windir) for pattern in _CANDIDATES]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and covers_vietnamese(candidate):
            return Path(candidate)
    raise SigningError(SigningErrorCode.FONT_MISSING)
