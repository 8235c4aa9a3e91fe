"""The printable handout of a workshop (PDF, Vietnamese): a first page for the room — how to
start, the shared practice tokens and their PIN, the scenarios — then one cut-out card per
trainee with their name, position, token label, training PIN and the command that opens their
session. The trainer's unblocking PIN is never in it (the handout travels with the pack)."""

from __future__ import annotations

from pathlib import Path

from ..i18n import message
from ..printing import fit_text, serif_pdf
from .pack import Trainee, WorkshopPack
from .scenarios import SCENARIOS

__all__ = ["write_handout"]

_CARD_W, _CARD_H = 90.0, 52.0  # mm: ten cards on an A4 page
_LEFT, _TOP, _GAP = 12.0, 12.0, 6.0


def write_handout(pack: WorkshopPack, path: Path, *, lang: str = "vi") -> Path:
    from signing.fonts import prepared_document_fonts

    pdf = serif_pdf(prepared_document_fonts())
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(message("PRACTICE_HANDOUT_TITLE", lang, workshop=pack.name))
    _first_page(pdf, pack, lang)
    for index, trainee in enumerate(pack.trainees):
        if index % 10 == 0:
            pdf.add_page()
        column, row = index % 2, (index % 10) // 2
        _card(pdf, pack, trainee, _LEFT + column * (_CARD_W + _GAP), _TOP + row * (_CARD_H + _GAP), lang)
    pdf.output(str(path))
    return path


def _first_page(pdf, pack: WorkshopPack, lang: str) -> None:
    def t(code: str, **params) -> str:
        return message(code, lang, **params)

    pdf.add_page()
    pdf.set_text_color(180, 0, 0)
    pdf.set_font("serif", "B", 16)
    pdf.cell(0, 9, t("PRACTICE_HANDOUT_TITLE", workshop=pack.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "B", 11)
    pdf.cell(0, 6, t("PRACTICE_HANDOUT_WARNING"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("serif", "", 11)
    pdf.ln(2)
    for line in (t("PRACTICE_HANDOUT_UNIT", unit=pack.unit), t("PRACTICE_HANDOUT_TRAINER", trainer=pack.trainer),
                 t("PRACTICE_HANDOUT_CREATED", created=pack.created[:10], workshop=pack.id)):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    _section(pdf, t("PRACTICE_HANDOUT_START"))
    pdf.multi_cell(0, 5.5, t("PRACTICE_HANDOUT_START_STEPS", pack=pack.folder.name), new_x="LMARGIN", new_y="NEXT")
    _section(pdf, t("PRACTICE_HANDOUT_SHARED"))
    for token in pack.tokens:
        purpose = t("PRACTICE_TOKEN_" + token.purpose.upper().replace("-", "_"))
        pdf.cell(62, 5.5, token.label, border=1)
        pdf.cell(88, 5.5, purpose, border=1)
        pdf.cell(30, 5.5, "PIN " + token.pin, border=1, new_x="LMARGIN", new_y="NEXT")
    _section(pdf, t("PRACTICE_HANDOUT_SCENARIOS"))
    for index, item in enumerate(SCENARIOS, start=1):
        pdf.cell(0, 5.5, f"{index}. {t(item.title_code)}", new_x="LMARGIN", new_y="NEXT")


def _section(pdf, title: str) -> None:
    pdf.ln(3)
    pdf.set_font("serif", "B", 12)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "", 11)


def _card(pdf, pack: WorkshopPack, trainee: Trainee, x: float, y: float, lang: str) -> None:
    def t(code: str, **params) -> str:
        return message(code, lang, **params)

    pdf.set_dash_pattern(dash=2, gap=1.5)
    pdf.rect(x, y, _CARD_W, _CARD_H)
    pdf.set_dash_pattern()
    pdf.set_text_color(180, 0, 0)
    pdf.set_font("serif", "B", 7)
    pdf.set_xy(x + 3, y + 3)
    pdf.cell(_CARD_W - 6, 5, fit_text(pdf, t("PRACTICE_CARD_HEADING"), _CARD_W - 6, margin=0), align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("serif", "B", 13)
    pdf.set_xy(x + 3, y + 10)
    pdf.cell(_CARD_W - 6, 7, fit_text(pdf, f"{trainee.number:02d}. {trainee.name}", _CARD_W - 6, margin=0), align="C")
    pdf.set_font("serif", "", 10)
    rows = (t("PRACTICE_CARD_TITLE", title=trainee.title), t("PRACTICE_CARD_TOKEN", label=trainee.token_label),
            t("PRACTICE_CARD_PIN", pin=trainee.pin))
    for index, text in enumerate(rows):
        pdf.set_xy(x + 5, y + 19 + index * 6)
        if index == 2:
            pdf.set_font("serif", "B", 12)
        pdf.cell(_CARD_W - 10, 6, fit_text(pdf, text, _CARD_W - 10, margin=0))
    pdf.set_font("serif", "", 8)
    pdf.set_xy(x + 3, y + _CARD_H - 9)
    command = f"kyso --practice {pack.folder.name} --trainee {trainee.number}"
    pdf.cell(_CARD_W - 6, 5, fit_text(pdf, command, _CARD_W - 6, margin=0), align="C")
