"""PDFs in the shapes real documents come in, made at test time: one generator per class.

Each class is a way real files differ from the tidy PDFs kyso's own tests make: a trailer whose
/Size is too small, a form that relies on /NeedAppearances, each kind of encryption, entries given
as indirect references where most writers put them directly, signatures made by other software
with other algorithms and sub-filters, page trees that are cyclic or very deep, filters no viewer
knows, metadata that is not XML. `raw_pdf` writes a file object by object (with a correct
cross-reference table) so that any shape can be made exactly.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ForeignSigner",
    "certificate_encrypted_pdf",
    "cyclic_page_tree_pdf",
    "deep_page_tree_pdf",
    "econtent_signed_pdf",
    "foreign_signed_pdf",
    "incremental_update",
    "indirect_entries_pdf",
    "need_appearances_form_pdf",
    "odd_filter_pdf",
    "pages_pdf",
    "password_pdf",
    "raw_pdf",
    "reader_extended_pdf",
    "short_size_pdf",
    "unreadable_metadata_pdf",
]

PAGE_TEXT = b"BT /F1 18 Tf 72 720 Td (Van ban that) Tj ET 0 0 1 rg 72 600 200 60 re f"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def stream(data: bytes, extra: bytes = b"", *, compress: bool = True) -> bytes:
    """A stream object body (flate-compressed unless asked otherwise)."""
    body = zlib.compress(data) if compress else data
    flate = b"/Filter /FlateDecode " if compress else b""
    return b"<< " + flate + extra + b" /Length %d >>\nstream\n" % len(body) + body + b"\nendstream"


def raw_pdf(path: Path, objects: Mapping[int, bytes], *, root: int = 1, size: int | None = None,
            trailer: bytes = b"", version: bytes = b"1.7") -> Path:
    """A PDF with exactly these objects (number → body) and a correct classic xref table."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    highest = max(objects)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (highest + 1)
    for number in range(1, highest + 1):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        size if size is not None else highest + 1, root, trailer, xref)
    path.write_bytes(bytes(out))
    return path


def _simple_page_objects(*, content: bytes = PAGE_TEXT, content_extra: bytes = b"",
                         compress: bool = True) -> dict[int, bytes]:
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           b"/Resources << /Font << /F1 5 0 R >> >> >>",
        4: stream(content, content_extra, compress=compress),
        5: FONT,
    }


def pages_pdf(path: Path, *, count: int) -> Path:
    """`count` pages, each with its own content stream (objects 10+i) saying its number."""
    objects = _simple_page_objects()
    kids = b" ".join(b"%d 0 R" % (20 + i) for i in range(count))
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)
    for index in range(count):
        objects[20 + index] = objects[3].replace(b"/Contents 4 0 R", b"/Contents %d 0 R" % (40 + index))
        objects[40 + index] = stream(b"BT /F1 24 Tf 72 720 Td (Trang %d) Tj ET" % (index + 1))
    del objects[3], objects[4]
    return raw_pdf(path, objects)


def incremental_update(path: Path, objects: Mapping[int, bytes]) -> int:
    """Append an incremental update replacing or adding `objects`; returns the original length."""
    data = path.read_bytes()
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    size = int(re.findall(rb"/Size\s+(\d+)", data)[-1])
    root = re.findall(rb"/Root\s+(\d+ \d+ R)", data)[-1]
    out = bytearray(data)
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n"
    for number in sorted(offsets):
        out += b"%d 1\n%010d 00000 n \n" % (number, offsets[number])
    out += b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        max(size, max(objects) + 1), root, previous, xref)
    path.write_bytes(bytes(out))
    return len(data)


# --- the trailer ------------------------------------------------------------------------------

def short_size_pdf(source: Path, path: Path, *, by: int) -> Path:
    """`source` with its last trailer's /Size made `by` smaller than it should be (the file is
    otherwise intact: viewers never look at /Size, kyso's writer numbered new objects from it)."""
    data = source.read_bytes()
    matches = list(re.finditer(rb"/Size\s+(\d+)", data))
    last = matches[-1]
    size = int(last.group(1))
    new = b"/Size %d" % max(1, size - by)
    path.write_bytes(data[: last.start()] + new.ljust(last.end() - last.start()) + data[last.end():])
    return path


# --- forms --------------------------------------------------------------------------------------

def need_appearances_form_pdf(path: Path, *, values: Sequence[str] = ("Alice", "Bob"),
                              indirect: bool = False, stale: bool = False) -> Path:
    """A form whose text fields have values that viewers draw only because the AcroForm says
    /NeedAppearances true: the widgets have no appearance streams, or (`stale`) empty ones, as
    LibreOffice writes them — a viewer then draws the values from /V."""
    objects = _simple_page_objects()
    widgets = []
    for index, value in enumerate(values):
        number = 10 + index
        widgets.append(b"%d 0 R" % number)
        y = 500 - 60 * index
        appearance = b"/AP << /N %d 0 R >> " % (30 + index) if stale else b""
        objects[number] = (
            b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (field%d) /V (%s) /F 4 /P 3 0 R %s"
            b"/Rect [72 %d 300 %d] /DA (/Helv 14 Tf 0 0 0 rg) /MK << /BC [0 0 0] >> >>"
            % (index, value.encode("latin-1"), appearance, y, y + 30))
        if stale:
            objects[30 + index] = stream(b"/Tx BMC EMC", b"/Type /XObject /Subtype /Form /BBox [0 0 228 30]",
                                         compress=False)
    annots = b"[" + b" ".join(widgets) + b"]"
    objects[3] = objects[3][:-2] + b"/Annots " + (b"20 0 R" if indirect else annots) + b" >>"
    fields = b"21 0 R" if indirect else annots
    objects[6] = (b"<< /Fields " + fields + b" /NeedAppearances true /DA (/Helv 0 Tf 0 g) "
                  b"/DR << /Font << /Helv 7 0 R >> >> >>")
    objects[7] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    if indirect:
        objects[20] = annots
        objects[21] = annots
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>"
    return raw_pdf(path, objects)


# --- indirect references ------------------------------------------------------------------------

def indirect_entries_pdf(path: Path) -> Path:
    """Every entry that may be an indirect reference given as one: the page tree's /Kids, the
    page's /Annots, /MediaBox and /Resources, the AcroForm and its /Fields, a field's /Kids, /Count."""
    objects = _simple_page_objects()
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R /AcroForm 8 0 R >>"
    objects[2] = b"<< /Type /Pages /Kids 6 0 R /Count 7 0 R >>"
    objects[3] = (b"<< /Type /Page /Parent 2 0 R /MediaBox 12 0 R /Contents 4 0 R /Resources 13 0 R "
                  b"/Annots 14 0 R >>")
    objects[6] = b"[3 0 R]"
    objects[7] = b"1"
    objects[8] = b"<< /Fields 9 0 R >>"
    objects[9] = b"[10 0 R]"
    objects[10] = b"<< /T (nhom) /Kids 11 0 R >>"
    objects[11] = b"[15 0 R]"
    objects[12] = b"[0 0 595 842]"
    objects[13] = b"<< /Font << /F1 5 0 R >> >>"
    objects[14] = b"[15 0 R]"
    objects[15] = (b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (ky) /Parent 10 0 R /P 3 0 R "
                   b"/Rect [0 0 0 0] /F 132 >>")
    return raw_pdf(path, objects)


def reader_extended_pdf(path: Path) -> Path:
    """A Reader-extended form (usage rights, UR3, no DocMDP) whose /Perms is an indirect reference."""
    objects = _simple_page_objects()
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R /Perms 6 0 R >>"
    objects[6] = b"<< /UR3 7 0 R >>"
    objects[7] = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached "
                  b"/Reference [<< /Type /SigRef /TransformMethod /UR3 /TransformParams "
                  b"<< /Type /TransformParams /V /2.2 /Document [/FullSave] /Form [/FillIn] >> >>] "
                  b"/ByteRange [0 0 0 0] /Contents <" + b"00" * 64 + b"> >>")
    return raw_pdf(path, objects)


# --- page trees, filters, metadata ----------------------------------------------------------------

def cyclic_page_tree_pdf(path: Path) -> Path:
    """A page tree whose second node lists its own parent among its kids (a loop)."""
    objects = _simple_page_objects()
    objects[2] = b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>"
    objects[6] = b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"
    return raw_pdf(path, objects)


def deep_page_tree_pdf(path: Path, *, depth: int) -> Path:
    """One page under `depth` intermediate /Pages nodes."""
    objects = _simple_page_objects()
    first = 100
    for level in range(depth):
        number = first + level
        kid = number + 1 if level + 1 < depth else 3
        parent = number - 1 if level else 2
        objects[number] = b"<< /Type /Pages /Parent %d 0 R /Kids [%d 0 R] /Count 1 >>" % (parent, kid)
    objects[2] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % first
    objects[3] = objects[3].replace(b"/Parent 2 0 R", b"/Parent %d 0 R" % (first + depth - 1))
    return raw_pdf(path, objects)


def odd_filter_pdf(path: Path, *, where: str, name: bytes = b"/BrotliDecode") -> Path:
    """A stream under a filter no PDF library here decodes (Brotli, or an unknown name):
    `where` is "content" (the page's content stream) or "metadata" (the XMP stream)."""
    if where == "content":
        objects = _simple_page_objects()
        objects[6] = b"<< /Filter " + name + b" /Length 8 >>\nstream\n\x0b\x02\x80hello\x03\nendstream"
        objects[3] = objects[3].replace(b"/Contents 4 0 R", b"/Contents [4 0 R 6 0 R]")
        return raw_pdf(path, objects)
    objects = _simple_page_objects()
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>"
    objects[6] = (b"<< /Type /Metadata /Subtype /XML /Filter " + name + b" /Length 8 >>\n"
                  b"stream\n\x0b\x02\x80hello\x03\nendstream")
    return raw_pdf(path, objects)


def unreadable_metadata_pdf(path: Path) -> Path:
    """XMP metadata that is not well-formed XML (real producers write such things)."""
    objects = _simple_page_objects()
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>"
    xmp = b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">' \
          b"<rdf:RDF><rdf:Description dc:title=\"unclosed</x:xmpmeta"
    objects[6] = stream(xmp, b"/Type /Metadata /Subtype /XML", compress=False)
    return raw_pdf(path, objects)


# --- encryption ---------------------------------------------------------------------------------

def password_pdf(source: Path, path: Path, *, user: str, owner: str, algorithm: str = "AES-256",
                 permissions: int | None = None) -> Path:
    """`source` encrypted with the standard security handler (pypdf): RC4-40, RC4-128,
    AES-128 or AES-256; `permissions` is the /P value (default: everything allowed)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    kwargs = {} if permissions is None else {"permissions_flag": permissions}
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm, **kwargs)
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def certificate_encrypted_pdf(source: Path, path: Path, *, recipient_der: bytes) -> Path:
    """`source` encrypted for a recipient's certificate (public-key security handler)."""
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    with open(source, "rb") as handle:
        writer = copy_into_new_writer(PdfFileReader(handle))
        writer.encrypt_pubkey([x509.Certificate.load(recipient_der)])
        with open(path, "wb") as out:
            writer.write(out)
    return path


# --- signatures made by other software ------------------------------------------------------------

@dataclass(frozen=True)
class ForeignSigner:
    """A signature another tool would make: a software key, an algorithm and a sub-filter."""

    key_pem: Path
    cert_der: bytes
    chain: tuple[bytes, ...]
    md: str = "sha256"
    subfilter: str = "pades"  # "pades" (ETSI.CAdES.detached) or "pkcs7" (adbe.pkcs7.detached)
    pss: bool = False
    visible: bool = True


def foreign_signed_pdf(source: Path, path: Path, signers: Sequence[ForeignSigner]) -> Path:
    """`source` signed once per signer, one incremental update each, by pyhanko (as another
    signing tool would: its own field names, its own appearance)."""
    data = source.read_bytes()
    for index, signer in enumerate(signers):
        data = _sign_with(data, signer, field=f"Chu ky khac {index + 1}", index=index)
    path.write_bytes(data)
    return path


def _sign_with(data: bytes, spec: ForeignSigner, *, field: str, index: int) -> bytes:
    import io

    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    private = serialization.load_pem_private_key(spec.key_pem.read_bytes(), password=None)
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    signer = signers.SimpleSigner(
        signing_cert=x509.Certificate.load(spec.cert_der), signing_key=keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs([x509.Certificate.load(d) for d in spec.chain]),
        prefer_pss=spec.pss,
    )
    subfilter = {"pades": fields.SigSeedSubFilter.PADES,
                 "pkcs7": fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED}[spec.subfilter]
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm=spec.md, subfilter=subfilter)
    box = (72 + 170 * index, 72, 222 + 170 * index, 132) if spec.visible else None
    pdf_signer = signers.PdfSigner(meta, signer, new_field_spec=fields.SigFieldSpec(field, box=box))
    out = io.BytesIO()
    pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data), strict=False), output=out)
    return out.getvalue()


def econtent_signed_pdf(signed: Path, path: Path, *, content: bytes = b"noi dung nhung") -> Path:
    """`signed` with its last signature's CMS carrying encapsulated content (eContent), as some
    tools write it (a PDF signature's CMS is detached): the same placeholder, the same length."""
    from asn1crypto import cms

    data = bytearray(signed.read_bytes())
    ranges = [int(v) for v in re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", data)[-1]]
    start, end = ranges[1] + 1, ranges[2] - 1  # inside the < > of /Contents
    der = bytes.fromhex(data[start:end].decode("ascii"))
    info = cms.ContentInfo.load(der.rstrip(b"\0") + b"\0\0")
    info["content"]["encap_content_info"]["content"] = content
    hexed = info.dump(force=True).hex().encode("ascii")
    data[start:end] = hexed.ljust(end - start, b"0")
    path.write_bytes(bytes(data))
    return path
