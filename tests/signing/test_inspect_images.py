"""Inspecting a document reads its text (also text inside form XObjects) and the resolution of a
scan without ever loading a page image: a scan's images are tens of MB each."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

from signing.inspect import inspect_document

IMAGE_BYTES = 4 * 1024 * 1024
A4 = (595.28, 841.89)


def _pdf(path: Path, *, content: bytes, with_form: bool) -> Path:
    """One A4 page drawing `content`; /Im0 is a 4 MB image 2480 px wide; /Fm0 a form with text."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents 4 0 R /Resources << "
        b"/Font << /F1 6 0 R >> /XObject << /Im0 5 0 R %s>> >> >>" % (*A4, b"/Fm0 7 0 R " if with_form else b""),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Image /Width 2480 /Height 3508 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n" % IMAGE_BYTES
        + os.urandom(IMAGE_BYTES) + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if with_form:
        form = b"BT /F1 12 Tf 72 600 Td (Noi dung trong bieu mau) Tj ET"
        objects.append(b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 6 0 R >> >> "
                       b"/Length %d >>\nstream\n%s\nendstream" % (len(form), form))
    with open(path, "wb") as out:
        out.write(b"%PDF-1.7\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
        out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return path


def _inspect_measured(path: Path):
    inspect_document(path)  # first: the imports it makes, which are not what is measured
    tracemalloc.start()
    try:
        facts = inspect_document(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return facts, peak


def test_text_and_form_text_are_read_without_loading_the_page_image(tmp_path):
    content = b"BT /F1 24 Tf 72 760 Td (QUYET DINH) Tj ET q 595 0 0 842 0 0 cm /Im0 Do Q /Fm0 Do"
    facts, peak = _inspect_measured(_pdf(tmp_path / "van-ban.pdf", content=content, with_form=True))
    texts = [line.text for line in facts.first_page]
    assert "QUYET DINH" in texts and "Noi dung trong bieu mau" in texts
    assert facts.scan_dpi is None
    assert peak < IMAGE_BYTES / 2, f"{peak} bytes traced: the page image was read"


def test_a_scans_resolution_is_read_without_loading_its_image(tmp_path):
    content = b"q 595.28 0 0 841.89 0 0 cm /Im0 Do Q"
    facts, peak = _inspect_measured(_pdf(tmp_path / "ban-quet.pdf", content=content, with_form=False))
    assert not facts.has_text
    assert round(facts.scan_dpi) == 300  # 2480 px across 8.27 in
    assert peak < IMAGE_BYTES / 2, f"{peak} bytes traced: the page image was read"
