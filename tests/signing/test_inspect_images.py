"""Inspecting a document reads its text (also text inside form XObjects) and the resolution of a
scan without ever loading a page image: a scan's images are tens of MB each."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

from signing.inspect import inspect_document

IMAGE_BYTES = 4 * 1024 * 1024
A4 = (595.28, 841.89)


def _pdf(path: Path, *, content: bytes, with_form: bool, form_dict: bytes = b"", form_text: bytes = b"Noi dung trong bieu mau",
         indirect_xobjects: bool = False, width: bytes = b"2480", form_offset_of: int | None = None) -> Path:
    """One A4 page drawing `content`; /Im0 is a 4 MB image 2480 px wide; /Fm0 a form with text.
    `form_offset_of`: the cross-reference entry of the form points at that object instead."""
    xobjects = b"<< /Im0 5 0 R %s>>" % (b"/Fm0 7 0 R " if with_form else b"")
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents 4 0 R /Resources << "
        b"/Font << /F1 6 0 R >> /XObject %s >> >>" % (*A4, b"9 0 R" if indirect_xobjects else xobjects),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Image /Width %s /Height 3508 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n" % (width, IMAGE_BYTES)
        + os.urandom(IMAGE_BYTES) + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    form = b"BT /F1 12 Tf 72 600 Td (%s) Tj ET" % form_text
    objects.append(b"<< /Type /XObject /Subtype /Form %s/BBox [0 0 595 842] /Resources << /Font << /F1 6 0 R >> >> "
                   b"/Length %d >>\nstream\n%s\nendstream" % (form_dict, len(form), form))
    objects.append(b"2480")  # 8: a width written as an object of its own
    objects.append(xobjects)  # 9: the XObject dictionary as an object of its own
    with open(path, "wb") as out:
        out.write(b"%PDF-1.7\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        if form_offset_of is not None:
            offsets[6] = offsets[form_offset_of - 1]
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


def test_a_form_is_never_taken_for_an_image(tmp_path):
    """What decides is the object's own top-level /Subtype: not a nested dictionary or a string
    saying /Image, nor another object a wrong cross-reference entry points at (pypdf repairs
    that; kyso then lets pypdf read the form). The form's text — here a secret mark — is read."""
    content = b"BT /F1 24 Tf 72 760 Td (QUYET DINH) Tj ET /Fm0 Do"
    cases = {
        "nested": {"form_dict": b"/PieceInfo << /X << /Subtype /Image >> >> "},
        "string": {"form_dict": b"/Name (/Subtype /Image) "},
        "wrong-offset": {"form_offset_of": 5},
    }
    for name, options in cases.items():
        path = _pdf(tmp_path / f"{name}.pdf", content=content, with_form=True, form_text=b"TOI MAT", **options)
        texts = [line.text for line in inspect_document(path).first_page]
        assert "TOI MAT" in texts, (name, texts)


def test_resolution_with_an_indirect_width_or_xobject_dictionary(tmp_path):
    content = b"q 595.28 0 0 841.89 0 0 cm /Im0 Do Q"
    for name, options in {"indirect-width": {"width": b"8 0 R"}, "indirect-xobjects": {"indirect_xobjects": True}}.items():
        facts, peak = _inspect_measured(_pdf(tmp_path / f"{name}.pdf", content=content, with_form=False, **options))
        assert round(facts.scan_dpi) == 300, name
        assert peak < IMAGE_BYTES / 2, (name, peak)
