"""Which catalogue type a document is: by its title on page 1, the words under it, its number's
abbreviation and its file name — by full name, never by an abbreviation alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..catalogue.model import Catalogue, DocumentType
from .number import DocumentNumber
from .text import fold, strip_marks

__all__ = ["Recognition", "recognise"]

TITLE_EXACT, TITLE_WITHOUT_MARKS, SUBTITLE, NUMBER_AGREES, FILE_NAME, LETTER = 10, 6, 5, 2, 1, 8
HIGH = 10
_HEAD_LINES = 30


@dataclass(frozen=True)
class Recognition:
    type: DocumentType | None
    confidence: str  # "high", "low" (the user must confirm) or "none"
    candidates: tuple[str, ...]  # names of the best-scoring types, when more than one
    evidence: tuple[str, ...]  # what the decision rests on: title, subtitle, number, file-name


def recognise(catalogue: Catalogue, lines: list[str], number: DocumentNumber | None, path: Path) -> Recognition:
    head = lines[:_HEAD_LINES]
    scores: dict[str, tuple[float, list[str]]] = {}
    for doc_type in catalogue.types:
        score, evidence = _score(doc_type, head, number, path, catalogue)
        if score > 0:
            scores[doc_type.name] = (score, evidence)
    if not scores:
        return Recognition(None, "none", (), ())
    best = max(score for score, _ in scores.values())
    leaders = sorted(name for name, (score, _) in scores.items() if score == best)
    if len(leaders) > 1:
        return Recognition(None, "low", tuple(leaders), ())
    name = leaders[0]
    confidence = "high" if best >= HIGH else "low"
    return Recognition(catalogue.type_named(name), confidence, (name,), tuple(scores[name][1]))


def _score(doc_type: DocumentType, head: list[str], number, path: Path, catalogue: Catalogue):
    score, evidence = 0.0, []
    title_at = _title_line(doc_type, head)
    if title_at is not None:
        index, exact = title_at
        if doc_type.subtitle and not _subtitle_matches(doc_type, head[index : index + 5]):
            return 0.0, []  # a specific type whose words are not there does not apply
        score += TITLE_EXACT if exact else TITLE_WITHOUT_MARKS
        evidence.append("title" if exact else "title-without-diacritics")
        if doc_type.subtitle:
            score += SUBTITLE
            evidence.append("subtitle")
    elif doc_type.recognise_without_title and _looks_like_letter(head, number, catalogue):
        score += LETTER
        evidence.append("letter-form")
    if number is not None and _number_agrees(doc_type, number, catalogue):
        if score:
            score += NUMBER_AGREES
            evidence.append("number")
        elif doc_type.abbreviations:
            score += 3  # the abbreviation alone: never enough to be sure (CT: Chỉ thị or Cáo trạng?)
            evidence.append("number-only")
    if _file_name_matches(doc_type, path):
        score += FILE_NAME
        evidence.append("file-name")
    return score, evidence


def _title_line(doc_type: DocumentType, head: list[str]) -> tuple[int, bool] | None:
    exact = {fold(title) for title in doc_type.titles}
    bare = {strip_marks(title) for title in doc_type.titles}
    for index, line in enumerate(head):
        if fold(line) in exact:
            return index, True
    for index, line in enumerate(head):
        if strip_marks(line) in bare:
            return index, False
    return None


def _subtitle_matches(doc_type: DocumentType, following: list[str]) -> bool:
    text = fold(" ".join(following))
    return all(fold(words) in text for words in doc_type.subtitle)


def _looks_like_letter(head: list[str], number, catalogue: Catalogue) -> bool:
    """A công văn: no title, a "V/v …" summary line, a number without a type abbreviation."""
    has_summary = any(fold(line).startswith(("v/v", "về việc")) for line in head)
    plain_number = number is not None and number.first_part not in catalogue.abbreviations
    return has_summary and plain_number


def _number_agrees(doc_type: DocumentType, number: DocumentNumber, catalogue: Catalogue) -> bool:
    first = number.first_part
    if not doc_type.abbreviations:
        return not any(first.startswith(a) for a in catalogue.abbreviations)
    return any(first.startswith(abbreviation) for abbreviation in doc_type.abbreviations)


def _file_name_matches(doc_type: DocumentType, path: Path) -> bool:
    name = strip_marks(re.sub(r"[_\s]+", "-", path.stem))
    return any(strip_marks(re.sub(r"[_\s]+", "-", hint)) in name for hint in doc_type.file_names)
