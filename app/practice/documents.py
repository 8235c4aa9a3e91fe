"""The exercise documents of a workshop pack: Vietnamese documents in the Decree 30 layout, of the
catalogue's types, and the traps the real product catches.

Each is made with fpdf2 (an embedded subset of the stamp font, so the text extracts with its
diacritics) and then given the practice watermark on every page. Two are signed when the pack
is made (a decision already signed by a leader, for the organisation's seal; a plan signed and
then changed, for verification): see `app.practice.builder`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["EXERCISES", "ExerciseSpec", "TAMPER_FROM", "TAMPER_TO", "write_exercise"]

TAMPER_FROM, TAMPER_TO = b"(15.000.000)", b"(95.000.000)"  # the amount changed after signing (same length)


@dataclass(frozen=True)
class ExerciseSpec:
    file: str
    purpose: str  # personal, organisation, copy, blocked, verify-changed
    scenarios: tuple[str, ...]  # scenario ids (app/practice/scenarios.py) it serves
    title: str | None
    abbreviation: str | None  # in the number: 01/PKS-VKS; None: a công văn or no number
    subtitle: str | None = None
    summary: str | None = None  # "V/v …" line of a công văn
    body: tuple[str, ...] = ()
    signer_title: str | None = "KIỂM SÁT VIÊN"
    secret: str | None = None
    scan: bool = False
    amount: bool = False  # an amount in plain text: the line changed after signing
    signed_by: str | None = None  # signed when the pack is made, with this pack token


EXERCISES: tuple[ExerciseSpec, ...] = (
    ExerciseSpec("01-phieu-kiem-sat.pdf", "personal", ("mo-va-kiem-tra", "ky-ca-nhan", "xac-minh", "sai-pin-khoa"),
                 "PHIẾU KIỂM SÁT", "PKS",
                 body=("Kiểm sát việc tuân theo pháp luật trong hoạt động tạm giữ, tạm giam tại Nhà tạm giữ.",
                       "Đề nghị đơn vị được kiểm sát thực hiện đúng quy định về chế độ quản lý, giáo dục người bị "
                       "tạm giữ, tạm giam và báo cáo kết quả cho Viện kiểm sát.")),
    ExerciseSpec("02-bao-cao-an.pdf", "personal", ("ky-ca-nhan", "rut-token"), "BÁO CÁO", "BC",
                 subtitle="Về vụ án hình sự Nguyễn Văn X phạm tội trộm cắp tài sản",
                 body=("Kiểm sát viên báo cáo tiến độ giải quyết vụ án, các chứng cứ đã thu thập và đề xuất "
                       "hướng giải quyết.",)),
    ExerciseSpec("03-quyet-dinh-da-ky-ca-nhan.pdf", "organisation", ("dong-dau",), "QUYẾT ĐỊNH", "QĐ",
                 subtitle="Về việc cử cán bộ tham gia lớp tập huấn ký số văn bản điện tử",
                 body=("Cử các đồng chí có tên trong danh sách kèm theo tham gia lớp tập huấn sử dụng chữ ký số.",
                       "Văn phòng, các đơn vị có liên quan và các đồng chí có tên chịu trách nhiệm thi hành "
                       "Quyết định này."),
                 signer_title="PHÓ VIỆN TRƯỞNG", signed_by="lanh-dao"),
    ExerciseSpec("04-cong-van-sao-y.pdf", "copy", ("sao-y",), None, None,
                 summary="V/v triển khai ứng dụng chữ ký số", signer_title="PHÓ VIỆN TRƯỞNG",
                 body=("Kính gửi: Các đơn vị trực thuộc.",
                       "Thực hiện chủ trương chuyển đổi số, đề nghị các đơn vị triển khai ký số văn bản điện tử "
                       "theo danh mục đã ban hành.")),
    ExerciseSpec("05-van-ban-mat.pdf", "blocked", ("van-ban-bi-chan",), "QUYẾT ĐỊNH", "QĐ",
                 subtitle="Về việc phê duyệt phương án bảo vệ", secret="MẬT", signer_title="PHÓ VIỆN TRƯỞNG",
                 body=("Văn bản có đóng dấu độ mật: không được ký số (Nghị định 68/2024/NĐ-CP).",)),
    ExerciseSpec("06-ban-quet.pdf", "blocked", ("van-ban-bi-chan",), None, None, scan=True),
    ExerciseSpec("07-ngoai-danh-muc.pdf", "blocked", ("van-ban-bi-chan",), "BẢN TIN SINH HOẠT CHI ĐOÀN", None,
                 body=("Thông tin sinh hoạt đoàn thể không thuộc danh mục các loại văn bản ký số.",),
                 signer_title=None),
    ExerciseSpec("08-da-ky-bi-sua.pdf", "verify-changed", ("sua-sau-ky",), "KẾ HOẠCH", "KH",
                 subtitle="Kiểm sát việc giải quyết tin báo về tội phạm năm 2026",
                 body=("Kế hoạch kiểm sát trực tiếp tại Cơ quan điều tra; kinh phí dự kiến ghi dưới đây.",),
                 amount=True, signed_by="lanh-dao"),
)


def write_exercise(path: Path, spec: ExerciseSpec, *, unit: str, number: int, signer_name: str,
                   now: datetime) -> Path:
    """The document as fpdf2 writes it (no watermark yet)."""
    if spec.scan:
        return _scan(path)
    from signing.fonts import prepared_document_fonts

    from ..printing import serif_pdf

    pdf = serif_pdf(prepared_document_fonts(), unit="pt")
    pdf.set_compression(not spec.amount)  # the amount stays readable bytes: the test of "changed after signing"
    pdf.add_page()
    _header(pdf, spec, unit=unit, number=number, now=now)
    _body(pdf, spec)
    _signer_block(pdf, spec, signer_name)
    pdf.output(str(path))
    return path


def _header(pdf, spec: ExerciseSpec, *, unit: str, number: int, now: datetime) -> None:
    pdf.set_font("serif", "B", 12)
    pdf.set_xy(35, 55)
    pdf.multi_cell(240, 15, unit.upper(), align="C")
    pdf.set_xy(275, 55)
    pdf.cell(290, 15, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.set_xy(275, 70)
    pdf.cell(290, 15, "Độc lập - Tự do - Hạnh phúc", align="C")
    pdf.set_font("serif", "", 13)
    if spec.title is None or spec.abbreviation is not None:
        pdf.set_xy(35, 92)
        code = f"{spec.abbreviation}-VKS" if spec.abbreviation else "VKS-VP"
        pdf.cell(240, 16, f"Số: {number:02d}/{code}", align="C")
    pdf.set_font("serif", "", 12)
    pdf.set_xy(275, 92)
    pdf.cell(290, 16, f"Hà Nội, ngày {now.day:02d} tháng {now.month:02d} năm {now.year}", align="C")
    if spec.secret:
        pdf.set_font("serif", "B", 13)
        pdf.set_xy(95, 110)
        pdf.cell(120, 16, spec.secret, border=1, align="C")
    if spec.summary:
        pdf.set_xy(35, 110)
        pdf.cell(240, 16, spec.summary, align="C")


def _body(pdf, spec: ExerciseSpec) -> None:
    y = 150
    if spec.title:
        pdf.set_font("serif", "B", 14)
        pdf.set_xy(57, y)
        pdf.cell(480, 18, spec.title, align="C")
        y += 20
    if spec.subtitle:
        pdf.set_font("serif", "B", 13)
        pdf.set_xy(57, y)
        pdf.multi_cell(480, 16, spec.subtitle, align="C")
        y = pdf.get_y() + 4
    pdf.set_font("serif", "", 13)
    pdf.set_xy(70, y + 16)
    for paragraph in spec.body:
        pdf.set_x(70)
        pdf.multi_cell(460, 18, paragraph)
        pdf.ln(4)
    if spec.amount:
        pdf.set_x(70)
        pdf.cell(150, 18, "Kinh phí dự kiến (đồng):")
        pdf.set_font("Times", "", 13)  # a core font: the digits are plain bytes in the page
        pdf.cell(120, 18, TAMPER_FROM.decode()[1:-1])


def _signer_block(pdf, spec: ExerciseSpec, signer_name: str) -> None:
    pdf.set_font("serif", "B", 11)
    pdf.set_xy(40, 572)  # a little below the signer's title: preflight reads a line across both columns
    pdf.cell(200, 14, "Nơi nhận:")
    pdf.set_font("serif", "", 10)
    for index, line in enumerate(("- Như trên;", "- Lưu: VT.")):
        pdf.set_xy(40, 588 + 13 * index)
        pdf.cell(200, 13, line)
    if spec.signer_title is None:
        return
    pdf.set_font("serif", "B", 13)
    pdf.set_xy(320, 560)
    pdf.cell(220, 16, spec.signer_title, align="C")
    pdf.set_xy(320, 690)
    pdf.cell(220, 16, signer_name, align="C")


def _scan(path: Path, *, dpi: int = 150) -> Path:
    """An image-only page: a scanned paper without a text layer, below the 200 dpi the law asks."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    size = (round(8.27 * dpi), round(11.69 * dpi))
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    for row in range(8, 58):
        y = row * size[1] // 64
        draw.line((size[0] // 8, y, size[0] * (7 if row % 5 else 5) // 8, y), fill=60, width=2)
    picture = path.with_suffix(".png")
    image.save(picture, dpi=(dpi, dpi))
    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.image(str(picture), x=0, y=0, w=595.28, h=841.89)
    pdf.output(str(path))
    picture.unlink()
    return path


def scenario_files(specs: Sequence[ExerciseSpec], scenario: str) -> list[str]:
    return [spec.file for spec in specs if scenario in spec.scenarios]
