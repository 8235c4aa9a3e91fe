"""Is the name printed in the signer block the certificate holder's?

Compared folded: case, diacritics (đ → d, "Hoà" and "Hòa" alike), spaces and punctuation do not
count; titles and honorifics before or after the name ("Kiểm sát viên", "TS.", "Đồng chí", the
catalogue's positions, "Nguyễn Văn An - Kiểm sát viên") are set aside, never a word inside it.
A holder's common name made of several parts ("Nguyễn Văn An - VKSND tỉnh Bắc Ninh") matches
when one part is the printed name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .text import strip_marks

__all__ = ["HONORIFICS", "POSITIONS", "name_words", "printed_name", "same_person"]

# Said before a name (folded forms are compared): academic titles, forms of address. Only
# before it: "Anh" and "Bà" end many names.
HONORIFICS = (
    "GS", "PGS", "TS", "ThS", "CN", "KS", "BS", "LS", "NCS", "TSKH", "GS.TS", "PGS.TS",
    "Ông", "Bà", "Anh", "Chị", "Đồng chí", "Đ/c",
)
# Said before or after a name: ranks and positions of the procuracy (with the catalogue's own).
POSITIONS = (
    "Kiểm sát viên", "Kiểm sát viên cao cấp", "Kiểm sát viên trung cấp", "Kiểm sát viên sơ cấp",
    "Kiểm sát viên Viện kiểm sát nhân dân tối cao", "Kiểm tra viên", "Kiểm tra viên chính",
    "Kiểm tra viên cao cấp", "Điều tra viên", "Thẩm phán", "Thư ký", "Chuyên viên", "Chuyên viên chính",
    "Viện trưởng", "Phó Viện trưởng", "Chánh Văn phòng", "Phó Chánh Văn phòng", "Trưởng phòng",
    "Phó Trưởng phòng", "Vụ trưởng", "Phó Vụ trưởng", "Cục trưởng", "Phó Cục trưởng",
)
_WORD = re.compile(r"[a-z0-9]+")
_PARTS = re.compile(r"\s+[-–—]\s+|[(),;|]")
MAX_NAME_WORDS = 8  # a longer line is not a person's name


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(strip_marks(text)))


def _phrases(texts: Iterable[str]) -> list[tuple[str, ...]]:
    return sorted({w for t in texts if (w := _words(t))}, key=len, reverse=True)  # longest first


_LEADING_ONLY = _phrases(HONORIFICS)


def name_words(text: str, *, titles: Iterable[str] = ()) -> tuple[str, ...]:
    """The words of a name, folded, with titles before and after it set aside (one word of the
    name always stays)."""
    words = _words(text)
    positions = _phrases((*POSITIONS, *titles))
    leading = sorted((*_LEADING_ONLY, *positions), key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for phrase in leading:
            if len(words) > len(phrase) and words[:len(phrase)] == phrase:
                words, changed = words[len(phrase):], True
                break
        else:
            for phrase in positions:
                if len(words) > len(phrase) and words[-len(phrase):] == phrase:
                    words, changed = words[:-len(phrase)], True
                    break
    return words


def printed_name(line: str, *, titles: Iterable[str] = ()) -> str | None:
    """The line under the signer block, when it reads as a person's name (no digits, not an
    instruction in brackets, a few words once the titles are set aside); None otherwise."""
    stripped = line.strip()
    if any(ch.isdigit() for ch in stripped) or stripped[:1] in "([{<":
        return None  # a number, or an instruction such as "(Họ tên người ký)", "(Chữ ký, dấu)"
    titles = tuple(titles)
    words = name_words(line, titles=titles)
    if words in _phrases((*HONORIFICS, *POSITIONS, *titles)):
        return None  # a title alone ("Kiểm sát viên"), no name
    return line.strip() if 2 <= len(words) <= MAX_NAME_WORDS else None


def same_person(printed: str, holder: str, *, titles: Iterable[str] = ()) -> bool:
    """Whether `printed` (the signer block's name) names the certificate's `holder`."""
    titles = tuple(titles)
    wanted = "".join(name_words(printed, titles=titles))
    if not wanted:
        return True  # nothing printed to compare
    parts = [holder, *(p for p in _PARTS.split(holder) if p and p.strip())]
    return any("".join(name_words(part, titles=titles)) == wanted for part in parts)
