"""Where on which page a signature's widget goes, for one document."""

from __future__ import annotations

from dataclasses import dataclass

from .appearance import AppearanceKind, AppearanceSpec, Box
from .errors import SigningError, SigningErrorCode
from .stamps import STAMP_LEADING, text_width

__all__ = ["PERSONAL_FIELD_PREFIX", "Placement", "personal_signature_widget", "resolve_placement"]

PERSONAL_FIELD_PREFIX = "kyso-personal"
_MM = 72 / 25.4
TOP_RIGHT_MARGIN_X = 15 * _MM  # right page margin (Decree 30: 15–20 mm)
TOP_RIGHT_MARGIN_Y = 6 * _MM


@dataclass(frozen=True)
class Placement:
    page_index: int  # 0-based
    box: Box


def resolve_placement(
    spec: AppearanceSpec,
    reader,
    *,
    lines: tuple[str, ...] = (),
    font_path=None,
    seal_size: tuple[float, float] | None = None,
) -> Placement | None:
    """The widget for `spec` in the document `reader` reads (None for invisible)."""
    kind = spec.kind
    if kind is AppearanceKind.INVISIBLE:
        return None
    if kind is AppearanceKind.PERSONAL:
        return Placement(_page_index(reader, spec.page), spec.box)
    if kind is AppearanceKind.ORGANISATION:
        return _organisation(spec, reader, seal_size)
    return _top_right(spec, reader, lines, font_path)


def _page_count(reader) -> int:
    return int(reader.root["/Pages"]["/Count"])


def _page_index(reader, page: int) -> int:
    count = _page_count(reader)
    if not 1 <= page <= count:
        raise SigningError(SigningErrorCode.PAGE_OUT_OF_RANGE, page=page, pages=count)
    return page - 1


def _page_box(reader, index: int) -> Box:
    page_ref, _ = reader.find_page_for_modification(index)
    page = page_ref.get_object()
    media = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
    x1, y1, x2, y2 = (float(v) for v in media)
    return Box(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _inherited(page, key: str):
    node = page
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return None


def _top_right(spec: AppearanceSpec, reader, lines: tuple[str, ...], font_path) -> Placement:
    if spec.box is not None:
        return Placement(_page_index(reader, 1), spec.box)
    page = _page_box(reader, 0)
    width = max(text_width(font_path, line) for line in lines) + 2
    height = STAMP_LEADING * len(lines) + 3
    x2 = page.x2 - TOP_RIGHT_MARGIN_X
    y2 = page.y2 - TOP_RIGHT_MARGIN_Y
    return Placement(0, Box(x2 - width, y2 - height, x2, y2))


def _organisation(spec: AppearanceSpec, reader, seal_size) -> Placement:
    width, height = seal_size
    if spec.box is not None:
        centre_x = (spec.box.x1 + spec.box.x2) / 2
        centre_y = (spec.box.y1 + spec.box.y2) / 2
        box = Box(centre_x - width / 2, centre_y - height / 2, centre_x + width / 2, centre_y + height / 2)
        return Placement(_page_index(reader, spec.page), box)
    found = personal_signature_widget(reader)
    if found is None:
        raise SigningError(SigningErrorCode.NO_PERSONAL_SIGNATURE)
    page_index, personal = found
    # The seal covers about the left third of the personal signature image (Decree 30).
    right = personal.x1 + personal.width / 3
    centre_y = (personal.y1 + personal.y2) / 2
    box = Box(right - width, centre_y - height / 2, right, centre_y + height / 2)
    return Placement(page_index, box)


def personal_signature_widget(reader) -> tuple[int, Box] | None:
    """The page and rectangle of the personal signature already in the document.

    kyso names its personal signature fields `kyso-personal-N`; for documents signed elsewhere,
    the last signed field with a visible widget is taken.
    """
    from .fields import signature_fields

    candidates = []
    for name, _value, field_ref in signature_fields(reader, filled_only=True):
        field = field_ref.get_object()
        rect = _widget_rect(field)
        if rect is None:
            continue
        candidates.append((str(name).startswith(PERSONAL_FIELD_PREFIX), rect, field))
    if not candidates:
        return None
    preferred = [c for c in candidates if c[0]] or candidates
    _, rect, field = preferred[-1]
    return _widget_page(reader, field), rect


def _widget_rect(field) -> Box | None:
    widget = field
    if "/Rect" not in widget and "/Kids" in field:
        widget = field["/Kids"][0].get_object()
    if "/Rect" not in widget:
        return None
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    box = Box(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    return box if box.width > 1 and box.height > 1 else None


def _widget_page(reader, field) -> int:
    widget = field if "/Rect" in field else field["/Kids"][0].get_object()
    page_ref = widget.raw_get("/P") if "/P" in widget else None
    if page_ref is not None:
        for index in range(_page_count(reader)):
            ref, _ = reader.find_page_for_modification(index)
            if ref.reference == page_ref.reference:
                return index
    return _page_index_by_annotation(reader, widget)


def _page_index_by_annotation(reader, widget) -> int:
    from .fields import entry

    for index in range(_page_count(reader)):
        ref, _ = reader.find_page_for_modification(index)
        annots = entry(ref.get_object(), "/Annots") or []
        if any(annot.get_object() is widget for annot in annots):
            return index
    return 0
