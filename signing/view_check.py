"""What you see is what you sign: the signed file must show exactly what the input showed.

The last step before a signed file takes its final name. The signed file is the input's bytes
plus one incremental update, so a page can only look different if the update replaced an object
the page is drawn from, or if a viewer reads the two files differently. The check therefore has
two parts, and its cost is bounded by what could have changed, not by the size of the file:

1. Structure (pyhanko, both revisions of the signed file): every object the update *replaced*
   is compared with its previous value. Expected replacements are the page that receives the
   signature's widget (only its /Annots may grow, by new objects), its /Annots array, the
   catalogue (only /AcroForm, /DSS, /Extensions, /Version), the form (only /Fields grows and
   /SigFlags) and its /Fields array. A page replaced otherwise is a page that could differ; any
   other replaced object, or a form change that viewers draw from (/NeedAppearances, /DR…),
   makes every page one that could differ.
2. The viewer (PDFium, as kyso's preview draws: form-fill pass, annotations): both revisions
   open, have the same page count and page sizes; if PDFium had to repair the cross-reference
   table of either (it then reads objects pyhanko may not), every page could differ. Each page
   that could differ is rendered from both revisions at 50 dpi in grey and compared pixel for
   pixel, the signature's own widget area excepted. Any difference → `SIGN_VIEW_CHANGED` naming
   the page, and the caller writes no file.

A clean document costs two PDFium opens and a handful of object comparisons — no rendering — so
a batch of one-page documents and a 500 MB scan alike pay well under a millisecond per page of
structure; the rendering is spent exactly where an unexpected change was seen.
"""

from __future__ import annotations

import ctypes
import io
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .appearance import Box
from .errors import SigningError, SigningErrorCode

__all__ = ["PDFIUM_LOCK", "RENDER_DPI", "UpdateScope", "ViewCheck", "WidgetArea", "check_same_view", "writer_scope"]

log = logging.getLogger(__name__)

RENDER_DPI = 50
PDFIUM_LOCK = threading.RLock()  # PDFium is not thread-safe: every caller in the process holds it
_CATALOGUE_KEYS = frozenset({"/AcroForm", "/DSS", "/Extensions", "/Version"})
_FORM_KEYS = frozenset({"/Fields", "/SigFlags"})
_MASK_MARGIN = 2  # pixels around the widget: anti-aliasing of its edge


@dataclass(frozen=True)
class WidgetArea:
    """Where the new signature is drawn: 0-based page, rectangle in PDF points."""

    page: int
    box: Box


@dataclass(frozen=True)
class ViewCheck:
    pages: int
    rendered: tuple[int, ...]  # 0-based pages compared pixel by pixel
    reasons: tuple[str, ...]  # why they could differ


@dataclass
class UpdateScope:
    """The pages an update could have changed, and why."""

    every_page: bool = False
    pages: set[int] = field(default_factory=set)
    reasons: list[str] = field(default_factory=list)

    def add(self, reason: str, page: int | None = None) -> None:
        self.reasons.append(reason)
        if page is None:
            self.every_page = True
        else:
            self.pages.add(page)


def check_same_view(*, signed: Path, input_length: int, source: Path, password: str | None = None,
                    widget: WidgetArea | None = None, scope: UpdateScope | None = None,
                    input_revisions: int | None = None) -> ViewCheck:
    """Raise SIGN_VIEW_CHANGED unless the signed file `signed` (whose first `input_length`
    bytes are the input) shows every page as the input does, the widget area excepted. `scope`:
    the structural comparison already made from the writer (`writer_scope`); without it the
    signed file's last revision is read back and compared with the one before."""
    scope = scope if scope is not None else _file_scope(signed, password, input_revisions)
    with PDFIUM_LOCK, _opened(signed, input_length, password, source) as (before, after):
        count = len(before)
        _same_pages(before, after, source)
        for name, document in (("input", before), ("signed file", after)):
            if not _valid_xref(document):
                scope.add(f"PDFium repaired the cross-reference table of the {name}")
        pages = range(count) if scope.every_page else sorted(p for p in scope.pages if p < count)
        if pages:
            _init_forms(before, after)
        for index in pages:
            _compare_page(before, after, index, widget if widget and widget.page == index else None, source)
    if scope.reasons:
        log.info("view check of %s rendered pages %s: %s", source, list(pages), "; ".join(scope.reasons))
    return ViewCheck(count, tuple(pages), tuple(scope.reasons))


def _view_changed(source: Path, page: int) -> SigningError:
    return SigningError(SigningErrorCode.VIEW_CHANGED, page=page, file=source)


# --- 1. structure ---------------------------------------------------------------------------------

def writer_scope(reader, writer, *, widget_page: int = 0) -> UpdateScope:
    """The pages that could differ, from the update kyso's writer just wrote (its objects, in
    memory) and the input as the signing reader parsed it: an object number the input already
    had is a replacement, its previous value read afresh from the input's bytes."""
    last = reader.xrefs.total_revisions - 1
    written = [*writer.objects, *((0, number) for number in writer.objs_in_streams)]
    replaced = []
    for generation, number in sorted(written, key=lambda key: key[1]):
        ref = generic_reference(number, generation, reader)
        if reader.xrefs.get_historical_ref(ref, last) is not None:
            new = writer.objects.get((generation, number), writer.objs_in_streams.get(number))
            replaced.append((ref, reader.get_object(ref, revision=last), new))
    return _update_scope(reader, replaced, existed=lambda ref: reader.xrefs.get_historical_ref(ref, last) is not None,
                         catalogue=writer.root, widget_page=widget_page)


def _file_scope(signed: Path, password: str | None, input_revisions: int | None) -> UpdateScope:
    """The same, read back from the signed file alone: its final state against the input's last
    revision (by default the one before the last: one update), every update after it included."""
    from .document import open_reader, parser_errors

    with open(signed, "rb") as stream:
        try:
            reader = open_reader(stream, name=signed, password=password)
            xrefs = reader.xrefs
            base = (input_revisions or xrefs.total_revisions - 1) - 1
            if base < 0 or base >= xrefs.total_revisions - 1:
                return UpdateScope(every_page=True, reasons=["the signed file has no update to compare"])
            refs = {ref for revision in range(base + 1, xrefs.total_revisions)
                    for ref in xrefs.explicit_refs_in_revision(revision)}

            def existed(ref) -> bool:
                return xrefs.get_historical_ref(ref, base) is not None

            replaced = [(ref, reader.get_object(ref, revision=base), reader.get_object(ref))
                        for ref in sorted(refs, key=lambda ref: (ref.idnum, ref.generation)) if existed(ref)]
            return _update_scope(reader, replaced, catalogue=reader.root, widget_page=0, existed=existed)
        except (SigningError, *parser_errors()) as exc:  # what pyhanko cannot compare, PDFium draws
            log.info("structural comparison of %s failed: %r", signed, exc)
            return UpdateScope(every_page=True, reasons=["the revisions could not be compared object by object"])


def generic_reference(number: int, generation: int, reader):
    from pyhanko.pdf_utils.generic import Reference

    return Reference(number, generation, reader)


def _update_scope(reader, replaced, *, existed, catalogue, widget_page: int) -> UpdateScope:
    scope = UpdateScope()
    roles = _Roles(reader, catalogue, widget_page)
    for ref, old, new in replaced:
        _compare_replaced(roles.of(ref.idnum, old), old, new, scope, ref.idnum, existed)
    return scope


class _Roles:
    """What an object the update may legitimately replace is: the catalogue, the form, its
    /Fields, a page, a page's /Annots; the document information and XMP (never drawn)."""

    def __init__(self, reader, catalogue, widget_page: int) -> None:
        from .fields import entry

        self.reader = reader
        trailer = reader.trailer
        self.numbers: dict[int, str] = {}
        self._name(trailer.raw_get("/Root"), "catalogue")
        self._name(trailer.raw_get("/Info") if "/Info" in trailer else None, "metadata")
        self._name(catalogue.raw_get("/Metadata") if "/Metadata" in catalogue else None, "metadata")
        form = catalogue.raw_get("/AcroForm") if "/AcroForm" in catalogue else None
        self._name(form, "form")
        fields = entry(form.get_object(), "/Fields") if form is not None else None
        self._name(form.get_object().raw_get("/Fields") if fields is not None else None, "fields")
        try:
            page_ref, _ = reader.find_page_for_modification(widget_page)
            page = page_ref.get_object()
            self._name(page.raw_get("/Annots") if "/Annots" in page else None, "annots")
            self.widget_page = (page_ref.idnum, widget_page)
        except (KeyError, IndexError, ValueError, TypeError, AttributeError):
            self.widget_page = (None, widget_page)

    def _name(self, value, role: str) -> None:
        if hasattr(value, "idnum"):
            self.numbers[value.idnum] = role

    def of(self, number: int, old) -> tuple[str | None, int | None]:
        role = self.numbers.get(number)
        if role == "annots":
            return role, self.widget_page[1]
        if role is None and isinstance(old, dict) and old.get("/Type") == "/Page":
            return "page", self.page_index(number)
        return role, None

    def page_index(self, number: int) -> int | None:
        if number == self.widget_page[0]:
            return self.widget_page[1]
        for index, page_ref in enumerate(_page_refs(self.reader)):
            if page_ref.idnum == number:
                return index
        return None


def _page_refs(reader) -> Iterator:
    """The page objects in order (a cyclic or broken tree ends the walk where it breaks)."""
    from .fields import entry

    seen: set[int] = set()
    stack = [reader.root.raw_get("/Pages")]
    while stack:
        node_ref = stack.pop()
        if not hasattr(node_ref, "idnum") or node_ref.idnum in seen:
            continue
        seen.add(node_ref.idnum)
        node = node_ref.get_object()
        kids = entry(node, "/Kids")
        if kids is None:
            yield node_ref
        else:
            stack.extend(reversed(list(kids)))


def _compare_replaced(role, old, new, scope: UpdateScope, number: int, existed) -> None:
    kind, page = role
    if kind == "metadata":
        return  # document information and XMP are never drawn
    if kind == "page":
        changed = _changed_keys(old, new) - {"/Annots"}
        if changed or not _grows_by_new(old.get("/Annots"), new.get("/Annots"), existed):
            scope.add(f"page object {number} changed", page)
    elif kind == "annots":
        if not _grows_by_new(old, new, existed):
            scope.add(f"annotations array {number} changed", page)
    elif kind == "fields":
        if not _grows_by_new(old, new, existed):
            scope.add(f"form fields array {number} changed")
    elif kind == "catalogue":
        _compare_catalogue(old, new, scope, existed)
    elif kind == "form":
        _compare_form(old, new, scope, existed)
    else:
        scope.add(f"object {number} was replaced")


def _compare_catalogue(old, new, scope: UpdateScope, existed) -> None:
    changed = _changed_keys(old, new)
    if changed - _CATALOGUE_KEYS:
        scope.add("catalogue entries changed: " + ", ".join(sorted(changed - _CATALOGUE_KEYS)))
    elif "/AcroForm" in changed and not hasattr(new.raw_get("/AcroForm"), "idnum"):
        _compare_form(old.get("/AcroForm"), new["/AcroForm"], scope, existed)  # a form written in place


def _compare_form(old, new, scope: UpdateScope, existed) -> None:
    old = old.get_object() if old is not None else {}
    changed = _changed_keys(old, new)
    if changed - _FORM_KEYS:
        scope.add("form entries changed: " + ", ".join(sorted(changed - _FORM_KEYS)))
    elif "/Fields" in changed and not _grows_by_new(old.get("/Fields"), new.get("/Fields"), existed):
        scope.add("form fields changed")


def _changed_keys(old, new) -> set[str]:
    return {key for key in set(old) | set(new) if not _same(_raw(old, key), _raw(new, key))}


def _grows_by_new(old, new, existed) -> bool:
    """`new` is `old` with only references to objects the update created appended."""
    old_items, new_items = _items(old), _items(new)
    if len(new_items) < len(old_items) or not all(map(_same, old_items, new_items)):
        return False
    return all(hasattr(item, "idnum") and not existed(item.reference) for item in new_items[len(old_items):])


def _items(array) -> list:
    if array is None:
        return []
    if hasattr(array, "idnum"):
        array = array.get_object()
    return list(list.__iter__(array))  # the items as written: references not followed


def _raw(dictionary, key):
    return dictionary.raw_get(key) if key in dictionary else None


def _same(a, b) -> bool:
    """Equal as written in the file: references by number, containers item by item."""
    if hasattr(a, "idnum") or hasattr(b, "idnum"):
        return (getattr(a, "idnum", None), getattr(a, "generation", None)) == (
            getattr(b, "idnum", None), getattr(b, "generation", None))
    if isinstance(a, dict) and isinstance(b, dict) and not hasattr(a, "data") and not hasattr(b, "data"):
        return a.keys() == b.keys() and all(_same(a.raw_get(key), b.raw_get(key)) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same, list.__iter__(a), list.__iter__(b)))
    if hasattr(a, "data") or hasattr(b, "data"):  # streams: compared as written
        return _serialised(a) == _serialised(b)
    return type(a) is type(b) and a == b


def _serialised(value) -> bytes | None:
    if value is None:
        return None
    out = io.BytesIO()
    value.write_to_stream(out, None)
    return out.getvalue()


# --- 2. the viewer ----------------------------------------------------------------------------------

class _Prefix(io.RawIOBase):
    """The first `length` bytes of a file: the input revision inside the signed file."""

    def __init__(self, path: Path, length: int) -> None:
        self._handle = open(path, "rb")  # noqa: SIM115 - closed with this object
        self._length = length
        self._position = 0

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._position, self._length)[whence]
        self._position = max(0, min(self._length, base + offset))
        return self._position

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self._length - self._position)
        self._handle.seek(self._position)
        read = self._handle.readinto(memoryview(buffer)[:count])
        self._position += read
        return read

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._handle.close()
        super().close()


@contextmanager
def _opened(signed: Path, input_length: int, password: str | None, source: Path):
    import pypdfium2 as pdfium

    prefix = _Prefix(signed, input_length)
    documents = []
    try:
        for data, code in ((prefix, SigningErrorCode.DAMAGED), (str(signed), None)):
            try:
                documents.append(pdfium.PdfDocument(data, password=password))
            except pdfium.PdfiumError as exc:
                log.info("PDFium cannot open %s (%s): %s", source, "input" if code else "signed file", exc)
                raise (SigningError(code, file=source) if code else _view_changed(source, 1)) from exc
        yield documents[0], documents[1]
    finally:
        for document in documents:
            document.close()
        prefix.close()


def _same_pages(before, after, source: Path) -> None:
    if len(before) != len(after):
        raise _view_changed(source, min(len(before), len(after)) + 1)
    for index in range(len(before)):
        if _page_size(before, index) != _page_size(after, index):
            raise _view_changed(source, index + 1)


def _page_size(document, index: int) -> tuple[float, float] | None:
    import pypdfium2 as pdfium

    try:
        return tuple(document.get_page_size(index))
    except pdfium.PdfiumError:  # not a page PDFium can draw
        return None


def _valid_xref(document) -> bool:
    import pypdfium2.raw as raw

    return bool(raw.FPDF_DocumentHasValidCrossReferenceTable(document.raw))


def _init_forms(*documents) -> None:
    for document in documents:
        document.init_forms()


def _compare_page(before, after, index: int, widget: WidgetArea | None, source: Path) -> None:
    first, second = _pixels(before, index, widget), _pixels(after, index, widget)
    if first != second:
        log.warning("page %d of %s renders differently after signing", index + 1, source)
        raise _view_changed(source, index + 1)


def _pixels(document, index: int, widget: WidgetArea | None) -> bytes | None:
    import pypdfium2 as pdfium

    try:
        page = document[index]
    except pdfium.PdfiumError:  # a page PDFium cannot load shows nothing
        return None
    try:
        bitmap = page.render(scale=RENDER_DPI / 72, grayscale=True, may_draw_forms=True, draw_annots=True)
        pixels = bytearray(bitmap.buffer)
        if widget is not None:
            _mask(pixels, page, bitmap, widget.box)
        return bytes(pixels)
    finally:
        page.close()


def _mask(pixels: bytearray, page, bitmap, box: Box) -> None:
    """Blank the widget's rectangle (in device pixels, whatever the page's rotation)."""
    corners = [_to_device(page, bitmap, x, y) for x in (box.x1, box.x2) for y in (box.y1, box.y2)]
    left = max(0, min(c[0] for c in corners) - _MASK_MARGIN)
    right = min(bitmap.width, max(c[0] for c in corners) + _MASK_MARGIN + 1)
    top = max(0, min(c[1] for c in corners) - _MASK_MARGIN)
    bottom = min(bitmap.height, max(c[1] for c in corners) + _MASK_MARGIN + 1)
    if right <= left:
        return
    step = bitmap.stride // bitmap.width if bitmap.width else 1
    blank = bytes((right - left) * step)
    for row in range(top, bottom):
        start = row * bitmap.stride + left * step
        pixels[start:start + len(blank)] = blank


def _to_device(page, bitmap, x: float, y: float) -> tuple[int, int]:
    import pypdfium2.raw as raw

    device_x, device_y = ctypes.c_int(), ctypes.c_int()
    raw.FPDF_PageToDevice(page.raw, 0, 0, bitmap.width, bitmap.height, 0, x, y,
                          ctypes.byref(device_x), ctypes.byref(device_y))
    return device_x.value, device_y.value
