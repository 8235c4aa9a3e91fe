"""The events as a printable PDF report, in Vietnamese (or English): who made it and when, the
filters, counts by event type and outcome over *every* matching event, then the events one by
one in time order (at most `max_events`: a report is for reading; the CSV, XLSX and JSONL exports
carry any number). fpdf2 with an embedded TrueType font that has the Vietnamese letters.

The document is built in memory (fpdf2 writes a PDF whole) and then streamed out in chunks:
10,000 events make ~300 pages and a few MiB.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, select

from ..db import Database, as_utc
from ..errors import ServerError, ServerErrorCode
from ..messages import server_message
from ..models import Event, Workstation
from .events import EventFilter, filtered

__all__ = ["ReportOptions", "find_report_font", "stream_report"]

_CHUNK = 256 * 1024
# (column, width in mm) across a landscape A4 page less its margins (277 mm)
_COLUMNS = (("time", 30), ("workstation", 36), ("user", 40), ("type", 44), ("document", 72), ("outcome", 23),
            ("hash", 32))
_FONTS = (  # regular, bold: Liberation Sans 2.x (Debian's fonts-liberation2), DejaVu Sans, Windows' Arial
    ("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("{windir}/Fonts/arial.ttf", "{windir}/Fonts/arialbd.ttf"),
)


@dataclass(frozen=True)
class ReportOptions:
    lang: str
    zone: tzinfo
    made_by: str
    max_events: int = 20_000
    font: Path | None = None
    filters: dict[str, str] = field(default_factory=dict)  # as the reader should see them


def find_report_font(configured: Path | None) -> tuple[Path, Path]:
    """(regular, bold): the configured font (also as bold), else the first of the known fonts."""
    if configured is not None:
        if configured.is_file():
            return configured, configured
        raise ServerError(ServerErrorCode.REPORT_FONT_MISSING)
    windir = os.environ.get("WINDIR", "C:/Windows")
    for regular, bold in _FONTS:
        regular, bold = Path(regular.format(windir=windir)), Path(bold.format(windir=windir))
        if regular.is_file():
            return regular, bold if bold.is_file() else regular
    raise ServerError(ServerErrorCode.REPORT_FONT_MISSING)


def stream_report(database: Database, *, where: EventFilter, options: ReportOptions) -> Iterator[bytes]:
    """The PDF's bytes in chunks. The font is looked up first, so a missing font is an error
    before anything is sent."""
    fonts = find_report_font(options.font)

    def chunks() -> Iterator[bytes]:
        data = bytes(_build(database, where=where, options=options, fonts=fonts))
        for start in range(0, len(data), _CHUNK):
            yield data[start:start + _CHUNK]

    return chunks()


class _Writer:
    """One report being written: the page, the texts and the table's rows."""

    def __init__(self, options: ReportOptions, fonts: tuple[Path, Path]) -> None:
        from fpdf import FPDF

        self.options = options
        self.pdf = pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_margins(10, 10, 10)
        pdf.set_auto_page_break(auto=True, margin=12)
        pdf.add_font("sans", "", str(fonts[0]))
        pdf.add_font("sans", "B", str(fonts[1]))
        pdf.set_title(self.t("REPORT_TITLE"))
        pdf.set_creator("kyso-server")
        pdf.alias_nb_pages()
        pdf.footer = self._footer  # type: ignore[method-assign]
        self.table: tuple[tuple[float, ...], float] | None = None  # the open table's widths and top
        self.char_widths: dict[tuple[str, float], dict[str, float]] = {}

    def t(self, code: str, /, **params: Any) -> str:
        return server_message(code, self.options.lang, **params)

    def _footer(self) -> None:
        self.pdf.set_y(-9)
        self.pdf.set_font("sans", "", 7)
        self.pdf.cell(0, 4, self.t("REPORT_PAGE", page=self.pdf.page_no(), pages="{nb}"), align="C")

    def line(self, text: str, *, size: float = 10, bold: bool = False, height: float = 5.5) -> None:
        self.close_table()
        self.pdf.set_font("sans", "B" if bold else "", size)
        self.pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    def row(self, cells: tuple[str, ...], widths: tuple[float, ...], *, bold: bool = False, height: float = 5,
            header_again: bool = False) -> None:
        """One table row: each text at its column, a rule under it, the column rules drawn once a
        page (fpdf2's `cell` does far more than a table needs: it was 80 % of the report's time)."""
        pdf = self.pdf
        if pdf.will_page_break(height):
            self.close_table()
            pdf.add_page()
            if header_again:
                self.table_header()
        if self.table is None or self.table[0] != widths:
            self.close_table()
            self.table = (widths, pdf.get_y())
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + sum(widths), pdf.get_y())
        pdf.set_font("sans", "B" if bold else "", 8)
        y, x = pdf.get_y(), pdf.l_margin
        for text, width in zip(cells, widths, strict=True):
            pdf.text(x + 1, y + height * 0.68, self.fit(text, width))
            x += width
        pdf.line(pdf.l_margin, y + height, x, y + height)
        pdf.set_y(y + height)

    def close_table(self) -> None:
        """The column rules of the table drawn so far on this page."""
        if self.table is None:
            return
        widths, top = self.table
        x, bottom = self.pdf.l_margin, self.pdf.get_y()
        for width in (0, *widths):
            x += width
            self.pdf.line(x, top, x, bottom)
        self.table = None

    def table_header(self) -> None:
        self.row(tuple(self.t("REPORT_COLUMN_" + name.upper()) for name, _ in _COLUMNS),
                 tuple(width for _, width in _COLUMNS), bold=True, height=6)

    def fit(self, text: str, width: float) -> str:
        """The text cut with "…" to fit its cell, measured from each character's width (looked up
        once per character and font: measuring every string through fpdf2 cost a fifth of the time)."""
        room = width - 2
        if len(text) * 1.9 <= room:  # no glyph of an 8 pt font is wider than 1.9 mm
            return text
        used, widths = 0.0, self._widths()
        for index, char in enumerate(text):
            used += widths[char] if char in widths else widths.setdefault(char, self.pdf.get_string_width(char))
            if used > room:
                return self._cut(text[:index], room, widths)
        return text

    def _widths(self) -> dict[str, float]:
        return self.char_widths.setdefault((self.pdf.font_style, self.pdf.font_size_pt), {})

    def _cut(self, text: str, room: float, widths: dict[str, float]) -> str:
        ellipsis = widths.setdefault("…", self.pdf.get_string_width("…"))
        while text and sum(widths[char] for char in text) + ellipsis > room:
            text = text[:-1]
        return text + "…"


def _build(database: Database, *, where: EventFilter, options: ReportOptions, fonts: tuple[Path, Path]) -> bytearray:
    writer = _Writer(options, fonts)
    with database.read_session() as session:
        counts = _counts(session, where=where)
        labels = dict(session.execute(select(Workstation.id, Workstation.label)).all())
        total = sum(counts.values())
        writer.pdf.add_page()
        _summary(writer, counts=counts, total=total)
        writer.table_header()
        listed = _events(writer, session, where=where, labels=labels)
    writer.close_table()
    writer.pdf.ln(2)
    note = "REPORT_TRUNCATED" if listed < total else "REPORT_FOOTNOTE"
    writer.line(writer.t(note, listed=_number(listed), total=_number(total)), size=8, height=4)
    return writer.pdf.output()


def _counts(session, *, where: EventFilter) -> dict[tuple[str, str], int]:
    query = filtered(select(Event.type, Event.outcome, func.count()), where=where).group_by(Event.type, Event.outcome)
    return {(kind, outcome or ""): count for kind, outcome, count in session.execute(query)}


def _summary(writer: _Writer, *, counts: dict[tuple[str, str], int], total: int) -> None:
    t, options = writer.t, writer.options
    writer.line(t("REPORT_TITLE"), size=15, bold=True, height=9)
    made = datetime.now(UTC).astimezone(options.zone).strftime("%d/%m/%Y %H:%M")
    writer.line(t("REPORT_MADE", time=made, who=options.made_by))
    for name, value in options.filters.items():
        writer.line(f"{t('CONSOLE_FILTER_' + name.upper())}: {value}")
    writer.line(t("REPORT_COUNT", count=_number(total)), bold=True)
    writer.pdf.ln(1)
    widths = (80.0, 40.0, 30.0)
    writer.row((t("REPORT_COLUMN_TYPE"), t("REPORT_COLUMN_OUTCOME"), t("REPORT_COLUMN_COUNT")), widths, bold=True,
               height=6)
    for (kind, outcome), count in sorted(counts.items()):
        writer.row((_type_label(writer, kind), _outcome_label(writer, outcome), _number(count)), widths)
    writer.close_table()
    writer.pdf.ln(4)


def _events(writer: _Writer, session, *, where: EventFilter, labels: dict[str, str]) -> int:
    columns = (Event.at_utc, Event.workstation_id, Event.user_name, Event.os_user, Event.type, Event.data,
               Event.outcome, Event.hash, Event.mode)
    query = (filtered(select(*columns), where=where).order_by(Event.at_utc, Event.id)
             .limit(writer.options.max_events).execution_options(yield_per=2000, stream_results=True))
    widths = tuple(width for _, width in _COLUMNS)
    zone, listed = writer.options.zone, 0
    type_label = _cached(lambda kind: _type_label(writer, kind))
    outcome_label = _cached(lambda outcome: _outcome_label(writer, outcome))
    for row in session.execute(query):
        moment = as_utc(row.at_utc).astimezone(zone).strftime("%d/%m/%Y %H:%M:%S")
        writer.row((moment, labels.get(row.workstation_id) or row.workstation_id, row.user_name or row.os_user,
                    type_label(row.type), _document(row.data), outcome_label(row.outcome or ""), row.hash[:16]), widths,
                   header_again=True)
        listed += 1
    return listed


def _number(value: int) -> str:
    """10.000 as Vietnamese (and the report's tables) write it."""
    return f"{value:,}".replace(",", ".")


def _cached(function: Callable[[str], str]) -> Callable[[str], str]:
    seen: dict[str, str] = {}
    return lambda key: seen[key] if key in seen else seen.setdefault(key, function(key))


def _document(data: str) -> str:
    try:
        value = orjson.loads(data).get("document")
    except (orjson.JSONDecodeError, AttributeError):
        return ""
    return value if isinstance(value, str) else ""


def _type_label(writer: _Writer, kind: str) -> str:
    code = "CONSOLE_EVENT_" + kind.replace(".", "_").upper()
    text = writer.t(code)
    return kind if text == code else text


def _outcome_label(writer: _Writer, outcome: str) -> str:
    return writer.t("CONSOLE_OUTCOME_" + outcome.upper()) if outcome else ""
