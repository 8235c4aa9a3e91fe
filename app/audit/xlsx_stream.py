"""A streaming XLSX writer for the audit export: rows go straight into the worksheet XML inside
the zip file, in constant memory.

XlsxWriter in constant_memory mode spends ~14 µs a cell on this machine: nearly three minutes
for a million 12-column events. Here a row is one %-format over the bytes SQLite gives
(text_factory=bytes), text goes in as inline strings (no shared-string table to keep), and the
deflating runs on a thread of its own — zlib and crc32 release the GIL, so it overlaps with
building the next rows.

What it writes: worksheets with a bold, shaded header row, the panes frozen under it and the
column widths; Excel holds 1,048,576 rows, so after 1,048,575 data rows the export continues on
the next sheet ("Sheet2"…), under the same header. The first column is an integer (the event's
seq), the others text. Text is XML-escaped; characters XML 1.0 does not allow (controls other
than tab and line feed, U+FFFE, U+FFFF) are removed; a carriage return is kept as `&#13;`;
Excel's own escape `_xHHHH_` is escaped where it occurs literally; bytes that are not UTF-8
become U+FFFD.
"""

from __future__ import annotations

import contextlib
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

from .writer_thread import BackgroundCalls, Chunks

__all__ = ["SHEET_ROWS", "XlsxStream"]

SHEET_ROWS = 1_048_575  # Excel's rows per sheet, less the header
_TEXT = b'<c t="inlineStr"><is><t>%s</t></is></c>'
_FREE_TEXT = b'<c t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'  # may start or end with spaces
# A batch takes the fast path when its text holds none of these bytes — what XML needs escaped
# (&, <, >), controls other than tab and line feed, 0xEF (the lead byte of U+F000…U+FFFF, among
# them the non-characters U+FFFE and U+FFFF) — nor Excel's escape _xHHHH_, and is UTF-8.
_SPECIAL = bytes(byte for byte in range(0x20) if byte not in b"\t\n") + b"&<>\xef"
_EXCEL_ESCAPE_BYTES = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def text_xml(value) -> bytes:
    """Any value as the XML text of an inline string (the careful path)."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    value = _EXCEL_ESCAPE.sub(r"_x005F_\1", _ILLEGAL.sub("", str(value)))
    return escape(value).replace("\r", "&#13;").encode("utf-8")


class XlsxStream:
    """Rows in, a workbook out: write_rows() as often as needed, then close() — or use it as a
    context manager (an exception aborts)."""

    def __init__(self, path: Path, *, titles: Sequence[str], widths: Sequence[float],
                 free_text: Sequence[int] = (), sheet_rows: int = SHEET_ROWS) -> None:
        """`free_text`: columns whose text may start or end with spaces (kept: xml:space="preserve")."""
        self._titles, self._widths, self._sheet_rows = titles, widths, sheet_rows
        self._free_text = frozenset(free_text)
        self._templates: dict[tuple[bool, ...], bytes] = {}  # by which values are there (not empty)
        self._file = open(path, "wb")  # noqa: SIM115 — closed by close() or abort() (or the with block)
        self._zip = zipfile.ZipFile(self._file, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._background = BackgroundCalls()
        self._out = Chunks(lambda data: self._background.run(self._write, data))
        self._sheets = 0  # sheets begun
        self._row = 0  # rows in the current sheet, header included
        self._sheet: IO[bytes] | None = None  # the sheet being written (touched by the background thread only)

    def _template(self, present: tuple[bool, ...]) -> bytes:
        """A row's XML with %-slots for (row number, seq, text…): an empty value is a blank cell
        that takes its '' through a bare %s."""
        cells = [b"<c/>%s" if not there else _FREE_TEXT if column in self._free_text else _TEXT
                 for column, there in enumerate(present[1:], start=1)]
        template = self._templates[present] = b'<row r="%d"><c><v>%d</v></c>' + b"".join(cells) + b"</row>"
        return template

    def __enter__(self) -> XlsxStream:
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        if exc is None:
            self.close()
        else:
            self.abort()

    def write_rows(self, rows: Sequence[tuple]) -> None:
        """Rows of (int, text…) where text is bytes (UTF-8, as SQLite gives it), str or None."""
        start = 0
        while start < len(rows):
            if self._sheets == 0 or self._row > self._sheet_rows:
                self._next_sheet()
            part = rows[start:start + self._sheet_rows + 1 - self._row]
            self._out.add(self._rows_xml(part, first=self._row + 1))
            self._row += len(part)
            start += len(part)

    def close(self) -> None:
        """Finish the workbook (fsync'd)."""
        try:
            if self._sheets == 0:
                self._next_sheet()
            self._out.flush()
            self._background.run(self._end_sheet)
            self._background.finish()
            self._write_parts()
            self._zip.close()
            self._file.flush()
            os.fsync(self._file.fileno())
        finally:
            self.abort()

    def abort(self) -> None:
        """Stop writing (the file is left incomplete: the caller removes it)."""
        self._background.finish(check=False)
        for part in (self._sheet, self._zip):  # (both closed already when close() got this far)
            with contextlib.suppress(Exception):
                if part is not None:
                    part.close()
        self._file.close()

    # -- rows -----------------------------------------------------------------------------------

    def _rows_xml(self, rows: Sequence[tuple], *, first: int) -> bytes:
        join = b"".join
        try:
            whole = join([join(row[1:]) for row in rows])
            clean = (len(whole.translate(None, _SPECIAL)) == len(whole) and _EXCEL_ESCAPE_BYTES.search(whole) is None
                     and whole.decode("utf-8") is not None)
        except (TypeError, UnicodeDecodeError):  # a value that is not text, bytes that are not UTF-8
            clean = False
        if not clean:  # somewhere in this batch: each row the careful way
            return join([self._row_xml(number, row) for number, row in enumerate(rows, start=first)])
        templates, template = self._templates, self._template
        parts = []
        for number, row in enumerate(rows, start=first):
            if row[0].__class__ is int:
                present = tuple(map(bool, row))
                parts.append((templates.get(present) or template(present)) % (number, *row))
            else:  # a seq that is not an integer
                parts.append(self._row_xml(number, row))
        return join(parts)

    def _row_xml(self, number: int, row: tuple, *, style: bytes = b"") -> bytes:
        cells = []
        for column, value in enumerate(row):
            if value is None or value == b"" or value == "":
                cells.append(b"<c/>")
            elif column == 0 and value.__class__ is int and not style:
                cells.append(b"<c><v>%d</v></c>" % value)
            else:
                cells.append(b'<c t="inlineStr"%s><is><t xml:space="preserve">%s</t></is></c>' % (style, text_xml(value)))
        return b'<row r="%d">%s</row>' % (number, b"".join(cells))

    # -- sheets and parts -----------------------------------------------------------------------

    def _next_sheet(self) -> None:
        if self._sheets:
            self._out.flush()
            self._background.run(self._end_sheet)
        self._sheets += 1
        self._row = 1
        self._background.run(self._begin_sheet, self._sheets)

    def _begin_sheet(self, number: int) -> None:
        self._sheet = self._zip.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True)
        widths = "".join(f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
                         for index, width in enumerate(self._widths, start=1))
        selected = ' tabSelected="1"' if number == 1 else ""
        self._sheet.write(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS} xmlns:r="{_REL}">'
            f'<sheetViews><sheetView workbookViewId="0"{selected}><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols><sheetData>'
            .encode() + self._row_xml(1, tuple(self._titles), style=b' s="1"'))

    def _write(self, chunk: bytes) -> None:
        self._sheet.write(chunk)

    def _end_sheet(self) -> None:
        self._sheet.write(b"</sheetData></worksheet>")
        self._sheet.close()

    def _write_parts(self) -> None:
        sheets = range(1, self._sheets + 1)
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        package = "http://schemas.openxmlformats.org/package/2006"
        parts = {
            "xl/workbook.xml": f'<workbook {_NS} xmlns:r="{_REL}"><bookViews><workbookView/></bookViews><sheets>'
                               + "".join(f'<sheet name="Sheet{n}" sheetId="{n}" r:id="rId{n}"/>' for n in sheets)
                               + "</sheets></workbook>",
            "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package}/relationships">'
                                         + "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" '
                                                   f'Target="worksheets/sheet{n}.xml"/>' for n in sheets)
                                         + f'<Relationship Id="rId{self._sheets + 1}" Type="{_REL}/styles" '
                                           'Target="styles.xml"/></Relationships>',
            "xl/styles.xml": _STYLES,
            "_rels/.rels": f'<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" '
                           f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "[Content_Types].xml": f'<Types xmlns="{package}/content-types">'
                                   f'<Default Extension="rels" ContentType="{package[:-5]}-package.relationships+xml"/>'
                                   '<Default Extension="xml" ContentType="application/xml"/>'
                                   f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
                                   + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
                                             f'ContentType="{_CT}.worksheet+xml"/>' for n in sheets)
                                   + f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>',
        }
        for name, text in parts.items():
            self._zip.writestr(name, head + text)


_STYLES = (
    f'<styleSheet {_NS}>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE4EE"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
