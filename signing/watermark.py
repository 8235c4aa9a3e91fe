"""The practice watermark: every page of a practice output says it has no legal value.

Before a practice signature, a document that does not carry the mark yet gets it as an
incremental update of a copy (the input is never touched): on every page a red line "BẢN THỰC
HÀNH — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" at the foot and a large translucent "BẢN THỰC HÀNH" across
it, drawn in page content (so text extraction and printing keep it) with an embedded subset of
the stamp font and its ToUnicode map (the diacritics extract back). The document catalogue gets
`/KysoPractice` naming the workshop, which is how the mark is recognised again. The signature
that follows covers the watermark, so removing it breaks the signature.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import shutil
from pathlib import Path

from .practice_mark import PRACTICE_MARK_TEXT

log = logging.getLogger(__name__)
__all__ = ["MARK_KEY", "has_practice_mark", "practice_copy", "watermark_copy"]

MARK_KEY = "/KysoPractice"
_TEMPLATE_KEY = "/KysoWatermark"
_SCAN_LIMIT = 8 * 1024 * 1024  # bytes: a smaller file is searched, a larger one parsed
_BAND_SIZE = 11  # pt, the foot line (pyhanko wants whole points for its text box)
_BAND_FROM_BOTTOM = 20.0  # pt from the bottom edge to the foot line (about 7 mm)
_DIAGONAL_TEXT = "BẢN THỰC HÀNH"
_DIAGONAL_SIZE = 64
_DIAGONAL_OPACITY = 0.13
_RED = (0.8, 0.05, 0.05)


def has_practice_mark(path: Path) -> bool:
    """True when the PDF carries the practice mark in its catalogue (an unreadable file: False).

    Preflight learns it while it reads the document anyway (DocumentFacts.practice_marked); this
    is for a signature with no preflight. A small file whose bytes neither name the mark nor hold
    object streams (where a catalogue could be compressed) cannot carry it: that answer costs a
    read and a search, not a parse (a parse costs ~1 ms a document in a batch)."""
    try:
        if path.stat().st_size <= _SCAN_LIMIT:
            data = path.read_bytes()
            if MARK_KEY.encode() not in data and b"/ObjStm" not in data:
                return False
        return _catalogue_marked(path)
    except OSError:
        return False


def _catalogue_marked(path: Path) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with open(path, "rb") as stream:
            return MARK_KEY in PdfFileReader(stream, strict=False).root
    except Exception:  # not a PDF, damaged, encrypted: not marked (the signing path says why)
        log.debug("%s cannot be read for the practice mark", path, exc_info=True)
        return False


def practice_copy(source: Path, target: Path, *, workshop: str, password: str | None = None) -> None:
    """The step before a practice signature on a document not marked yet: what the engine would
    refuse is refused here with the engine's codes; a document already signed outside practice
    is refused (a practice signature never goes on a real one); then `target` is the
    watermarked copy (an encrypted document stays encrypted: `password` opens it)."""
    from .document import check_header, open_document, refuse_unsignable
    from .errors import SigningError, SigningErrorCode

    check_header(source)
    with open(source, "rb") as stream:
        reader, protection = open_document(stream, name=source, password=password)
        refuse_unsignable(reader, name=source, protection=protection)
        if reader.embedded_signatures:
            raise SigningError(SigningErrorCode.SIGNED_OUTSIDE_PRACTICE, file=source.name)
    watermark_copy(source, target, workshop=workshop, password=password)


def watermark_copy(source: Path, target: Path, *, workshop: str, password: str | None = None) -> None:
    """Copy `source` to `target` and add the practice watermark to every page of the copy."""
    shutil.copyfile(source, target)
    with open(target, "r+b") as stream:
        _watermark_in_place(stream, workshop=workshop, password=password, name=source)


def _watermark_in_place(stream, *, workshop: str, password: str | None, name: Path) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader

    from .document import open_document

    writer = IncrementalPdfFileWriter.from_reader(open_document(stream, name=name, password=password)[0])
    marks = writer.import_object(PdfFileReader(io.BytesIO(_marks_template()), strict=False).root[_TEMPLATE_KEY])
    band_size, diagonal_size = (tuple(float(v) for v in marks[key]) for key in ("/BandSize", "/DiagSize"))
    resources = generic.DictionaryObject({
        pdf_name("/XObject"): generic.DictionaryObject({pdf_name("/KysoWmBand"): marks.raw_get("/Band"),
                                                       pdf_name("/KysoWmDiag"): marks.raw_get("/Diag")}),
        pdf_name("/ExtGState"): generic.DictionaryObject({pdf_name("/KysoWmGS"): marks.raw_get("/GS")}),
    })
    for index in range(int(writer.root["/Pages"]["/Count"])):
        page_ref, _ = writer.find_page_for_modification(index)
        paint = _paint(_media_box(page_ref.get_object()), band_size, diagonal_size)
        writer.add_stream_to_page(index, writer.add_object(generic.StreamObject(stream_data=b"q")), prepend=True)
        writer.add_stream_to_page(index, writer.add_object(generic.StreamObject(stream_data=b"Q")))
        writer.add_stream_to_page(index, writer.add_object(generic.StreamObject(stream_data=paint)), resources)
    writer.root[pdf_name(MARK_KEY)] = generic.DictionaryObject({
        pdf_name("/Text"): generic.TextStringObject(PRACTICE_MARK_TEXT),
        pdf_name("/Workshop"): generic.TextStringObject(workshop),
    })
    writer.update_root()
    writer.write_in_place()


@functools.lru_cache(maxsize=1)
def _marks_template() -> bytes:
    """A small PDF holding the two marks (form XObjects with their font subsets) and the
    translucent graphics state, made once per process: each document then imports these objects
    instead of subsetting the font twice again (~0.25 s a document)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.writer import PdfFileWriter

    from .fonts import prepared_stamp_font

    writer = PdfFileWriter(stream_xrefs=False)
    font = prepared_stamp_font()
    band, band_size = _text_xobject(writer, font, PRACTICE_MARK_TEXT, _BAND_SIZE, _RED)
    diagonal, diagonal_size = _text_xobject(writer, font, _DIAGONAL_TEXT, _DIAGONAL_SIZE, _RED)
    state = writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/ExtGState"),
        pdf_name("/ca"): generic.FloatObject(_DIAGONAL_OPACITY),
        pdf_name("/CA"): generic.FloatObject(_DIAGONAL_OPACITY),
    }))
    writer.root[pdf_name(_TEMPLATE_KEY)] = writer.add_object(generic.DictionaryObject({
        pdf_name("/Band"): band, pdf_name("/Diag"): diagonal, pdf_name("/GS"): state,
        pdf_name("/BandSize"): generic.ArrayObject(generic.NumberObject(v) for v in band_size),
        pdf_name("/DiagSize"): generic.ArrayObject(generic.NumberObject(v) for v in diagonal_size),
    }))
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _text_xobject(writer, font: Path, text: str, size: int, colour: tuple[float, float, float]):
    """A form XObject holding one line of text; returns (reference, (width, height))."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStamp, TextStampStyle

    from .stamps import text_width

    width, height = math.ceil(text_width(font, text, size=size)) + 2, math.ceil(size * 1.25)
    centred = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
        margins=layout.Margins.uniform(0), inner_content_scaling=layout.InnerScaling.NO_SCALING,
    )
    style = TextStampStyle(
        stamp_text="%(mark)s", border_width=0, background=None, inner_content_layout=centred,
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font), font_size=size), font_size=size,
                                    leading=size, border_width=0, box_layout_rule=centred, text_color=colour),
    )
    stamp = TextStamp(writer, style, text_params={"mark": text}, box=layout.BoxConstraints(width, height))
    return stamp.register(), (width, height)


def _paint(box: tuple[float, float, float, float], band: tuple[float, float], diagonal: tuple[float, float]) -> bytes:
    """Draw the foot line centred at the bottom, and the large text across the page's centre."""
    x0, y0, x1, y1 = box
    page_width, page_height = x1 - x0, y1 - y0
    band_x = x0 + (page_width - band[0]) / 2
    band_y = y0 + _BAND_FROM_BOTTOM
    angle = math.atan2(page_height, page_width)
    cos, sin = math.cos(angle), math.sin(angle)
    centre_x, centre_y = x0 + page_width / 2, y0 + page_height / 2
    # the diagonal text's own centre lands on the page's centre once rotated
    dx = centre_x - (cos * diagonal[0] - sin * diagonal[1]) / 2
    dy = centre_y - (sin * diagonal[0] + cos * diagonal[1]) / 2
    return (b"q /KysoWmGS gs %.4f %.4f %.4f %.4f %.2f %.2f cm /KysoWmDiag Do Q "
            b"q 1 0 0 1 %.2f %.2f cm /KysoWmBand Do Q" % (cos, sin, -sin, cos, dx, dy, band_x, band_y))


def _media_box(page) -> tuple[float, float, float, float]:
    """The page's visible box (CropBox, else MediaBox, inherited through the page tree)."""
    for key in ("/CropBox", "/MediaBox"):
        node = page
        while node is not None:
            if key in node:
                values = [float(v) for v in node[key]]
                return (min(values[0], values[2]), min(values[1], values[3]),
                        max(values[0], values[2]), max(values[1], values[3]))
            node = node.get("/Parent")
            node = node.get_object() if node is not None else None
    return (0.0, 0.0, 595.28, 841.89)
