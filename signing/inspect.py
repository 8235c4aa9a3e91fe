"""What a PDF is, for preflight: pages, text lines with their positions, signatures already in
it, whether it is a scan and at what resolution. Read-only, and only the pages needed are parsed
(a 500 MB scan costs its cross-reference table and two pages, not 500 MB)."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .appearance import Box
from .document import Encryption, check_header, open_document, parser_errors
from .errors import SigningError, SigningErrorCode

__all__ = ["TextLine", "ExistingSignature", "DocumentFacts", "inspect_document"]

log = logging.getLogger(__name__)


def _parser_limits() -> tuple[type[BaseException], ...]:
    from pypdf.errors import LimitReachedError

    return (LimitReachedError, RecursionError)


_WATERMARK = "/KysoWm"  # the practice watermark's XObjects (signing/watermark.py)
_WATERMARK_KEY = "/KysoPractice"  # …and its mark in the document catalogue
_KYSO_FIELD = re.compile(r"^kyso-(personal|organisation|attachment|copy|invisible)-\d+$")


@dataclass(frozen=True)
class TextLine:
    text: str  # NFC-normalised, whitespace collapsed
    x: float  # left, in PDF points
    y: float  # baseline, from the bottom of the page
    x2: float  # right end (approximate)
    size: float  # font size


@dataclass(frozen=True)
class ExistingSignature:
    field: str
    kind: str | None  # personal/organisation/attachment/copy for kyso's fields, else None
    signer: str | None
    page: int | None  # 0-based
    rect: Box | None


@dataclass(frozen=True)
class DocumentFacts:
    path: Path
    size: int
    pdf_version: str
    pages: int
    page_size: tuple[float, float]  # page 1, points
    encrypted: bool
    certified_no_changes: bool
    first_page: tuple[TextLine, ...]
    second_page: tuple[TextLine, ...]
    last_page: tuple[TextLine, ...]
    signatures: tuple[ExistingSignature, ...]
    scan_dpi: float | None  # page 1 is an image with no text: its resolution
    # Encryption (`encrypted` above: the contents could not be opened): its kind, why the file
    # stays closed (PDF_PASSWORD_REQUIRED, PDF_PASSWORD_WRONG, PDF_ENCRYPTED_CERTIFICATE,
    # PDF_ENCRYPTED) and whether the access obtained allows a new signature.
    encryption: Encryption = Encryption.NONE
    closed_by: str | None = None
    may_add_signature: bool = True
    practice_marked: bool = False  # carries kyso's practice watermark (signing/watermark.py)
    certification: int | None = None  # DocMDP /P of a certification signature (1, 2 or 3), if any

    @property
    def has_text(self) -> bool:
        return any(line.text.strip() for line in self.first_page)


def inspect_document(path: Path, *, password: str | None = None) -> DocumentFacts:
    """The facts preflight needs; `password` opens a file protected by an open password."""
    size = check_header(path)
    try:
        return _inspect(path, size, password)
    except SigningError:
        raise
    except _parser_limits() as exc:  # a page tree deeper than the parser's limit: viewers may cope
        log.warning("the structure of %s exceeds a parser limit", path, exc_info=exc)
        raise SigningError(SigningErrorCode.STRUCTURE_UNSUPPORTED, file=path) from exc
    except parser_errors() as exc:
        log.info("%s cannot be read", path, exc_info=exc)
        raise SigningError(SigningErrorCode.DAMAGED, file=path) from exc


def _inspect(path: Path, size: int, password: str | None) -> DocumentFacts:
    with open(path, "rb") as stream:
        try:
            reader, protection = open_document(stream, name=path, password=password)
        except SigningError as refusal:
            if refusal.code not in _CLOSED_BY:
                raise
            return _closed(path, size, stream, refusal.code)
        certification = _certification(reader)
        certified = certification == 1
        signatures = tuple(_signatures(reader))
        practice = _WATERMARK_KEY in reader.root
        exact = not practice and _offsets_exact(reader, stream) and _page_tree_plain(reader, path)
    # PDFium reads the text (~1 ms a page, the ~10–50 ms of pypdf's extraction avoided). pypdf
    # reads it where the two could differ: the practice watermark (its XObjects are left out by
    # name), a cross-reference entry pointing at another object (PDFium then silently draws
    # nothing there, pypdf finds the object: a secret mark must not vanish), a table PDFium had to
    # rebuild, and a file or page PDFium refuses. A scan's resolution comes from its images'
    # dictionaries, never from their data.
    text = _pdfium_text(path, password) if exact else None
    pages, page_size, lines, dpi, version = text or _pdf_text(path, False, password)
    return DocumentFacts(
        path=path, size=size, pdf_version=version, pages=pages, page_size=page_size,
        encrypted=False, certified_no_changes=certified,
        first_page=lines[0], second_page=lines[1], last_page=lines[2],
        signatures=signatures, scan_dpi=dpi, practice_marked=practice,
        encryption=protection.encryption, may_add_signature=protection.may_add_signature,
        certification=certification,
    )


_CLOSED_BY = {
    SigningErrorCode.PASSWORD_REQUIRED: Encryption.PASSWORD,
    SigningErrorCode.PASSWORD_WRONG: Encryption.PASSWORD,
    SigningErrorCode.ENCRYPTED_CERTIFICATE: Encryption.CERTIFICATE,
    SigningErrorCode.ENCRYPTED: Encryption.UNSUPPORTED,
}


def _closed(path: Path, size: int, stream, code: SigningErrorCode) -> DocumentFacts:
    """An encrypted document that could not be opened: what can be known without its key."""
    stream.seek(0)
    header = stream.read(16)
    version = header[5:8].decode("latin-1", "replace") if header.startswith(b"%PDF-") else "?"
    return DocumentFacts(
        path=path, size=size, pdf_version=version, pages=0, page_size=(0.0, 0.0), encrypted=True,
        certified_no_changes=False, first_page=(), second_page=(), last_page=(), signatures=(),
        scan_dpi=None, encryption=_CLOSED_BY[code], closed_by=code.value, may_add_signature=False,
    )


def _certification(reader) -> int | None:
    """The DocMDP permission of a certification signature (ISO 32000-1 12.8.2.2): 1 no changes,
    2 form filling and signing, 3 also annotations; None when the document is not certified.

    Read from the catalogue's /Perms directly: pyhanko's reader of the same entry pulls in its
    whole validation stack, a third of a second at start-up for one integer."""
    from .fields import entry  # /Perms, /DocMDP, /Reference and its parts may each be references

    try:
        perms = entry(reader.root, "/Perms")
        if perms is None or "/DocMDP" not in perms:
            return None
        for reference in entry(entry(perms, "/DocMDP"), "/Reference", ()):
            reference = reference.get_object()
            if entry(reference, "/TransformMethod") == "/DocMDP":
                return int(entry(entry(reference, "/TransformParams", {}), "/P", 2))
        return None
    except Exception as exc:  # noqa: BLE001 - a broken /Perms entry: treat as locked, never as open
        log.debug("a broken /Perms entry: treat as locked, never as open: %r", exc)
        return 1


def _signatures(reader):
    from .fields import signature_fields
    from .placement import _widget_page, _widget_rect

    for name, value, ref in signature_fields(reader):
        if value is None:
            continue
        field = ref.get_object()
        match = _KYSO_FIELD.match(str(name))
        rect = _widget_rect(field)
        yield ExistingSignature(
            field=str(name),
            kind=match.group(1) if match else None,
            signer=_signer_name(value),
            page=_widget_page(reader, field) if rect else None,
            rect=rect,
        )


def _signer_name(value) -> str | None:
    try:
        from asn1crypto import cms

        contents = value.get_object()["/Contents"]
        signed = cms.ContentInfo.load(bytes(contents))["content"]
        sid = signed["signer_infos"][0]["sid"].chosen
        for cert in signed["certificates"]:
            if cert.chosen.serial_number == sid["serial_number"].native:
                return cert.chosen.subject.native.get("common_name")
    except Exception as exc:  # noqa: BLE001 - a signature we cannot parse still counts as present
        log.debug("a signature we cannot parse still counts as present: %r", exc)
        return None
    return None


def _pdfium_text(path: Path, password: str | None):
    """`_pdf_text` through PDFium: page count, page-1 size, lines of pages 1, 2 and the last,
    scan resolution and version — or None when PDFium cannot open the file (pypdf then tries)."""
    import pypdfium2 as pdfium

    from .view_check import PDFIUM_LOCK

    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(str(path), password=password)
        except pdfium.PdfiumError as exc:
            log.info("PDFium cannot open %s for its text (%s): pypdf reads it", path, exc)
            return None
        try:
            return _pdfium_facts(document)
        except pdfium.PdfiumError as exc:  # a page PDFium cannot load: pypdf decides
            log.info("PDFium cannot read the pages of %s (%s): pypdf reads them", path, exc)
            return None
        finally:
            document.close()


_MAX_CHECKED_OBJECTS = 50_000
_OBJECT_HEADER = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")


def _offsets_exact(reader, stream) -> bool:
    """Every object the cross-reference sections place in the file is where they say (its header
    "N G obj" at that offset). A few bytes read per object: a one-page document has a dozen."""
    try:
        latest: dict[int, tuple[int, int]] = {}
        for revision in range(reader.xrefs.total_revisions):
            data = reader.xrefs.get_xref_data(revision)
            latest.update(data.standard_xrefs)
            for idnum in (*data.freed, *data.xrefs_in_objstm):
                latest.pop(idnum, None)
        if len(latest) > _MAX_CHECKED_OBJECTS:
            return False
        for idnum, (generation, offset) in latest.items():
            stream.seek(offset)
            header = _OBJECT_HEADER.match(stream.read(32))
            if header is None or int(header[1]) != idnum or int(header[2]) != generation:
                return False
        return True
    except Exception:  # noqa: BLE001 - pyhanko's cross-reference model is internal: when in doubt, pypdf
        log.debug("cross-reference offsets of %s not checked", getattr(stream, "name", "?"), exc_info=True)
        return False


_MAX_PAGE_TREE_DEPTH = 100  # real trees are ~10 deep for a million pages; pypdf fails near 300


def _page_tree_plain(reader, path: Path) -> bool:
    """The way down to the first and the last page is a plain tree: False for a cycle or an odd
    node (pypdf then reads the text and says what is wrong, as before); a tree deeper than any
    real one is refused as pypdf's limit refused it."""
    from .fields import entry

    try:
        for end in (0, -1):
            node, seen = entry(reader.root, "/Pages"), set()
            while entry(node, "/Type") != "/Page":
                kids = entry(node, "/Kids")
                identity = getattr(node, "container_ref", None) or id(node)
                if not kids or identity in seen:
                    return False
                seen.add(identity)
                if len(seen) > _MAX_PAGE_TREE_DEPTH:
                    raise SigningError(SigningErrorCode.STRUCTURE_UNSUPPORTED, file=path)
                node = kids[end].get_object()
        return True
    except SigningError:
        raise
    except Exception as exc:  # noqa: BLE001 - an odd node: pypdf reads the text and names the damage
        log.debug("an odd node: pypdf reads the text and names the damage: %r", exc)
        return False


def _pdfium_facts(document):
    import pypdfium2.raw as raw

    if not raw.FPDF_DocumentHasValidCrossReferenceTable(document.raw):
        return None  # PDFium rebuilt the table by scanning: pypdf's repair decides, as before
    count = len(document)
    version = document.get_version()
    wanted = [0, 1 if count > 1 else None, count - 1]
    cache: dict[int, tuple[TextLine, ...]] = {}
    page_size, dpi = (0.0, 0.0), None
    for index in dict.fromkeys(i for i in wanted if i is not None):
        page = document[index]
        try:
            if index == 0:
                box = raw.FS_RECTF()  # media box ∩ crop box, inherited, unrotated: as pypdf's /MediaBox
                if raw.FPDF_GetPageBoundingBox(page, box):
                    page_size = (round(box.right - box.left, 2), round(box.top - box.bottom, 2))
            cache[index] = _pdfium_lines(page)
            if index == 0 and not any(line.text for line in cache[0]):
                widths = _image_widths(page)  # a scan: its resolution, from the images' dictionaries
                if not widths:
                    return None  # no text and no image PDFium sees: pypdf looks at the XObjects
                dpi = max(widths) / (page_size[0] / 72.0) if page_size[0] else None
        finally:
            page.close()
    lines = tuple(cache[index] if index is not None else () for index in wanted)
    text_version = f"{version // 10}.{version % 10}" if version else "?"
    return count, page_size, lines, dpi if not any(line.text for line in lines[0]) else None, text_version


def _image_widths(page) -> list[int]:
    """Pixel widths of the images drawn on the page (read from their dictionaries, not decoded)."""
    import ctypes

    import pypdfium2.raw as raw

    widths = []
    width, height = ctypes.c_uint(), ctypes.c_uint()
    for index in range(raw.FPDFPage_CountObjects(page.raw)):
        item = raw.FPDFPage_GetObject(page.raw, index)
        if raw.FPDFPageObj_GetType(item) == raw.FPDF_PAGEOBJ_IMAGE and \
                raw.FPDFImageObj_GetImagePixelSize(item, width, height) and width.value:
            widths.append(width.value)
    return widths


_GAP_IN_SIZES = 4.0  # between two characters' origins: one character and a gap of three (_columns)


def _pdfium_lines(page) -> tuple[TextLine, ...]:
    """The page's text as runs of characters on one baseline (what pypdf's text operators give),
    grouped into lines exactly as `_group` groups pypdf's pieces."""
    import ctypes

    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count <= 0:
            return ()
        text = textpage.get_text_range(0, count)
        if len(text) != count:  # characters beyond the BMP: ask PDFium for each one
            text = "".join(chr(raw.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(count))
        x, y = ctypes.c_double(), ctypes.c_double()
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        origin, char_box, font_size = raw.FPDFText_GetCharOrigin, raw.FPDFText_GetCharBox, raw.FPDFText_GetFontSize
        pieces: list[tuple[float, float, float, str, float]] = []
        start = run_y = None
        run_size = previous = 0.0

        def close(end: int) -> None:
            piece = text[start:end]
            if piece.strip():
                char_box(textpage, end - 1, left, right, bottom, top)
                origin(textpage, start, x, y)
                pieces.append((run_y, x.value, font_size(textpage, start) or 10.0, piece, right.value))

        for index, char in enumerate(text):
            if char in "\r\n":
                if start is not None:
                    close(index)
                    start = None
                continue
            origin(textpage, index, x, y)
            baseline, across = y.value, x.value
            if start is not None and not char.isspace() and (
                    abs(baseline - run_y) > 2 or abs(across - previous) > _GAP_IN_SIZES * run_size):
                close(index)  # another baseline, or a wide gap: another column (see _columns)
                start = None
            if start is None:
                if char.isspace():
                    continue
                start, run_y, run_size = index, baseline, font_size(textpage, index) or 10.0
            if not char.isspace():
                previous = across
        if start is not None:
            close(len(text))
        return _group(pieces)
    finally:
        textpage.close()


def _pdf_text(path: Path, encrypted: bool, password: str | None = None):
    """Page count, page-1 size, text lines of pages 1, 2 and the last, scan resolution, version."""
    with open(path, "rb") as stream:  # a path would make pypdf read the whole file into memory
        return _pdf_text_from(stream, encrypted, password)


def _pdf_text_from(stream, encrypted: bool, password: str | None = None):
    from pypdf import PdfReader

    reader = PdfReader(stream, strict=False, password=password)
    version = reader.pdf_header.replace("%PDF-", "")
    if encrypted:
        return len(reader.pages), (0.0, 0.0), ((), (), ()), None, version
    count = len(reader.pages)
    first = reader.pages[0]
    box = first.mediabox
    page_size = (float(box.width), float(box.height))
    wanted = [0, 1 if count > 1 else None, count - 1]
    heads = {index: _xobject_heads(reader, stream, reader.pages[index]) for index in set(wanted) - {None}}
    cache = {index: _lines(_without_images(reader.pages[index], page_heads)) for index, page_heads in heads.items()}
    lines = tuple(cache[index] if index is not None else () for index in wanted)
    dpi = None if any(line.text for line in lines[0]) else _scan_dpi(heads[0], page_size, reader=reader)
    return count, page_size, lines, dpi, version


_HEAD_BYTES = 4096
_WHITESPACE = b"\x00\t\n\x0c\r "
_DELIMITERS = b"()<>[]{}/%"


def _xobject_heads(reader, stream, page) -> dict[str, dict[bytes, tuple[bytes, ...]]]:
    """Each XObject the page names, as the top-level entries of its dictionary read from the file
    without its data. Resolving one through pypdf reads its whole stream — for a scan, every page
    image (tens of MB) — only to learn whether it is an image or a form; pyhanko's parser reads
    the payload too (its content-stream mode skips it but cannot read references). An object
    whose head cannot be read with certainty is left out (pypdf then resolves it as before)."""
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        xobjects = resources.get("/XObject")
        references = list(dict.items(xobjects.get_object())) if xobjects is not None else []
    except Exception as exc:  # noqa: BLE001 - damaged resources: nothing to go on
        log.debug("damaged resources: nothing to go on: %r", exc)
        return {}
    heads: dict[str, dict[bytes, tuple[bytes, ...]]] = {}
    position = stream.tell()
    try:
        for name, value in references:
            idnum, generation = getattr(value, "idnum", None), getattr(value, "generation", None)
            offset = reader.xref.get(generation, {}).get(idnum)
            if offset is None:
                continue
            stream.seek(offset)
            entries = _top_level_entries(stream.read(_HEAD_BYTES), idnum, generation)
            if entries is not None:
                heads[str(name)] = entries
    finally:
        stream.seek(position)
    return heads


def _top_level_entries(head: bytes, idnum: int, generation: int) -> dict[bytes, tuple[bytes, ...]] | None:
    """The entries of the dictionary that opens object `idnum generation obj` in `head`, as
    key → value tokens (a nested value as b"<nested>"); None when `head` is not that object."""
    match = re.match(rb"\s*%d\s+%d\s+obj\s*<<" % (idnum, generation), head)
    if match is None:
        return None
    tokens = _top_level_tokens(head, match.end())
    entries: dict[bytes, tuple[bytes, ...]] = {}
    index = 0
    while index + 1 < len(tokens):
        key = tokens[index]
        if not key.startswith(b"/"):
            return None  # not a dictionary as expected: do not guess
        value = tuple(tokens[index + 1: index + 4])
        if len(value) == 3 and value[0].isdigit() and value[1].isdigit() and value[2] == b"R":
            entries[key], index = value, index + 4
        else:
            entries[key], index = value[:1], index + 2
    return entries


def _top_level_tokens(head: bytes, start: int) -> list[bytes]:
    """PDF tokens at the first nesting level of a dictionary whose `<<` ends at `start`, up to
    its `>>` or the end of `head`; anything nested (dictionary, array, string) is one token."""
    tokens: list[bytes] = []
    depth, index, size = 1, start, len(head)
    while index < size:
        char = head[index:index + 1]
        if char in _WHITESPACE:
            index += 1
        elif char == b"%":
            end = head.find(b"\n", index)
            index = size if end < 0 else end + 1
        elif head.startswith(b"<<", index) or char == b"[":
            if depth == 1:
                tokens.append(b"<nested>")
            depth += 1
            index += 2 if char == b"<" else 1
        elif head.startswith(b">>", index) or char == b"]":
            depth -= 1
            if depth == 0:
                return tokens
            index += 2 if char == b">" else 1
        elif char == b"(":
            index = _string_end(head, index)
            if depth == 1:
                tokens.append(b"<nested>")
        elif char == b"<":
            end = head.find(b">", index)
            index = size if end < 0 else end + 1
            if depth == 1:
                tokens.append(b"<nested>")
        else:
            end = index + 1
            while end < size and head[end:end + 1] not in _WHITESPACE and head[end:end + 1] not in _DELIMITERS:
                end += 1
            if depth == 1:
                tokens.append(head[index:end])
            index = end
    return tokens


def _string_end(head: bytes, index: int) -> int:
    """Just past the literal string opening at `index` (balanced parentheses, escapes)."""
    level, index = 0, index
    while index < len(head):
        char = head[index:index + 1]
        if char == b"\\":
            index += 2
            continue
        if char == b"(":
            level += 1
        elif char == b")":
            level -= 1
            if level == 0:
                return index + 1
        index += 1
    return index


def _is_image(entries: dict[bytes, tuple[bytes, ...]]) -> bool:
    return entries.get(b"/Subtype") == (b"/Image",)


def _without_images(page, heads: dict[str, bytes]):
    """The page as text extraction needs it: every image XObject replaced by a bare image
    dictionary (pypdf skips images for text; the real one would be read whole first). kyso's
    practice watermark (signing/watermark.py) goes too: it is not the document's own text."""
    images = {name for name, entries in heads.items() if _is_image(entries)} | _watermark_names(page)
    if not images:
        return page
    from pypdf import PageObject
    from pypdf.generic import DictionaryObject, NameObject

    resources = page["/Resources"].get_object()
    xobjects = DictionaryObject(dict.items(resources["/XObject"].get_object()))
    for name in images:
        xobjects[NameObject(name)] = DictionaryObject({NameObject("/Subtype"): NameObject("/Image")})
    shadow_resources = DictionaryObject(dict.items(resources))
    shadow_resources[NameObject("/XObject")] = xobjects
    shadow = PageObject(pdf=page.pdf, indirect_reference=page.indirect_reference)
    shadow.update(dict.items(page))
    shadow[NameObject("/Resources")] = shadow_resources
    return shadow


def _watermark_names(page) -> set[str]:
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        names = dict.keys(xobjects.get_object()) if xobjects is not None else ()
    except Exception as exc:  # noqa: BLE001 - no readable resources: nothing to leave out
        log.debug("no readable resources: nothing to leave out: %r", exc)
        return set()
    return {str(name) for name in names if str(name).startswith(_WATERMARK)}


def _lines(page) -> tuple[TextLine, ...]:
    pieces: list[tuple[float, float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if not text or not text.strip():
            return
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        scale = abs(tm[0] * cm[0]) or 1
        pieces.append((y, x, (size or 10) * scale, text))

    try:
        page.extract_text(visitor_text=visit)
    except Exception as exc:  # noqa: BLE001 - a page whose text cannot be read has no usable text
        log.debug("a page whose text cannot be read has no usable text: %r", exc)
        return ()
    return _group(pieces)


def _group(pieces) -> tuple[TextLine, ...]:
    """Fragments on the same baseline (±2 pt) become one line, read left to right. A fragment is
    (baseline, left, font size, text) and, when the parser knows it, its right end."""
    lines: list[list] = []
    for y, x, size, text, *end in sorted(pieces, key=lambda p: (-round(p[0]), p[1])):
        fragment = (x, size, text, end[0] if end else None)
        if lines and abs(lines[-1][0] - y) <= 2:
            lines[-1][1].append(fragment)
        else:
            lines.append([y, [fragment]])
    result = []
    for y, fragments in lines:
        fragments.sort(key=lambda fragment: fragment[0])
        for column in _columns(fragments):
            text = _normalise(" ".join(fragment[2] for fragment in column))
            if text:
                x = column[0][0]
                size = max(fragment[1] for fragment in column)
                ends = [fragment[3] for fragment in column if fragment[3] is not None]
                x2 = max(ends) if ends else x + sum(len(fragment[2]) for fragment in column) * size * 0.5
                result.append(TextLine(text=text, x=x, y=y, x2=x2, size=size))
    return tuple(result)


def _columns(fragments: list[tuple]) -> list[list[tuple]]:
    """Fragments of one baseline, split where a wide gap separates them: Decree 30's two columns
    ("Nơi nhận:" on the left, the signer's title on the right) share baselines but are not one
    line. A fragment's width is PDFium's measure or, from pypdf, over-estimated (capitals at ¾ of
    the size), so only a real gap of more than three characters' height splits — never the words
    of one line."""
    columns = [[fragments[0]]]
    for fragment in fragments[1:]:
        x, size, text, end = columns[-1][-1]
        right = end if end is not None else x + len(text) * size * 0.75
        if fragment[0] - right > 3 * max(size, fragment[1]):
            columns.append([fragment])
        else:
            columns[-1].append(fragment)
    return columns


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _scan_dpi(heads: dict[str, dict[bytes, tuple[bytes, ...]]], page_size: tuple[float, float], *,
              reader) -> float | None:
    """Resolution of the largest image on an image-only page, assuming it covers the page."""
    widths = [width for entries in heads.values() if _is_image(entries)
              for width in [_number(entries.get(b"/Width", ()), reader)] if width]
    if not widths or not page_size[0]:
        return None
    return max(widths) / (page_size[0] / 72.0)


def _number(value: tuple[bytes, ...], reader) -> int | None:
    """An integer entry: written in place, or an indirect reference (a small object to read)."""
    try:
        if len(value) == 1:
            return int(value[0])
        if len(value) == 3:
            from pypdf.generic import IndirectObject

            return int(reader.get_object(IndirectObject(int(value[0]), int(value[1]), reader)))
    except Exception as exc:  # noqa: BLE001 - not a readable number
        log.debug("not a readable number: %r", exc)
        return None
    return None
