"""The export's own writers: CSV lines byte for byte what the csv module writes, and the
streaming XLSX read back by openpyxl (an independent implementation) — header, frozen panes,
widths, Vietnamese text, escaping, blank cells, more rows than a sheet holds."""

from __future__ import annotations

import csv
import io
import random
import zipfile

import pytest

from app.audit.export import _FORMULA_STARTS, csv_lines
from app.audit.xlsx_stream import XlsxStream

openpyxl = pytest.importorskip("openpyxl")

_WORDS = ["Quyết định", "Nguyễn Văn An", "Trần Thị Bình", "đ", "😀", "a,b", 'say "hi"', "line\nbreak", "cr\rhere",
          "=cmd|' /C calc'!A0", "+1", "-2", "@x", "\ttab", "A&B <c>", "_x0041_", "\x01ctl", "\ufeffbom", " lead",
          "trail ", "", "ok"]


def _value(rng: random.Random) -> str:
    return "".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 3)))


def _human_row(rng: random.Random, seq: int) -> tuple[str, ...]:
    """HUMAN_COLUMNS as text, mostly plain, sometimes anything."""
    plain = rng.random() < 0.7
    free = (lambda: rng.choice(["Nguyễn Văn An", "", "an"])) if plain else (lambda: _value(rng))
    data = '{"document":"' + free().replace('"', '\\"') + '","outcome":"ok"}' if plain else _value(rng)
    return (str(seq), "production", "2026-11-22T21:03:05.123456+07:00", "2026-11-22T14:03:05.123456Z",
            "sign.succeeded", rng.choice(["ok", "failed", ""]), free(), free(), free(),
            rng.choice(["quyết-định-15.pdf", ""]) if plain else _value(rng), data, "ab" * 32)


def _csv_module(row: tuple[str, ...]) -> bytes:
    values = list(row)
    if values[9].startswith(_FORMULA_STARTS):
        values[9] = "'" + values[9]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue().encode()


def test_csv_lines_are_the_csv_modules_bytes():
    rng = random.Random(4180)
    for _ in range(300):
        rows = [_human_row(rng, seq) for seq in range(rng.randint(1, 20))]
        assert csv_lines([tuple(value.encode() for value in row) for row in rows]) == b"".join(map(_csv_module, rows))


def test_csv_lines_replace_bytes_that_are_not_utf8_and_write_numbers():
    row = (b"7", b"production", b"x", b"y", b"t", 1, b"\xff\xfeAn", b"", b"an", b"d.pdf", b'{"a":1}', b"h")
    assert csv_lines([row]) == '7,production,x,y,t,1,\ufffd\ufffdAn,,an,d.pdf,"{""a"":1}",h\r\n'.encode()


def _write(path, rows, **options):
    titles = ["Số TT", "Chế độ", *(f"Cột {index}" for index in range(3, 13))]
    with XlsxStream(path, titles=titles, widths=[8, 11, 33, 28, 20, 9, 24, 16, 12, 40, 80, 66], free_text=(6, 7, 8, 9), **options) as book:
        for start in range(0, len(rows), 7):
            book.write_rows(rows[start:start + 7])
    return titles


def _shown(value: str) -> str | None:
    """What a reader of the workbook gets for a text value: XML-illegal characters removed."""
    shown = "".join(ch for ch in value if ch in "\t\n\r" or (ord(ch) >= 0x20 and ch not in "\ufffe\uffff"))
    return shown or None


def test_xlsx_reads_back_with_header_frozen_panes_widths_and_text(tmp_path):
    rng = random.Random(1904)
    rows = [(seq, *(value.encode() for value in _human_row(rng, seq)[1:])) for seq in range(1, 400)]
    rows.append((400, b"production", b"\xff\xfe", *([b"x"] * 9)))  # not UTF-8
    titles = _write(tmp_path / "a.xlsx", rows)
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    assert [cell.value for cell in sheet[1]] == titles and sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["J"].width == 40 and sheet.column_dimensions["K"].width == 80
    read = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(read) == 400
    for got, row in zip(read, rows[:-1], strict=False):
        assert got[0] == row[0]
        excel = [value.replace("_x005F_", "_") if value else value for value in got[1:]]  # (Excel's unescape)
        assert excel == [_shown(value.decode()) for value in row[1:]]
    assert read[-1][2] == "\ufffd\ufffd"


def test_xlsx_escapes_excels_own_escape_and_keeps_carriage_returns(tmp_path):
    _write(tmp_path / "a.xlsx", [(1, *([b"_x0041_ cr\rhere"] * 11))])
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "_x005F_x0041_ cr&#13;here" in sheet and "_x0041_ cr" not in sheet.replace("_x005F_x0041_", "")


def test_a_sheet_full_continues_on_the_next_under_the_same_header(tmp_path):
    rows = [(seq, *([f"Văn bản {seq}".encode()] * 11)) for seq in range(1, 13)]
    titles = _write(tmp_path / "a.xlsx", rows, sheet_rows=5)
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert book.sheetnames == ["Sheet1", "Sheet2", "Sheet3"]
    seqs = []
    for sheet in book.worksheets:
        assert [cell.value for cell in sheet[1]] == titles and sheet.freeze_panes == "A2"
        seqs += [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert seqs == list(range(1, 13))


def test_an_empty_export_is_a_workbook_with_its_header(tmp_path):
    titles = _write(tmp_path / "a.xlsx", [])
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    assert [cell.value for cell in sheet[1]] == titles and sheet.max_row == 1


def test_a_failed_export_leaves_the_file_closed(tmp_path):
    with pytest.raises(RuntimeError), XlsxStream(tmp_path / "a.xlsx", titles=["a", "b"], widths=[1, 2]) as book:
        book.write_rows([(1, b"x")])
        raise RuntimeError("cancelled")
    (tmp_path / "a.xlsx").unlink()  # closed: removable everywhere
