"""Who takes part in a workshop: read from the trainer's CSV, or made up for `--count N`.

The CSV is what an office exports from Excel: UTF-8 (with or without BOM), comma, semicolon or
tab separated, a header row naming the columns ("Họ và tên", "Chức danh", optionally "STT")
or, without one, name then title. Every problem names its line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..preflight.text import strip_marks
from .errors import PracticeError, PracticeErrorCode

__all__ = ["MAX_TRAINEES", "Participant", "generated_participants", "read_participants"]

MAX_TRAINEES = 200
_NAME_HEADERS = {"ho ten", "ho va ten", "ten", "name", "full name", "ho ten hoc vien"}
_TITLE_HEADERS = {"chuc danh", "chuc vu", "title", "position", "chuc danh/chuc vu"}
_NUMBER_HEADERS = {"stt", "so", "so thu tu", "number", "no", "#"}
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
           "Ngô", "Dương", "Lý")
_MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Hữu", "Ngọc", "Đức", "Thu", "Quang", "Hoài")
_GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
          "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
          "Trung", "Tú", "Tuấn", "Yến", "Vinh")
_TITLES = ("Kiểm sát viên", "Kiểm sát viên", "Kiểm tra viên", "Kiểm sát viên", "Trưởng phòng", "Phó Viện trưởng")


@dataclass(frozen=True)
class Participant:
    number: int
    name: str
    title: str


def generated_participants(count: int) -> list[Participant]:
    """`count` distinct Vietnamese names with the positions of a procuracy unit."""
    _check_count(count)
    people = []
    for index in range(count):
        family = _FAMILY[index % len(_FAMILY)]
        middle = _MIDDLE[(index // len(_FAMILY)) % len(_MIDDLE)]
        given = _GIVEN[(index * 7) % len(_GIVEN)]
        people.append(Participant(index + 1, f"{family} {middle} {given}", _TITLES[index % len(_TITLES)]))
    return people


def read_participants(path: Path) -> list[Participant]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PracticeError(PracticeErrorCode.TRAINEES_UNREADABLE, file=path.name) from exc
    rows = [(line, row) for line, row in enumerate(csv.reader(io.StringIO(text), _dialect(text)), start=1)
            if any(cell.strip() for cell in row)]
    if not rows:
        raise PracticeError(PracticeErrorCode.TRAINEES_EMPTY, file=path.name)
    columns, rows = _columns(rows)
    people = [_participant(path, line, row, columns, index) for index, (line, row) in enumerate(rows, start=1)]
    _check_count(len(people))
    if not people:
        raise PracticeError(PracticeErrorCode.TRAINEES_EMPTY, file=path.name)
    numbers = [p.number for p in people]
    if len(set(numbers)) != len(numbers):
        raise PracticeError(PracticeErrorCode.TRAINEES_NUMBER_TWICE, file=path.name)
    return people


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _columns(rows: Sequence[tuple[int, list[str]]]) -> tuple[dict[str, int], Sequence[tuple[int, list[str]]]]:
    header = [strip_marks(cell).strip() for cell in rows[0][1]]
    found = {}
    for kind, names in (("name", _NAME_HEADERS), ("title", _TITLE_HEADERS), ("number", _NUMBER_HEADERS)):
        for index, cell in enumerate(header):
            if cell in names:
                found.setdefault(kind, index)
    if "name" in found:
        return found, rows[1:]
    return {"name": 0, "title": 1}, rows


def _participant(path: Path, line: int, row: list[str], columns: dict[str, int], index: int) -> Participant:
    def cell(kind: str) -> str:
        position = columns.get(kind)
        return " ".join(row[position].split()) if position is not None and position < len(row) else ""

    name, title = cell("name"), cell("title")
    if not name or len(name) > 80 or any(ord(ch) < 32 for ch in name):
        raise PracticeError(PracticeErrorCode.TRAINEE_NAME_INVALID, file=path.name, line=line)
    number_text = cell("number")
    if number_text and not number_text.isdigit():
        raise PracticeError(PracticeErrorCode.TRAINEE_NUMBER_INVALID, file=path.name, line=line, number=number_text)
    number = int(number_text) if number_text else index
    if not 1 <= number <= 999:
        raise PracticeError(PracticeErrorCode.TRAINEE_NUMBER_INVALID, file=path.name, line=line, number=number_text)
    return Participant(number, name, title[:80] or "Kiểm sát viên")


def _check_count(count: int) -> None:
    if not 1 <= count <= MAX_TRAINEES:
        raise PracticeError(PracticeErrorCode.TRAINEES_COUNT, count=count, max=MAX_TRAINEES)
