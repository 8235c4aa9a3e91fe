"""The signer block is found whatever sits beside the signer's title on its baseline.

Decree 30 puts "Nơi nhận:" and the recipients list in the left column, often on the very
baseline of the signer's title in the right column ("VIỆN TRƯỞNG", "KT. VIỆN TRƯỞNG" over
"PHÓ VIỆN TRƯỞNG"). Read as one line across both columns, the title was never recognised and no
signer block was proposed. Every variant below — baselines a little apart, either column drawn
first, sizes, column positions, one or two title lines — must give the block between the
title and the name, in the right column.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from app.catalogue import load_catalogue
from app.preflight import run_preflight
from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import SERIF, SERIF_BOLD

CATALOGUE = load_catalogue().catalogue
PAGE_HEIGHT = 841.89
TITLE_BASELINE = 612.0  # from the top of the page
NAME_BASELINE = 732.0

TITLES = {"vien-truong": ("VIỆN TRƯỞNG",), "pho-vien-truong": ("KT. VIỆN TRƯỞNG", "PHÓ VIỆN TRƯỞNG")}
LEFT = ("Nơi nhận:", "- Như trên;", "- Lưu: VT, hồ sơ.")


def _document(path: Path, *, titles: tuple[str, ...], dy: float, left_size: float, column: float,
              left_first: bool) -> Path:
    """A Decree 30 page whose left column ("Nơi nhận:" and the list) shares the title's
    baselines, give or take `dy` points."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_font("serif", "", SERIF)
    pdf.add_font("serif", "B", SERIF_BOLD)
    pdf.add_page()
    pdf.set_font("serif", "B", 12)
    pdf.text(60, 76, "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO")
    pdf.text(330, 76, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    pdf.set_font("serif", "", 13)
    pdf.text(100, 98, "Số: 15/QĐ-VKSTC")
    pdf.set_font("serif", "B", 14)
    pdf.text(250, 154, "QUYẾT ĐỊNH")
    pdf.set_font("serif", "", 13)
    pdf.set_xy(85, 190)
    pdf.multi_cell(440, 18, NEUTRAL_BODY)

    def right() -> None:
        pdf.set_font("serif", "B", 13)
        for index, title in enumerate(titles):
            pdf.text(_centred(pdf, title, column), TITLE_BASELINE + 16 * index, title)
        pdf.text(_centred(pdf, "Nguyễn Văn An", column), NAME_BASELINE, "Nguyễn Văn An")

    def left() -> None:
        for index, line in enumerate(LEFT):
            pdf.set_font("serif", "B" if index == 0 else "", left_size)
            pdf.text(60, TITLE_BASELINE + dy + 16 * index, line)

    for draw in ((left, right) if left_first else (right, left)):
        draw()
    pdf.output(str(path))
    return path


def _centred(pdf, text: str, column: float) -> float:
    return column + (220 - pdf.get_string_width(text)) / 2


VARIANTS = list(itertools.product(TITLES, (0.0, 0.6, -1.4), (11, 12), (300.0, 330.0), (True, False)))


@pytest.mark.parametrize(("role", "dy", "left_size", "column", "left_first"), VARIANTS)
def test_signer_block_beside_the_recipients_list(tmp_path, role, dy, left_size, column, left_first):
    path = _document(tmp_path / "qd.pdf", titles=TITLES[role], dy=dy, left_size=left_size, column=column,
                     left_first=left_first)
    plan = run_preflight(path, catalogue=CATALOGUE, role=role).plan
    assert plan is not None and plan.box is not None, "no signer block found"
    lowest_title = PAGE_HEIGHT - (TITLE_BASELINE + 16 * (len(TITLES[role]) - 1))
    name = PAGE_HEIGHT - NAME_BASELINE
    assert name + 13 <= plan.box.y1 < plan.box.y2 <= lowest_title  # between the title and the name
    assert column < (plan.box.x1 + plan.box.x2) / 2 < column + 220  # under the title, right column


def test_one_line_of_one_column_is_still_one_line(tmp_path):
    """Words of one line written as separate pieces (as word processors do) stay one line."""
    from fpdf import FPDF

    from signing.inspect import inspect_document

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_font("serif", "B", SERIF_BOLD)
    pdf.add_page()
    pdf.set_font("serif", "B", 13)
    x = 330.0
    for word in ("KT.", "VIỆN", "TRƯỞNG"):
        pdf.text(x, TITLE_BASELINE, word)
        x += pdf.get_string_width(word + " ")
    pdf.output(str(tmp_path / "words.pdf"))
    lines = [line.text for line in inspect_document(tmp_path / "words.pdf").last_page]
    assert lines == ["KT. VIỆN TRƯỞNG"]
