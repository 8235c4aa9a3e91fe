"""Comparing Vietnamese text: normalised case and spacing, with or without diacritics."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "strip_marks"]


def fold(text: str) -> str:
    """NFC, case-folded, single spaces: "QUYẾT  ĐỊNH" and "Quyết định" compare equal."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


def strip_marks(text: str) -> str:
    """Without diacritics (đ → d): for recognising text typed without Vietnamese marks."""
    decomposed = unicodedata.normalize("NFD", fold(text).replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
