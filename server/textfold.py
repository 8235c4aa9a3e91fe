"""Text folded for search: Vietnamese without its diacritics, in lower case.

"Quyết định số 15.PDF" and "quyet dinh so 15.pdf" fold to the same key, so an administrator can
find a document typed without accents (as most people type file names). đ/Đ are letters of their
own in Unicode (no decomposition), so they are mapped by hand.
"""

from __future__ import annotations

import unicodedata

__all__ = ["FOLDED_MAX", "fold"]

FOLDED_MAX = 300  # characters kept: enough for any file name, bounded for the index
_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "\x00": ""})


def fold(text: str) -> str:
    if text.isascii():  # most file names: nothing to decompose (ingestion folds one per event)
        return " ".join(text.replace("\x00", "").lower().split())[:FOLDED_MAX]
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())[:FOLDED_MAX]
