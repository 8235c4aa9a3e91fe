"""Preflight reads a document's text through PDFium (fast) and falls back to pypdf where the two
could differ. For every kind of Decree 30 document the tests generate, PDFium's lines must be
pypdf's lines: same text, same baselines, same left ends and sizes (the right end is PDFium's
measured one, pypdf only estimates it)."""

from __future__ import annotations

import itertools

import pytest

from signing.inspect import _pdf_text, _pdfium_text, inspect_document
from tests.support.documents import decree30_pdf

LAYOUTS = {
    "plain": {},
    "subtitle": {"subtitle": "Phê chuẩn lệnh tạm giam"},
    "letter": {"title": "", "summary": "V/v trả lời đơn của công dân", "number": "Số: 07/VKSTC-VP"},
    "secret-under-number": {"secret": "MẬT"},
    "secret-top-right": {"secret": "TỐI MẬT", "secret_place": "top-right"},
    "three-pages-secret-on-2": {"pages": 3, "secret": "MẬT", "secret_place": "page-2"},
    "two-pages": {"pages": 2},
    "a5": {"page_format": "A5"},
    "long-body": {"body": " ".join(["Căn cứ Bộ luật Tố tụng hình sự năm 2015;"] * 12)},
    "no-diacritics": {"title": "QUYET DINH", "body": "Ve viec phan cong Kiem sat vien"},
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_pdfium_reads_the_lines_pypdf_reads(tmp_path, layout):
    path = decree30_pdf(tmp_path / f"{layout}.pdf", **LAYOUTS[layout])
    fast = _pdfium_text(path, None)
    slow = _pdf_text(path, False)
    assert fast is not None, "PDFium should read a sound file"
    assert fast[0] == slow[0] and fast[3] == slow[3] and fast[4] == slow[4]  # pages, scan dpi, version
    assert fast[1] == pytest.approx(slow[1], abs=0.01)
    for page_fast, page_slow in zip(fast[2], slow[2], strict=True):
        assert [line.text for line in page_fast] == [line.text for line in page_slow]
        for a, b in zip(page_fast, page_slow, strict=True):
            assert (a.y, a.size) == pytest.approx((b.y, b.size), abs=0.05)
            assert a.x == pytest.approx(b.x, abs=0.5)
            assert a.x2 > a.x


def test_inspection_gives_the_same_facts_whichever_parser_reads_the_text(tmp_path, monkeypatch):
    """The facts preflight decides on are the same when PDFium is unavailable for a file."""
    import signing.inspect as inspect

    paths = [decree30_pdf(tmp_path / f"{name}.pdf", **options) for name, options in
             itertools.islice(sorted(LAYOUTS.items()), 4)]
    fast = [inspect_document(path) for path in paths]
    monkeypatch.setattr(inspect, "_pdfium_text", lambda path, password: None)
    slow = [inspect_document(path) for path in paths]
    for a, b in zip(fast, slow, strict=True):
        assert (a.pages, a.page_size, a.scan_dpi, a.pdf_version) == (b.pages, b.page_size, b.scan_dpi, b.pdf_version)
        for page in ("first_page", "second_page", "last_page"):
            assert [line.text for line in getattr(a, page)] == [line.text for line in getattr(b, page)]


def test_a_misplaced_cross_reference_entry_sends_the_text_to_pypdf(tmp_path):
    """PDFium silently draws nothing for an entry pointing at another object; pypdf finds it."""
    from pathlib import Path

    from signing.document import open_document
    from signing.inspect import _offsets_exact

    sound = decree30_pdf(tmp_path / "sound.pdf")
    data = bytearray(sound.read_bytes())
    start = data.rindex(b"\nxref")
    table = data[start:]
    entries = [i for i in range(len(table)) if table[i:i + 7].endswith(b" 00000 ")][:3]
    broken = tmp_path / "broken.pdf"
    # the entry of the second object points at the first one
    first, second = entries[1], entries[2]
    table[second - 10:second] = table[first - 10:first]
    broken.write_bytes(bytes(data[:start] + table))
    for path, expected in ((sound, True), (broken, False)):
        with open(path, "rb") as stream:
            reader, _ = open_document(stream, name=Path(path))
            assert _offsets_exact(reader, stream) is expected, path.name


@pytest.mark.parametrize("dpi", [150, 300])
def test_a_scans_resolution_from_pdfium_equals_pypdfs(tmp_path, dpi):
    from tests.support.documents import scan_pdf

    path = scan_pdf(tmp_path / f"scan-{dpi}.pdf", dpi=dpi)
    fast, slow = _pdfium_text(path, None), _pdf_text(path, False)
    assert fast is not None, "a plain scan is read by PDFium"
    assert fast[3] == pytest.approx(slow[3], rel=1e-3) and round(fast[3]) == dpi
    assert fast[2] == ((), (), ()) and fast[0] == slow[0]
