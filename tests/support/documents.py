"""Documents and images made at test time: Decree 30 style PDFs, broken ones, PNG stamps."""

from __future__ import annotations

import math
from pathlib import Path

__all__ = [
    "SERIF",
    "certified_pdf",
    "decree30_pdf",
    "encrypted_pdf",
    "seal_png",
    "signature_png",
    "truncated_pdf",
    "scan_pdf",
]

SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
SERIF_BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"


def decree30_pdf(
    path: Path,
    *,
    organisation: str = "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO",
    number: str = "Số: 15/QĐ-VKSTC",
    title: str = "QUYẾT ĐỊNH",
    body: str = "Về việc phân công Kiểm sát viên thực hành quyền công tố.",
    signer_title: str = "VIỆN TRƯỞNG",
    signer_name: str = "Nguyễn Văn An",
    pages: int = 1,
    subtitle: str | None = None,
    summary: str | None = None,
    secret: str | None = None,
    secret_place: str = "under-number",
    page_format: str = "A4",
    number_above_unit: bool = False,
) -> Path:
    """A one-or-more-page A4 document with the Decree 30 header and signature block.

    `subtitle` is the line under the title ("Phê chuẩn lệnh tạm giam"); `summary` the "V/v …"
    line of a công văn; `secret` a secret mark ("MẬT"…) placed under the number, at the top
    right, or on page 2. `number_above_unit` writes the number line above the unit's name.
    """
    from fpdf import FPDF

    pdf = FPDF(format=page_format, unit="pt")
    pdf.add_font("serif", "", SERIF)
    pdf.add_font("serif", "B", SERIF_BOLD)
    for page in range(pages):
        pdf.add_page()
        _marks(pdf, page, secret, secret_place, summary, subtitle)
        pdf.set_font("serif", "B", 12)
        pdf.set_xy(40, 84 if number_above_unit else 62)
        pdf.cell(230, 16, organisation, align="C")
        pdf.set_xy(275, 62)
        pdf.cell(290, 16, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
        pdf.set_xy(275, 78)
        pdf.cell(290, 16, "Độc lập - Tự do - Hạnh phúc", align="C")
        pdf.set_font("serif", "", 13)
        pdf.set_xy(40, 62 if number_above_unit else 84)
        pdf.cell(230, 16, number, align="C")
        pdf.set_font("serif", "B", 14)
        if title:
            pdf.set_xy(57, 140)
            pdf.cell(480, 18, title, align="C")
        pdf.set_font("serif", "", 13)
        pdf.set_xy(85, 190)
        pdf.multi_cell(440, 18, f"{body} (trang {page + 1})")
        pdf.set_font("serif", "B", 13)
        pdf.set_xy(330, 600)
        pdf.cell(200, 16, signer_title, align="C")
        pdf.set_xy(330, 720)
        pdf.cell(200, 16, signer_name, align="C")
    pdf.output(str(path))
    return path


def _marks(pdf, page: int, secret, place: str, summary, subtitle) -> None:
    pdf.set_font("serif", "B", 13)
    if secret and ((place == "page-2" and page == 1) or (place != "page-2" and page == 0)):
        x, y = (60, 104) if place == "under-number" else (440, 30)
        pdf.set_xy(x, y)
        pdf.cell(120, 16, secret, border=1, align="C")
    pdf.set_font("serif", "", 12)
    if summary and page == 0:
        pdf.set_xy(40, 104)
        pdf.cell(230, 16, summary, align="C")
    if subtitle and page == 0:
        pdf.set_font("serif", "B", 13)
        pdf.set_xy(57, 160)
        pdf.cell(480, 16, subtitle, align="C")


def scan_pdf(path: Path, *, dpi: int = 300) -> Path:
    """An image-only A4 page (a scan without text layer) at `dpi`."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    size = (round(8.27 * dpi), round(11.69 * dpi))
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    for row in range(10, 60):
        y = row * size[1] // 64
        draw.line((size[0] // 8, y, size[0] * 7 // 8, y), fill=40, width=max(1, dpi // 100))
    picture = path.with_suffix(".png")
    image.save(picture, dpi=(dpi, dpi))
    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.image(str(picture), x=0, y=0, w=595.28, h=841.89)
    pdf.output(str(path))
    picture.unlink()
    return path


def encrypted_pdf(source: Path, path: Path, *, user_password: str = "mat-khau-mo") -> Path:
    """`source` protected by an open password (AES-128)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm="AES-128")
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def certified_pdf(source: Path, path: Path, *, key_pem: Path, cert_der: bytes, chain: list[bytes]) -> Path:
    """`source` certified by a software key with DocMDP level 1: no changes allowed."""
    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    private = serialization.load_pem_private_key(key_pem.read_bytes(), password=None)
    der_key = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = signers.SimpleSigner(
        signing_cert=x509.Certificate.load(cert_der),
        signing_key=keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([x509.Certificate.load(d) for d in chain]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Certification", certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES
    )
    with open(source, "rb") as inp, open(path, "wb") as out:
        signers.sign_pdf(IncrementalPdfFileWriter(inp), meta, signer=signer, output=out)
    return path


def truncated_pdf(source: Path, path: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def signature_png(path: Path) -> Path:
    """A blue handwritten-like stroke on a transparent background, 300 dpi, about 45×20 mm."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (530, 236), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    points = [(30 + x, 118 + 60 * math.sin(x / 35.0) * math.cos(x / 90.0)) for x in range(0, 470, 4)]
    draw.line(points, fill=(20, 40, 200, 255), width=7)
    img.save(path, dpi=(300, 300))
    return path


def seal_png(path: Path, *, diameter_mm: float = 36.0) -> Path:
    """A red round seal on a transparent background at 300 dpi (real size diameter_mm)."""
    from PIL import Image, ImageDraw

    size = round(diameter_mm / 25.4 * 300)
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((6, 6, size - 6, size - 6), outline=(210, 20, 20, 255), width=12)
    draw.ellipse((60, 60, size - 60, size - 60), outline=(210, 20, 20, 255), width=6)
    draw.regular_polygon((size / 2, size / 2, size / 6), 5, fill=(210, 20, 20, 255))
    img.save(path, dpi=(300, 300))
    return path
