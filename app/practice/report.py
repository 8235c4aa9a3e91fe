"""`kyso practice report`: the workshop's results, one row per trainee — each scenario done or
not, mistakes (wrong PINs, documents refused, signatures failed), documents signed and minutes
spent — as XLSX (kyso's streaming writer), CSV (UTF-8 with BOM, for Excel) or a printable PDF
in Vietnamese."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ..i18n import message
from ..printing import fit_text, serif_pdf
from .errors import PracticeError, PracticeErrorCode
from .pack import WorkshopPack
from .progress import GatheredEvents, TraineeProgress

__all__ = ["report_rows", "write_report"]

DONE, NOT_DONE = "●", "—"  # both in Times New Roman and Liberation Serif (✓ is in neither)


def report_header(rows: Sequence[TraineeProgress], lang: str) -> list[str]:
    def t(code: str) -> str:
        return message(code, lang)

    scenarios = rows[0].scenarios if rows else ()
    shorts = [t("PRACTICE_SHORT_" + s.id.upper().replace("-", "_")) for s in scenarios]
    return [t("PRACTICE_COLUMN_NUMBER"), t("PRACTICE_COLUMN_NAME"), t("PRACTICE_COLUMN_TITLE"), *shorts,
            t("PRACTICE_COLUMN_DONE"), t("PRACTICE_COLUMN_WRONG_PINS"), t("PRACTICE_COLUMN_REFUSED"),
            t("PRACTICE_COLUMN_FAILED"), t("PRACTICE_COLUMN_SIGNED"), t("PRACTICE_COLUMN_MINUTES")]


def report_rows(rows: Sequence[TraineeProgress]) -> list[tuple]:
    """(number, name, title, ●/— per scenario…, done "n/m", wrong PINs, refused, failed, signed, minutes)."""
    return [(row.number, row.name, row.title, *(DONE if done else NOT_DONE for done in row.done.values()),
             f"{row.done_count}/{len(row.done)}", str(row.wrong_pins), str(row.refused), str(row.failed),
             str(row.signed), str(round(row.seconds / 60))) for row in rows]


def write_report(pack: WorkshopPack, rows: Sequence[TraineeProgress], gathered: GatheredEvents, *, out: Path,
                 lang: str = "vi") -> Path:
    writer = {".xlsx": _xlsx, ".csv": _csv, ".pdf": _pdf}.get(out.suffix.lower())
    if writer is None:
        raise PracticeError(PracticeErrorCode.REPORT_FORMAT, file=out.name)
    partial = out.with_name(f".~{out.name}.part")
    try:
        writer(partial, pack, rows, gathered, lang)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def _csv(path: Path, pack: WorkshopPack, rows, gathered: GatheredEvents, lang: str) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(report_header(rows, lang))
        out.writerows(report_rows(rows))


def _xlsx(path: Path, pack: WorkshopPack, rows, gathered: GatheredEvents, lang: str) -> None:
    from ..audit.xlsx_stream import XlsxStream

    header = report_header(rows, lang)
    widths = [6, 26, 18, *([11] * (len(header) - 9)), 8, 8, 10, 8, 8, 8]
    with XlsxStream(path, titles=header, widths=widths) as book:
        book.write_rows(report_rows(rows))


def _pdf(path: Path, pack: WorkshopPack, rows, gathered: GatheredEvents, lang: str) -> None:
    from signing.fonts import prepared_document_fonts

    def t(code: str, **params) -> str:
        return message(code, lang, **params)

    pdf = serif_pdf(prepared_document_fonts(), orientation="L")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("serif", "B", 14)
    pdf.cell(0, 8, t("PRACTICE_REPORT_TITLE", workshop=pack.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "", 9)
    made = datetime.now().astimezone().isoformat(timespec="seconds")
    pdf.multi_cell(0, 5, t("PRACTICE_REPORT_MADE", time=made, sources=", ".join(gathered.sources) or "-"),
                   new_x="LMARGIN", new_y="NEXT")
    if gathered.rejected:
        pdf.cell(0, 5, t("PRACTICE_REPORT_REJECTED", count=gathered.rejected), new_x="LMARGIN", new_y="NEXT")
    header = report_header(rows, lang)
    widths = [9, 44, 28, *([14] * (len(header) - 9)), 12, 11, 12, 10, 10, 11]
    _table(pdf, header, report_rows(rows), widths)
    pdf.ln(2)
    pdf.multi_cell(0, 4.5, t("PRACTICE_REPORT_FOOTNOTE"))
    pdf.output(str(path))


def _table(pdf, header: Sequence[str], rows: Sequence[tuple], widths: Sequence[float]) -> None:
    def head() -> None:
        pdf.set_font("serif", "B", 7.5)
        for title, width in zip(header, widths, strict=True):
            pdf.cell(width, 7, fit_text(pdf, title, width, margin=1), border=1, align="C")
        pdf.ln()
        pdf.set_font("serif", "", 8.5)

    head()
    for row in rows:
        if pdf.will_page_break(6):
            pdf.add_page()
            head()
        for index, (value, width) in enumerate(zip(row, widths, strict=True)):
            pdf.cell(width, 6, fit_text(pdf, str(value), width, margin=1), border=1, align="L" if index in (1, 2) else "C")
        pdf.ln()
