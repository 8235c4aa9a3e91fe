"""Which catalogue type a document is: by its title on page 1, the words under it, its number's
abbreviation and its file name — by full name, never by an abbreviation alone.

Each head line of a document is folded once (with and without diacritics) and the catalogue's
titles once per catalogue, so recognising a document costs a few dictionary look-ups per line
whatever the number of types. Titles are found as units lay them out: alone on their line, with
the words of a specific type after them on the same line ("QUYẾT ĐỊNH PHÂN CÔNG KIỂM SÁT VIÊN"),
or split over two lines ("QUYẾT ĐỊNH KHÁNG NGHỊ" / "PHÚC THẨM"). A title that is not alone on its
line must be written in capitals, as titles are (a body line "Thông báo kết quả …" is not a
title); where several titles fit, the longest wins ("QUYẾT ĐỊNH KHÁNG NGHỊ PHÚC THẨM" is a
kháng nghị, not a plain quyết định). A title without diacritics is never enough to be sure: the
user confirms the type unless the words of a specific type follow it with their diacritics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..catalogue.model import Catalogue, DocumentType
from .number import DocumentNumber
from .text import fold, strip_folded

__all__ = ["Recognition", "recognise"]

TITLE_EXACT, TITLE_WITHOUT_MARKS, SUBTITLE, NUMBER_AGREES, FILE_NAME, LETTER = 10, 6, 5, 2, 1, 8
SUBTITLE_WITHOUT_MARKS = 3  # with a title without diacritics: still short of sure
HIGH = 10
_HEAD_LINES = 30
_SUBTITLE_LINES = 5  # the title line and the four under it


@dataclass(frozen=True)
class Recognition:
    type: DocumentType | None
    confidence: str  # "high", "low" (the user must confirm) or "none"
    candidates: tuple[str, ...]  # names of the best-scoring types, when more than one
    evidence: tuple[str, ...]  # what the decision rests on: title, subtitle, number, file-name


@dataclass(frozen=True)
class _TypeKeys:
    titles: frozenset[str]  # folded
    bare_titles: frozenset[str]  # folded, without diacritics
    subtitle: tuple[str, ...]
    bare_subtitle: tuple[str, ...]
    file_names: tuple[str, ...]


@dataclass(frozen=True)
class _Index:
    """The catalogue's texts, folded once: every title (by its folded form, longest first)."""

    keys: dict[str, _TypeKeys]
    titles: dict[str, tuple[str, ...]]  # by first word, longest first
    bare_titles: dict[str, tuple[str, ...]]
    abbreviations: frozenset[str]


@dataclass(frozen=True)
class _Head:
    """One document's head lines, each folded once."""

    original: tuple[str, ...]  # whitespace collapsed
    folded: tuple[str, ...]
    bare: tuple[str, ...]


_INDEXES: dict[int, tuple[Catalogue, _Index]] = {}


def _index(catalogue: Catalogue) -> _Index:
    cached = _INDEXES.get(id(catalogue))
    if cached is not None and cached[0] is catalogue:
        return cached[1]
    keys = {}
    for doc_type in catalogue.types:
        titles = frozenset(fold(title) for title in doc_type.titles)
        subtitle = tuple(fold(words) for words in doc_type.subtitle)
        keys[doc_type.name] = _TypeKeys(
            titles=titles, bare_titles=frozenset(strip_folded(title) for title in titles), subtitle=subtitle,
            bare_subtitle=tuple(strip_folded(words) for words in subtitle),
            file_names=tuple(_file_key(hint) for hint in doc_type.file_names))
    index = _Index(
        keys=keys,
        titles=_by_first_word({t for k in keys.values() for t in k.titles}),
        bare_titles=_by_first_word({t for k in keys.values() for t in k.bare_titles}),
        abbreviations=catalogue.abbreviations,
    )
    if len(_INDEXES) > 16:
        _INDEXES.clear()
    _INDEXES[id(catalogue)] = (catalogue, index)
    return index


def _by_first_word(titles: set[str]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for title in titles:
        grouped.setdefault(title.split(" ", 1)[0], []).append(title)
    return {word: tuple(sorted(group, key=len, reverse=True)) for word, group in grouped.items()}


def recognise(catalogue: Catalogue, lines: list[str], number: DocumentNumber | None, path: Path) -> Recognition:
    index = _index(catalogue)
    head = _fold_head(lines[:_HEAD_LINES])
    titles = _title_matches(index, head)
    letter = _looks_like_letter(head, number, index)
    file_name = _file_key(path.stem)
    scores: dict[str, tuple[float, list[str]]] = {}
    for doc_type in catalogue.types:
        keys = index.keys[doc_type.name]
        score, evidence = _score(doc_type, keys, head, titles.get(doc_type.name), number, letter, file_name, index)
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


def _fold_head(lines: list[str]) -> _Head:
    original = tuple(re.sub(r"\s+", " ", line).strip() for line in lines)
    folded = tuple(fold(line) for line in original)
    return _Head(original=original, folded=folded, bare=tuple(strip_folded(line) for line in folded))


def _score(doc_type: DocumentType, keys: _TypeKeys, head: _Head, title_at: tuple[int, bool] | None, number,
           letter: bool, file_name: str, index: _Index):
    score, evidence = 0.0, []
    if title_at is not None:
        at, exact = title_at
        subtitle = _subtitle_matches(keys, head, at) if keys.subtitle else None
        if keys.subtitle and subtitle is None:
            return 0.0, []  # a specific type whose words are not there does not apply
        score += TITLE_EXACT if exact else TITLE_WITHOUT_MARKS
        evidence.append("title" if exact else "title-without-diacritics")
        if subtitle is not None:
            score += SUBTITLE if subtitle else SUBTITLE_WITHOUT_MARKS
            evidence.append("subtitle" if subtitle else "subtitle-without-diacritics")
    elif doc_type.recognise_without_title and letter:
        score += LETTER
        evidence.append("letter-form")
    if number is not None and _number_agrees(doc_type, number, index):
        if score:
            score += NUMBER_AGREES
            evidence.append("number")
        elif doc_type.abbreviations:
            score += 3  # the abbreviation alone: never enough to be sure (CT: Chỉ thị or Cáo trạng?)
            evidence.append("number-only")
    if any(hint in file_name for hint in keys.file_names):
        score += FILE_NAME
        evidence.append("file-name")
    return score, evidence


def _title_matches(index: _Index, head: _Head) -> dict[str, tuple[int, bool]]:
    """Each type whose title the head shows: the first line it starts on, and whether it was
    written with its diacritics (a match with them anywhere beats one without)."""
    exact: dict[str, int] = {}
    bare: dict[str, int] = {}
    for at in range(len(head.folded)):
        title = _title_at(index.titles, head.folded, head.original, at)
        if title is not None:
            for name, keys in index.keys.items():
                if title in keys.titles:
                    exact.setdefault(name, at)
            continue
        title = _title_at(index.bare_titles, head.bare, head.original, at)
        if title is not None:
            for name, keys in index.keys.items():
                if title in keys.bare_titles:
                    bare.setdefault(name, at)
    found = {name: (at, False) for name, at in bare.items()}
    found.update({name: (at, True) for name, at in exact.items()})
    return found


def _title_at(titles: dict[str, tuple[str, ...]], keys: tuple[str, ...], original: tuple[str, ...],
              at: int) -> str | None:
    """The longest title starting line `at`: the whole line (as written), or in capitals at the
    start of the line, or in capitals running on into the next line."""
    line = keys[at]
    if not line:
        return None
    candidates = titles.get(line.split(" ", 1)[0])
    if not candidates:
        return None
    joined = f"{line} {keys[at + 1]}" if at + 1 < len(keys) and keys[at + 1] else None
    words_on_line = line.count(" ") + 1
    for title in candidates:  # longest first
        if line == title:
            return title
        words = title.count(" ") + 1
        if line.startswith(title + " ") and _capitals(original[at], words):
            return title
        if joined is not None and words > words_on_line and (joined == title or joined.startswith(title + " ")) \
                and _capitals(f"{original[at]} {original[at + 1]}", words):
            return title
    return None


def _capitals(text: str, words: int) -> bool:
    """The first `words` words of `text` are written in capitals (as a title is)."""
    return all(word.isupper() for word in text.split(" ")[:words])


def _subtitle_matches(keys: _TypeKeys, head: _Head, at: int) -> bool | None:
    """True: the type's words follow its title as written; False: only without diacritics."""
    text = " ".join(head.folded[at : at + _SUBTITLE_LINES])
    if all(words in text for words in keys.subtitle):
        return True
    bare = " ".join(head.bare[at : at + _SUBTITLE_LINES])
    return False if all(words in bare for words in keys.bare_subtitle) else None


def _looks_like_letter(head: _Head, number, index: _Index) -> bool:
    """A công văn: no title, a "V/v …" summary line, a number without a type abbreviation."""
    has_summary = any(line.startswith(("v/v", "về việc")) for line in head.folded)
    plain_number = number is not None and number.first_part not in index.abbreviations
    return has_summary and plain_number


def _number_agrees(doc_type: DocumentType, number: DocumentNumber, index: _Index) -> bool:
    first = number.first_part
    if not doc_type.abbreviations:
        return not any(first.startswith(a) for a in index.abbreviations)
    return any(first.startswith(abbreviation) for abbreviation in doc_type.abbreviations)


def _file_key(name: str) -> str:
    return strip_folded(fold(re.sub(r"[_\s]+", "-", name)))
