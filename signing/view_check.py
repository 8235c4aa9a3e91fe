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

__all__ = ["PDFIUM_LOCK", "RENDER_DPI", "ViewCheck", "WidgetArea", "check_same_view"]

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
class _Scope:
    """The pages that could differ, and why."""

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
                    widget: WidgetArea | None = None) -> ViewCheck:
    """Raise SIGN_VIEW_CHANGED unless the signed file `signed` (whose first `input_length`
    bytes are the input) shows every page as the input does, the widget area excepted."""
    scope = _structural_scope(signed, password)
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

def _structural_scope(signed: Path, password: str | None) -> _Scope:
    from .document import open_reader, parser_errors

    scope = _Scope()
    with open(signed, "rb") as stream:
        try:
            reader = open_reader(stream, name=signed, password=password)
            _compare_revisions(reader, scope)
        except (SigningError, *parser_errors()) as exc:  # what pyhanko cannot compare, PDFium draws
            log.info("structural comparison of %s failed: %r", signed, exc)
            scope.add("the revisions could not be compared object by object")
    return scope


def _compare_revisions(reader, scope: _Scope) -> None:
    xrefs = reader.xrefs
    last = xrefs.total_revisions - 1
    if last < 1:
        scope.add("the signed file has a single revision")
        return
    before = reader.get_historical_resolver(last - 1)
    roles = _roles(reader)
    for ref in sorted(xrefs.explicit_refs_in_revision(last), key=lambda r: (r.idnum, r.generation)):
        if xrefs.get_historical_ref(ref, last - 1) is None:
            continue  # a new object: reachable only through the replaced ones compared here
        old, new = before.get_object(ref), reader.get_object(ref)
        _compare_replaced(roles.get((ref.idnum, ref.generation)), old, new, scope, ref.idnum)


def _roles(reader) -> dict[tuple[int, int], tuple[str, int | None]]:
    """What each object the update may legitimately replace is: ("catalogue"|"form"|"fields",
    None) or ("page"|"annots", page index)."""
    roles: dict[tuple[int, int], tuple[str, int | None]] = {}
    root = reader.trailer.raw_get("/Root")
    roles[(root.idnum, root.generation)] = ("catalogue", None)
    catalogue = reader.root
    form = catalogue.raw_get("/AcroForm") if "/AcroForm" in catalogue else None
    if hasattr(form, "idnum"):
        roles[(form.idnum, form.generation)] = ("form", None)
    fields = form.get_object().raw_get("/Fields") if form is not None and "/Fields" in form.get_object() else None
    if hasattr(fields, "idnum"):
        roles[(fields.idnum, fields.generation)] = ("fields", None)
    for index, page_ref in enumerate(_page_refs(reader)):
        roles[(page_ref.idnum, page_ref.generation)] = ("page", index)
        annots = page_ref.get_object().raw_get("/Annots") if "/Annots" in page_ref.get_object() else None
        if hasattr(annots, "idnum"):
            roles[(annots.idnum, annots.generation)] = ("annots", index)
    return roles


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


def _compare_replaced(role, old, new, scope: _Scope, number: int) -> None:
    kind, page = role if role is not None else (None, None)
    if kind == "page":
        if _changed_keys(old, new) - {"/Annots"} or not _grows_by_new(old.get("/Annots"), new.get("/Annots")):
            scope.add(f"page object {number} changed", page)
    elif kind == "annots" or kind == "fields":
        if not _grows_by_new(old, new):
            scope.add(f"{kind} array {number} changed", page) if kind == "annots" else scope.add(
                f"form fields array {number} changed")
    elif kind == "catalogue":
        _compare_catalogue(old, new, scope)
    elif kind == "form":
        _compare_form(old, new, scope)
    else:
        scope.add(f"object {number} was replaced")


def _compare_catalogue(old, new, scope: _Scope) -> None:
    changed = _changed_keys(old, new)
    if changed - _CATALOGUE_KEYS:
        scope.add("catalogue entries changed: " + ", ".join(sorted(changed - _CATALOGUE_KEYS)))
    elif "/AcroForm" in changed and not hasattr(new.raw_get("/AcroForm"), "idnum"):
        _compare_form(old.get("/AcroForm"), new["/AcroForm"], scope)  # a form written in place


def _compare_form(old, new, scope: _Scope) -> None:
    old = old.get_object() if old is not None else {}
    changed = _changed_keys(old, new)
    if changed - _FORM_KEYS:
        scope.add("form entries changed: " + ", ".join(sorted(changed - _FORM_KEYS)))
    elif "/Fields" in changed and not _grows_by_new(old.get("/Fields"), new.get("/Fields")):
        scope.add("form fields changed")


def _changed_keys(old, new) -> set[str]:
    keys = set(old) | set(new)
    return {key for key in keys if _serialised(old.get(key)) != _serialised(new.get(key))}


def _grows_by_new(old, new) -> bool:
    """`new` is `old` with only references to objects the update created appended."""
    old_items = [_serialised(item) for item in _items(old)]
    new_items = list(_items(new))
    if [_serialised(item) for item in new_items[: len(old_items)]] != old_items:
        return False
    return all(_is_new(item) for item in new_items[len(old_items):])


def _items(array) -> list:
    if array is None:
        return []
    if hasattr(array, "idnum"):
        array = array.get_object()
    return list(array)


def _is_new(item) -> bool:
    if not hasattr(item, "idnum"):
        return False
    reader = item.get_pdf_handler()
    xrefs = getattr(reader, "xrefs", None)
    return xrefs is not None and xrefs.get_historical_ref(item.reference, xrefs.total_revisions - 2) is None


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
