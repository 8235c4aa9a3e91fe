"""Decree 30 appearances: where each stamp sits, what it shows, and that text extracts back."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from signing.appearance import AppearanceKind, AppearanceSpec, Box
from signing.engine import SignOptions
from signing.errors import SigningError, SigningErrorCode
from tests.support.signing import sign_files
from tests.support.validators import extract_text, pdfsig, pyhanko_validate

pytestmark = [pytest.mark.hsm, pytest.mark.pki]

PERSONAL_BOX = Box(340, 150, 500, 230)  # between the title line and the name line
ISO_VN = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00"


def _sign(hsm, trust_dir, files, spec, *, key="signer-rsa2048", out_dir=None):
    report = sign_files(hsm, files, key=key, trust_dir=trust_dir, out_dir=out_dir,
                        options=SignOptions(appearance=spec))
    return report


def _widget_rect(path: Path, field: str) -> Box:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    with open(path, "rb") as handle:
        reader = PdfFileReader(handle)
        for name, _, ref in enumerate_sig_fields(reader):
            if name == field:
                x1, y1, x2, y2 = (float(v) for v in ref.get_object()["/Rect"])
                return Box(x1, y1, x2, y2)
    raise AssertionError(f"no field {field}")


def _render(path: Path, tmp_path: Path) -> Image.Image:
    """Page 1 at 72 dpi, so one pixel is one PDF point (y measured from the top)."""
    prefix = tmp_path / "render"
    subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", str(path), str(prefix)],
                   check=True)
    return Image.open(next(tmp_path.glob("render*.png"))).convert("RGB")


def _count(image: Image.Image, box: Box, predicate) -> int:
    height = image.height
    region = image.crop((int(box.x1), int(height - box.y2), int(box.x2), int(height - box.y1)))
    data = region.tobytes()
    return sum(1 for i in range(0, len(data), 3) if predicate(data[i : i + 3]))


def _blue(p):
    return p[2] > 150 and p[0] < 100 and p[1] < 120


def _red(p):
    return p[0] > 150 and p[1] < 90 and p[2] < 90


def test_personal_signature_image_sits_in_the_box(hsm, pki, trust_dir, nss, document, assets, tmp_path):
    spec = AppearanceSpec(kind=AppearanceKind.PERSONAL, box=PERSONAL_BOX, image=assets["signature"])
    signed = _sign(hsm, trust_dir, [document], spec).outcomes[0].output
    assert _widget_rect(signed, "kyso-personal-1") == PERSONAL_BOX
    page = _render(signed, tmp_path)
    assert _count(page, PERSONAL_BOX, _blue) > 200
    outside = Box(PERSONAL_BOX.x1, PERSONAL_BOX.y1 - 90, PERSONAL_BOX.x2, PERSONAL_BOX.y1 - 10)
    assert _count(page, outside, _blue) == 0
    assert pyhanko_validate(signed, pki.cert_der("root"))[0].bottom_line
    assert pdfsig(signed, nss)[0].validation == "Signature is Valid."


def test_organisation_seal_covers_left_third_of_personal_signature(
    hsm, pki, trust_dir, nss, document, assets, tmp_path
):
    personal = AppearanceSpec(kind=AppearanceKind.PERSONAL, box=PERSONAL_BOX, image=assets["signature"])
    first = _sign(hsm, trust_dir, [document], personal).outcomes[0].output
    seal_dir = tmp_path / "con-dau"
    seal_dir.mkdir()
    organisation = AppearanceSpec(kind=AppearanceKind.ORGANISATION, image=assets["seal"])
    second = _sign(hsm, trust_dir, [first], organisation, key="org-seal", out_dir=seal_dir).outcomes[0].output

    seal = _widget_rect(second, "kyso-organisation-1")
    real_size = 36.0 / 25.4 * 72  # the seal PNG is 36 mm at 300 dpi
    assert seal.width == pytest.approx(real_size, abs=0.5)
    assert seal.height == pytest.approx(real_size, abs=0.5)
    assert seal.x2 == pytest.approx(PERSONAL_BOX.x1 + PERSONAL_BOX.width / 3, abs=0.01)
    assert (seal.y1 + seal.y2) / 2 == pytest.approx((PERSONAL_BOX.y1 + PERSONAL_BOX.y2) / 2, abs=0.01)
    page = _render(second, tmp_path)
    assert _count(page, seal, _red) > 200
    statuses = pyhanko_validate(second, pki.cert_der("root"))
    assert [s.bottom_line for s in statuses] == [True, True]
    assert [s.validation for s in pdfsig(second, nss)] == ["Signature is Valid."] * 2


def test_organisation_without_personal_signature_is_refused(hsm, trust_dir, document, assets):
    spec = AppearanceSpec(kind=AppearanceKind.ORGANISATION, image=assets["seal"])
    report = _sign(hsm, trust_dir, [document], spec, key="org-seal")
    assert report.outcomes[0].error_code == SigningErrorCode.NO_PERSONAL_SIGNATURE.value
    assert not document.with_name("quyet-dinh.signed.pdf").exists()


def test_attachment_stamp_top_right_with_number_and_time(hsm, pki, trust_dir, nss, document):
    spec = AppearanceSpec(kind=AppearanceKind.ATTACHMENT, doc_number="15/QĐ-VKSTC")
    signed = _sign(hsm, trust_dir, [document], spec, key="org-seal").outcomes[0].output
    text = extract_text(signed)
    assert "15/QĐ-VKSTC" in text
    assert re.search(ISO_VN, text), text
    rect = _widget_rect(signed, "kyso-attachment-1")
    assert rect.x2 == pytest.approx(595.28 - 15 / 25.4 * 72, abs=1)
    assert rect.y2 > 800
    assert pdfsig(signed, nss)[0].validation == "Signature is Valid."


@pytest.mark.parametrize("form", ["SAO Y", "SAO LỤC", "TRÍCH SAO"])
def test_copy_stamp_shows_form_organisation_and_time_with_diacritics(form, hsm, trust_dir, document):
    organisation = "Viện kiểm sát nhân dân tỉnh Hà Tĩnh"
    spec = AppearanceSpec(kind=AppearanceKind.COPY, copy_form=form, organisation=organisation)
    signed = _sign(hsm, trust_dir, [document], spec, key="org-seal").outcomes[0].output
    text = extract_text(signed)
    assert form in text
    assert organisation in text
    assert re.search(ISO_VN, text)


def test_stamp_font_is_embedded_as_a_subset(hsm, trust_dir, document):
    spec = AppearanceSpec(kind=AppearanceKind.COPY, copy_form="SAO Y", organisation="Văn phòng")
    signed = _sign(hsm, trust_dir, [document], spec, key="org-seal").outcomes[0].output
    fonts = subprocess.run(["pdffonts", str(signed)], capture_output=True, text=True, check=True).stdout
    stamp_fonts = [line for line in fonts.splitlines() if "+LiberationSerif" in line or "+TimesNewRoman" in line]
    assert stamp_fonts, fonts
    assert all(" yes " in line for line in stamp_fonts)  # embedded


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        (AppearanceSpec(kind=AppearanceKind.PERSONAL, box=PERSONAL_BOX), SigningErrorCode.IMAGE_MISSING),
        (AppearanceSpec(kind=AppearanceKind.PERSONAL, image=Path("/khong/co.png"), box=PERSONAL_BOX),
         SigningErrorCode.IMAGE_UNREADABLE),
        (AppearanceSpec(kind=AppearanceKind.ATTACHMENT), SigningErrorCode.TEXT_MISSING),
        (AppearanceSpec(kind=AppearanceKind.COPY, copy_form="BẢN NHÁP", organisation="X"),
         SigningErrorCode.TEXT_MISSING),
    ],
)
def test_incomplete_appearance_is_refused_before_signing(spec, code, hsm, trust_dir, document):
    with pytest.raises(SigningError) as caught:
        spec.validate()
    assert caught.value.code is code


def test_box_parsing():
    assert Box.parse("10,20,110,70") == Box(10, 20, 110, 70)
    assert Box.parse("110,70,10,20") == Box(10, 20, 110, 70)
    for bad in ("1,2,3", "a,b,c,d", "0,0,0,10"):
        with pytest.raises(SigningError):
            Box.parse(bad)


def test_page_out_of_range(hsm, trust_dir, document, assets):
    spec = AppearanceSpec(kind=AppearanceKind.PERSONAL, box=PERSONAL_BOX, image=assets["signature"], page=3)
    report = _sign(hsm, trust_dir, [document], spec)
    assert report.outcomes[0].error_code == SigningErrorCode.PAGE_OUT_OF_RANGE.value
