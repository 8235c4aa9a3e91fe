"""Comparing Vietnamese text: normalised case and spacing, with or without diacritics."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "strip_marks", "strip_folded"]

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFC, case-folded, single spaces: "QUYẾT  ĐỊNH" and "Quyết định" compare equal."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def strip_marks(text: str) -> str:
    """Without diacritics (đ → d): for recognising text typed without Vietnamese marks."""
    return strip_folded(fold(text))


def strip_folded(folded: str) -> str:
    """`strip_marks` of a text already folded (each line is folded once per document)."""
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFD", folded.replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
