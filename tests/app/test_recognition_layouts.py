"""Recognition on the layouts units really use (tests/support/catalogue_docs.py VARIANTS): a title
and its words on one line or split over two, extra spaces, no diacritics, the number above the
unit… For every layout, a spread of types is never identified as another type with high
confidence, and where the layout keeps the title's diacritics the right type is proposed."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.catalogue import load_catalogue
from app.preflight import run_preflight
from app.preflight.number import find_number
from app.preflight.recognise import recognise
from tests.support.catalogue_docs import VARIANTS, applies, variant_document

CATALOGUE = load_catalogue().catalogue
SURE = {"title-and-words-one-line", "title-split-two-lines", "extra-spaces", "words-in-capitals", "title-mixed-case",
        "number-above-unit", "canonical", "summary-line", "two-pages", "provincial-unit", "file-name-spaced",
        "other-unit", "not-numbered"}
"""Layouts where every type with a title and a number is identified (not only proposed)."""


def _spread(variant: str, count: int = 4):
    """Types this layout applies to, a different spread per layout (all of them over the run)."""
    types = [t for t in CATALOGUE.types if applies(t, variant)]
    offset = VARIANTS.index(variant)
    return [types[(offset + i * len(types) // count) % len(types)] for i in range(count)] + \
        [t for t in types if t.name in ("Quyết định phê chuẩn lệnh tạm giam", "Kháng nghị phúc thẩm")]


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_layout_makes_recognition_silently_wrong(tmp_path, variant):
    for index, doc_type in enumerate(_spread(variant)):
        path = variant_document(doc_type, tmp_path, variant, index)
        found = run_preflight(path, catalogue=CATALOGUE, role="vien-truong").recognition
        if found.confidence == "high":
            assert found.type is doc_type, (variant, doc_type.name, found)
        else:
            assert found.type is doc_type or doc_type.name in found.candidates, (variant, doc_type.name, found)
        if variant in SURE and doc_type.titles:
            assert (found.type, found.confidence) == (doc_type, "high"), (variant, doc_type.name, found)


HEADER = ["VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]


def _recognise(lines, number="Số: 12/QĐ-VKSTC", name="van-ban"):
    lines = [*HEADER, number, *lines]
    return recognise(CATALOGUE, lines, find_number(lines), Path(f"{name}.pdf"))


def test_the_longest_title_wins_whether_on_one_line_or_two():
    for lines in (["QUYẾT ĐỊNH KHÁNG NGHỊ PHÚC THẨM"], ["QUYẾT ĐỊNH", "KHÁNG NGHỊ PHÚC THẨM"],
                  ["QUYẾT ĐỊNH KHÁNG NGHỊ", "PHÚC THẨM"]):
        found = _recognise(lines, number="Số: 03/QĐKNPT-VKSTC")
        assert (found.type.name, found.confidence) == ("Kháng nghị phúc thẩm", "high"), lines


def test_a_body_line_starting_with_a_title_word_is_no_title():
    """A công văn whose text says "Thông báo kết quả…" is not a thông báo: a title not alone on
    its line counts only in capitals."""
    found = _recognise(["V/v trả lời đơn của công dân", "Thông báo kết quả kiểm tra năm 2026 như sau:"],
                       number="Số: 07/VKSTC-VP")
    assert found.type is not None and found.type.name == "Công văn"


def test_a_specific_type_needs_its_words_and_a_title_without_diacritics_is_only_proposed():
    found = _recognise(["QUYẾT ĐỊNH PHÊ CHUẨN LỆNH TẠM GIAM"])
    assert (found.type.name, found.confidence) == ("Quyết định phê chuẩn lệnh tạm giam", "high")
    found = _recognise(["QUYET DINH", "Phe chuan lenh tam giam"], number="So: 12/QD-VKSTC")
    assert (found.type.name, found.confidence) == ("Quyết định phê chuẩn lệnh tạm giam", "low")
