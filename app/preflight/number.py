"""The document's number and symbol ("Số: 15/QĐ-VKSTC"), and what is wrong with it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DocumentNumber", "find_number"]

_NUMBER = re.compile(
    r"S[ốỐốo]\s*[:.]?\s*(?P<num>\d+|\.{2,}|…+)\s*/\s*(?P<sym>[^\s,/]+(?:\s*-\s*[^\s,/]+)*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DocumentNumber:
    text: str  # as written, e.g. "15/QĐ-VKSTC"
    number: str | None  # "15", or None when not assigned yet ("…/QĐ-VKSTC")
    symbol: str  # "QĐ-VKSTC"
    has_spaces: bool

    @property
    def first_part(self) -> str:
        return re.sub(r"\s+", "", self.symbol).split("-")[0]

    @property
    def needs_leading_zero(self) -> bool:
        return self.number is not None and len(self.number) == 1


def find_number(lines: Iterable[str]) -> DocumentNumber | None:
    for line in lines:
        match = _NUMBER.search(line)
        if match is None:
            continue
        raw = match.group(0)
        body = raw[raw.index(match.group("num")):]
        number = match.group("num") if match.group("num").isdigit() else None
        return DocumentNumber(
            text=re.sub(r"\s+", "", body),
            number=number,
            symbol=match.group("sym"),
            has_spaces=bool(re.search(r"\s", body)),
        )
    return None
