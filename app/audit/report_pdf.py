"""The printable audit report (PDF, Vietnamese by default): period, counts per event type and
outcome, then the events. fpdf2 with an embedded TrueType font that has the Vietnamese letters
(Times New Roman or Liberation Serif 2.x, found as the signature stamps find it)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.i18n import message
from app.printing import fit_text, serif_pdf

from .errors import AuditError, AuditErrorCode

__all__ = ["write_report"]

_COLUMNS = (("seq", 16), ("at_local", 48), ("type", 36), ("outcome", 18), ("user_name", 44), ("document", 88),
            ("hash", 27))
_SQL = "seq, at_local, type, json_extract(data, '$.outcome'), coalesce(user_name, os_user), " \
       "json_extract(data, '$.document'), hash, mode"


def _fonts() -> tuple[Path, Path]:
    from signing.errors import SigningError
    from signing.fonts import serif_pair

    try:
        return serif_pair()
    except SigningError as exc:
        raise AuditError(AuditErrorCode.FONT_MISSING) from exc


def write_report(path: Path, batches, *, lang: str) -> None:
    def t(code: str, **params) -> str:
        return message(code, lang, **params)

    pdf = serif_pdf(_fonts(), orientation="L")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(t("AUDIT_REPORT_TITLE"))
    pdf.add_page()
    _summary(pdf, batches, t)
    _events(pdf, batches, t)
    pdf.output(str(path))


def _summary(pdf, batches, t) -> None:
    reader, audit_filter = batches.reader, batches.filter
    pdf.set_font("serif", "B", 15)
    pdf.cell(0, 9, t("AUDIT_REPORT_TITLE"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "", 10)
    first, last = reader.period(audit_filter)
    lines = [
        t("AUDIT_REPORT_MADE", time=datetime.now().astimezone().isoformat(timespec="seconds")),
        t("AUDIT_REPORT_FILE", file=str(reader.path)),
        t("AUDIT_REPORT_PERIOD", first=first or "-", last=last or "-"),
        t("AUDIT_REPORT_COUNT", count=batches.total),
    ]
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("serif", "B", 10)
    for title, width in ((t("AUDIT_COLUMN_TYPE"), 70), (t("AUDIT_COLUMN_OUTCOME"), 40), (t("AUDIT_REPORT_EVENTS"), 30)):
        pdf.cell(width, 6, title, border=1)
    pdf.ln()
    pdf.set_font("serif", "", 10)
    for (kind, outcome), count in sorted(reader.tally(audit_filter).items(), key=lambda item: (item[0][0], item[0][1] or "")):
        pdf.cell(70, 6, kind, border=1)
        pdf.cell(40, 6, t("AUDIT_OUTCOME_" + (outcome or "none").upper()), border=1)
        pdf.cell(30, 6, str(count), border=1, align="R")
        pdf.ln()
    pdf.ln(4)


def _events(pdf, batches, t) -> None:
    def header() -> None:
        pdf.set_font("serif", "B", 9)
        for name, width in _COLUMNS:
            pdf.cell(width, 6, t("AUDIT_COLUMN_" + name.upper()), border=1)
        pdf.ln()
        pdf.set_font("serif", "", 8)

    header()
    for rows in batches.rows(_SQL):
        for row in rows:
            if pdf.will_page_break(5):
                pdf.add_page()
                header()
            values = (f"{row[0]}" + ("" if row[7] == "production" else "*"), row[1][:19].replace("T", " "), row[2],
                      t("AUDIT_OUTCOME_" + row[3].upper()) if row[3] else "", row[4] or "", row[5] or "",
                      row[6][:12])
            for (_, width), value in zip(_COLUMNS, values, strict=True):
                pdf.cell(width, 5, fit_text(pdf, str(value), width), border=1)
            pdf.ln()
    pdf.set_font("serif", "", 8)
    pdf.ln(2)
    pdf.multi_cell(0, 4, t("AUDIT_REPORT_FOOTNOTE"))
