"""Exports streamed in constant memory: CSV (UTF-8 with BOM, for Excel), XLSX, JSONL (re-verifiable),
and the printable PDF report (report_pdf.py).

Rows come from a server-side cursor a chunk at a time and leave as chunks of bytes. XLSX is
written by xlsxwriter in constant-memory mode to a temporary file, then streamed from it.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC
from enum import StrEnum
from typing import Any

import orjson

from ..db import Database, as_utc
from ..receipts import utc_text
from .events import EventFilter, rows, wire_dict
from .report_pdf import ReportOptions, stream_report

__all__ = ["HEADER", "MEDIA_TYPES", "ExportFormat", "stream_export"]


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSONL = "jsonl"
    PDF = "pdf"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSONL: "application/x-ndjson",
    ExportFormat.PDF: "application/pdf",
}
HEADER = ("unit", "workstation", "chain", "mode", "seq", "at_utc", "at_local", "type", "outcome", "document_type",
          "os_user", "user_name", "user_role", "app_version", "data", "prev_hash", "hash", "received_at")
_WIDTHS = (12, 38, 38, 11, 8, 28, 33, 22, 9, 18, 14, 24, 16, 10, 60, 66, 66, 28)
_CHUNK = 256 * 1024


def _cells(row: Any) -> tuple:
    received = as_utc(row.received_at)
    return (row.unit_id, row.workstation_id, row.chain, row.mode, row.seq, row.at_utc_text, row.at_local, row.type,
            row.outcome or "", row.document_type or "", row.os_user, row.user_name or "", row.user_role or "",
            row.app_version, row.data, row.prev_hash, row.hash, utc_text(received) if received else "")


def _safe(value: Any) -> Any:
    """Spreadsheets run a cell starting with = + - @ as a formula: quote it (CSV only)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def stream_export(database: Database, *, where: EventFilter, fmt: ExportFormat, sheet_rows: int,
                  on_done: Callable[[int], None] | None = None, report: ReportOptions | None = None
                  ) -> Iterator[bytes]:
    """The export's bytes. For PDF, `report` says in which language and for whom (and a missing
    font is raised here, before anything is streamed)."""
    if fmt is ExportFormat.PDF:
        return stream_report(database, where=where, options=report or ReportOptions("vi", UTC, "-"))
    return _stream_rows(database, where=where, fmt=fmt, sheet_rows=sheet_rows, on_done=on_done)


def _stream_rows(database: Database, *, where: EventFilter, fmt: ExportFormat, sheet_rows: int,
                 on_done: Callable[[int], None] | None) -> Iterator[bytes]:
    counter = [0]
    with database.read_session() as session:
        if fmt is ExportFormat.CSV and database.dialect == "postgresql":
            yield from _csv_by_postgres(session, where=where)
        else:
            writer = {ExportFormat.CSV: _csv, ExportFormat.JSONL: _jsonl, ExportFormat.XLSX: _xlsx}[fmt]
            yield from writer(rows(session, where=where), counter, sheet_rows)
    if on_done is not None:
        on_done(counter[0])


def _csv(source: Iterator[Any], counter: list[int], _sheet_rows: int) -> Iterator[bytes]:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    buffer.write("\ufeff")
    out.writerow(HEADER)
    for row in source:
        out.writerow([_safe(cell) for cell in _cells(row)])
        counter[0] += 1
        if buffer.tell() >= _CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _jsonl(source: Iterator[Any], counter: list[int], _sheet_rows: int) -> Iterator[bytes]:
    parts: list[bytes] = []
    size = 0
    for row in source:
        line = orjson.dumps(wire_dict(row), option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)
        parts.append(line)
        size += len(line)
        counter[0] += 1
        if size >= _CHUNK:
            yield b"".join(parts)
            parts, size = [], 0
    yield b"".join(parts)


def _xlsx(source: Iterator[Any], counter: list[int], sheet_rows: int) -> Iterator[bytes]:
    import xlsxwriter

    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": os.path.dirname(path),
                                          "strings_to_formulas": False, "strings_to_urls": False})
        bold = book.add_format({"bold": True})
        sheet, line = None, 0
        for row in source:
            if sheet is None or line > sheet_rows:
                sheet, line = _new_sheet(book, bold), 1
            sheet.write_row(line, 0, _cells(row))
            line += 1
            counter[0] += 1
        if sheet is None:
            _new_sheet(book, bold)
        book.close()
        with open(path, "rb") as produced:
            while chunk := produced.read(_CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def _new_sheet(book, bold):
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER, bold)
    sheet.freeze_panes(1, 0)
    for index, width in enumerate(_WIDTHS):
        sheet.set_column(index, index, width)
    return sheet


_TEXT_COLUMNS = ("unit_id", "workstation_id", "chain", "mode", "seq", "at_utc_text", "at_local", "type", "outcome",
                 "document_type", "os_user", "user_name", "user_role", "app_version", "data", "prev_hash", "hash")
_CHECKED = frozenset({"mode", "seq", "outcome", "prev_hash", "hash", "data"})  # server-checked: never a formula
_GUARD = "CASE WHEN left({c}::text, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN chr(39) || {c}::text ELSE {c}::text END"
_RECEIVED = """to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def _csv_by_postgres(session, *, where: EventFilter) -> Iterator[bytes]:
    """PostgreSQL writes the CSV itself (COPY … TO STDOUT), many times faster than Python:
    the same columns, the same formula guard and time format as `_csv`."""
    from sqlalchemy import literal_column, select
    from sqlalchemy.dialects import postgresql

    from ..models import Event
    from .events import filtered

    cells = [column if column in _CHECKED else _GUARD.format(c=column) for column in _TEXT_COLUMNS] + [_RECEIVED]
    query = filtered(select(*(literal_column(cell).label(name) for cell, name in zip(cells, HEADER, strict=True)))
                     .select_from(Event), where=where).order_by(Event.id)
    compiled = query.compile(dialect=postgresql.dialect())  # the filters stay bound parameters
    statement = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER true)"
    raw = session.connection().connection.driver_connection
    buffer = bytearray("\ufeff".encode())
    with raw.cursor() as cursor, cursor.copy(statement, compiled.params or None) as copy:
        for data in copy:
            buffer += data
            if len(buffer) >= _CHUNK:
                yield bytes(buffer)
                buffer.clear()
    yield bytes(buffer)
