"""Exporting the log: CSV (UTF-8 with BOM, for Excel), XLSX, JSONL (with hashes, re-verifiable)
and a printable PDF report in Vietnamese. Every format streams: rows are read in batches and
written as they come, so a million events take constant memory (the PDF keeps its pages).

The file is written under a temporary name beside the target and renamed into place when
complete; a cancelled or failed export leaves nothing under the target's name.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from app.i18n import message

from .errors import AuditError, AuditErrorCode
from .query import AuditFilter, AuditReader
from .wire import compose_values

__all__ = ["ExportFormat", "ExportResult", "export_log", "HUMAN_COLUMNS"]

Progress = Callable[[int, int], None]

HUMAN_COLUMNS = ("seq", "mode", "at_local", "at_utc", "type", "outcome", "user_name", "user_role", "os_user",
                 "document", "data", "hash")
_HUMAN_SQL = ("seq, mode, at_local, at_utc, type, json_extract(data, '$.outcome'), user_name, user_role, os_user, "
              "json_extract(data, '$.document'), data, hash")
_WIRE_SQL = ("app_version, at_local, at_utc, data, mode, os_user, prev_hash, seq, type, user_name, user_role, v, "
             "workstation, hash")
_WIDTHS = (8, 11, 33, 28, 20, 9, 24, 16, 12, 40, 80, 66)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_XLSX_ROWS = 1_048_575  # Excel's rows per sheet, less the header
_BATCH = 2000


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSONL = "jsonl"
    PDF = "pdf"


@dataclass(frozen=True)
class ExportResult:
    out: Path
    format: ExportFormat
    count: int


def export_log(reader: AuditReader, audit_filter: AuditFilter, *, format: ExportFormat, out: Path,
               lang: str = "vi", progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None) -> ExportResult:
    """Write the matching events to `out` in `format`; progress(done, total) after each batch."""
    if not out.parent.is_dir():
        raise AuditError(AuditErrorCode.OUT_DIR_MISSING, folder=out.parent)
    total = reader.count(audit_filter)
    batches = _Batches(reader, audit_filter, total, progress, cancelled)
    temporary = out.with_name(f".~kyso-{os.getpid()}-{out.name}.part")
    try:
        writer = {ExportFormat.CSV: _csv, ExportFormat.XLSX: _xlsx, ExportFormat.JSONL: _jsonl,
                  ExportFormat.PDF: _pdf}[ExportFormat(format)]
        writer(temporary, batches, lang=lang)
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    return ExportResult(out, ExportFormat(format), batches.done)


class _Batches:
    """Batches of rows, reporting progress and honouring cancel between batches."""

    def __init__(self, reader: AuditReader, audit_filter: AuditFilter, total: int, progress: Progress | None,
                 cancelled: Callable[[], bool] | None) -> None:
        self.reader, self.filter, self.total = reader, audit_filter, total
        self.done = 0
        self._progress = progress
        self._cancelled = cancelled or (lambda: False)

    def rows(self, columns: str) -> Iterator[list[tuple]]:
        for rows in self.reader.rows(self.filter, columns=columns, batch=_BATCH):
            if self._cancelled():
                raise AuditError(AuditErrorCode.CANCELLED)
            yield rows
            self.done += len(rows)
            if self._progress is not None:
                self._progress(self.done, self.total)


def headers(lang: str) -> list[str]:
    return [message("AUDIT_COLUMN_" + name.upper(), lang) for name in HUMAN_COLUMNS]


def _safe(value):
    """A text cell Excel would run as a formula gets a leading apostrophe (CSV only)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv(path: Path, batches: _Batches, *, lang: str) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers(lang))
        for rows in batches.rows(_HUMAN_SQL):
            writer.writerows([(*row[:9], _safe(row[9]), *row[10:]) if row[9] else row for row in rows])
        handle.flush()
        os.fsync(handle.fileno())


def _jsonl(path: Path, batches: _Batches, *, lang: str) -> None:
    """One sealed event per line: its RFC 8785 body with the "hash" member added at the end."""
    with open(path, "wb") as handle:
        for rows in batches.rows(_WIRE_SQL):
            handle.write(b"".join(compose_values(*row[:13])[:-1] + b',"hash":"' + row[13].encode() + b'"}\n'
                                  for row in rows))
        handle.flush()
        os.fsync(handle.fileno())


def _xlsx(path: Path, batches: _Batches, *, lang: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#DDE4EE"})
    titles = headers(lang)
    sheet, row_index = None, _XLSX_ROWS
    for rows in batches.rows(_HUMAN_SQL):
        for row in rows:
            if row_index >= _XLSX_ROWS:
                sheet, row_index = _xlsx_sheet(book, titles, bold), 0
            row_index += 1
            write = sheet.write_string
            sheet.write_number(row_index, 0, row[0])
            for column in range(1, 12):
                value = row[column]
                if value is not None:
                    write(row_index, column, value)
    if sheet is None:
        _xlsx_sheet(book, titles, bold)
    book.close()


def _xlsx_sheet(book, titles: list[str], bold):
    sheet = book.add_worksheet()
    for column, (title, width) in enumerate(zip(titles, _WIDTHS, strict=True)):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, title, bold)
    sheet.freeze_panes(1, 0)
    return sheet


def _pdf(path: Path, batches: _Batches, *, lang: str) -> None:
    from .report_pdf import write_report

    write_report(path, batches, lang=lang)
