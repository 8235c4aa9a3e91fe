"""Exporting the log: CSV (UTF-8 with BOM, for Excel), XLSX, JSONL (with hashes, re-verifiable)
and a printable PDF report in Vietnamese. Every format streams: rows are read in batches and
written as they come, so a million events take constant memory (the PDF keeps its pages).

CSV and XLSX take the rows as UTF-8 bytes straight from SQLite: in a batch whose text needs no
quoting (CSV) or escaping (XLSX), a row is one join or %-format; other batches go the careful way
(the csv module; xlsx_stream.text_xml). Bytes that are not UTF-8 become U+FFFD. The file is
written, deflated and synced on a second thread (writer_thread.py).

The file is written under a temporary name beside the target and renamed into place when
complete; a cancelled or failed export leaves nothing under the target's name.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from app.i18n import message

from .errors import AuditCancelled, AuditError, AuditErrorCode
from .query import AuditFilter, AuditReader
from .wire import compose_values
from .writer_thread import BackgroundCalls, Chunks, SyncedWrites
from .xlsx_stream import XlsxStream

__all__ = ["ExportFormat", "ExportResult", "export_log", "formula_safe", "HUMAN_COLUMNS"]

Progress = Callable[[int, int], None]

HUMAN_COLUMNS = ("seq", "mode", "at_local", "at_utc", "type", "outcome", "user_name", "user_role", "os_user",
                 "document", "data", "hash")
# HUMAN_COLUMNS with NULL as '' (what the csv module writes for None, a blank cell in XLSX).
_HUMAN_SQL = ("{seq}, mode, at_local, at_utc, type, coalesce(json_extract(data, '$.outcome'), ''), "
              "coalesce(user_name, ''), coalesce(user_role, ''), os_user, "
              "coalesce(json_extract(data, '$.document'), ''), data, hash")
_CSV_SQL = _HUMAN_SQL.format(seq="CAST(seq AS TEXT)")
_XLSX_SQL = _HUMAN_SQL.format(seq="seq")
_WIRE_SQL = ("app_version, at_local, at_utc, data, mode, os_user, prev_hash, seq, type, user_name, user_role, v, "
             "workstation, hash")
_WIDTHS = (8, 11, 33, 28, 20, 9, 24, 16, 12, 40, 80, 66)
_FREE_TEXT = (6, 7, 8, 9)  # what a person typed or named: may start or end with spaces
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_BYTES = frozenset(start.encode() for start in _FORMULA_STARTS)
_CSV_SPECIAL = b',"\r\n'  # what makes the csv module quote a field
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

    def rows(self, columns: str, *, raw: bool = False) -> Iterator[list[tuple]]:
        for rows in self.reader.rows(self.filter, columns=columns, batch=_BATCH, raw=raw):
            if self._cancelled():
                raise AuditCancelled()
            yield rows
            self.done += len(rows)
            if self._progress is not None:
                self._progress(self.done, self.total)


def headers(lang: str) -> list[str]:
    return [message("AUDIT_COLUMN_" + name.upper(), lang) for name in HUMAN_COLUMNS]


def formula_safe(value):
    """A text cell Excel or LibreOffice would run as a formula gets a leading apostrophe (CSV
    only: XLSX holds inline strings, never formulas). Also app/verification_summary.py."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv(path: Path, batches: _Batches, *, lang: str) -> None:
    with open(path, "wb") as handle:
        out = SyncedWrites(handle)
        with BackgroundCalls() as writer:  # writing and syncing overlap with building the next lines
            chunks = Chunks(lambda data: writer.run(out.write, data))
            chunks.add(b"\xef\xbb\xbf" + _csv_row(headers(lang)))  # the BOM: Excel reads UTF-8
            for rows in batches.rows(_CSV_SQL, raw=True):
                chunks.add(csv_lines(rows))
            chunks.flush()
        out.sync()


def csv_lines(rows: list[tuple]) -> bytes:
    """Rows of HUMAN_COLUMNS (bytes from SQLite) as CSV lines, byte for byte what the csv module
    writes for them decoded, with the formula guard on the document column."""
    join = b"".join
    try:
        heads = [b",".join(row[:10]) for row in rows]  # seq … document: plain text, as a rule
        whole = join(heads) + join([row[11] for row in rows])  # and the hash
        clean = (len(whole) - len(whole.translate(None, _CSV_SPECIAL)) == 9 * len(rows)  # only the separators
                 and not any(row[9][:1] in _FORMULA_BYTES or b'"' not in row[10] for row in rows))
    except TypeError:  # a value that is not text (a number from json_extract)
        clean = False
    if clean:  # the data column, JSON, always holds quotes: it is quoted, its quotes doubled
        chunk = join([join((head, b',"', row[10].replace(b'"', b'""'), b'",', row[11], b"\r\n"))
                      for head, row in zip(heads, rows, strict=True)])
    else:
        chunk = join([_csv_row([_text(value) for value in row], guard=True) for row in rows])
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:  # bytes that are not UTF-8 somewhere: every row the careful way
        chunk = join([_csv_row([_text(value) for value in row], guard=True) for row in rows])
    return chunk


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _csv_row(values: list[str], *, guard: bool = False) -> bytes:
    if guard and values[9]:
        values[9] = formula_safe(values[9])
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue().encode("utf-8")


def _jsonl(path: Path, batches: _Batches, *, lang: str) -> None:
    """One sealed event per line: its RFC 8785 body with the "hash" member added at the end."""
    with open(path, "wb") as handle:
        for rows in batches.rows(_WIRE_SQL):
            handle.write(b"".join(compose_values(*row[:13])[:-1] + b',"hash":"' + row[13].encode() + b'"}\n'
                                  for row in rows))
        handle.flush()
        os.fsync(handle.fileno())


def _xlsx(path: Path, batches: _Batches, *, lang: str) -> None:
    """Inline strings, never formulas: a document named "=cmd…" is shown as written."""
    with XlsxStream(path, titles=headers(lang), widths=_WIDTHS, free_text=_FREE_TEXT) as book:
        for rows in batches.rows(_XLSX_SQL, raw=True):
            book.write_rows(rows)


def _pdf(path: Path, batches: _Batches, *, lang: str) -> None:
    from .report_pdf import write_report

    write_report(path, batches, lang=lang)
