"""Preflight: every shipped type is recognised; secret documents never get near a token."""

from __future__ import annotations

import pytest

from app.catalogue import DocumentGroup, load_catalogue
from app.preflight import FindingCode, Severity, role_in_certificate, run_preflight
from tests.support.catalogue_docs import NEUTRAL_BODY, sample_for
from tests.support.documents import decree30_pdf, scan_pdf

CATALOGUE = load_catalogue().catalogue


def _codes(result) -> set[str]:
    return {finding.code.value for finding in result.findings}


@pytest.mark.parametrize("doc_type", CATALOGUE.types, ids=lambda t: t.name)
def test_every_shipped_type_is_recognised(doc_type, tmp_path):
    path = sample_for(doc_type, tmp_path)
    result = run_preflight(path, catalogue=CATALOGUE, role="vien-truong")
    assert result.doc_type is doc_type, (result.recognition, doc_type.name)
    if doc_type.group is DocumentGroup.COPY:  # from the file name only: the user confirms
        assert result.recognition.confidence == "low"
        assert FindingCode.TYPE_LOW_CONFIDENCE.value in _codes(result)
    else:
        assert result.recognition.confidence == "high"


@pytest.mark.parametrize(
    ("title", "number", "expected"),
    [("CHỈ THỊ", "Số: 05/CT-VKSTC", "Chỉ thị"), ("CÁO TRẠNG", "Số: 05/CT-VKS-P1", "Cáo trạng")],
)
def test_ct_means_what_the_title_says(title, number, expected, tmp_path):
    path = decree30_pdf(tmp_path / "van-ban.pdf", title=title, number=number, body=NEUTRAL_BODY)
    result = run_preflight(path, catalogue=CATALOGUE, role="vien-truong")
    assert result.doc_type.name == expected
    assert result.recognition.confidence == "high"


def test_ct_without_a_title_is_never_guessed(tmp_path):
    path = decree30_pdf(tmp_path / "van-ban.pdf", title="", number="Số: 05/CT-VKS", body=NEUTRAL_BODY)
    result = run_preflight(path, catalogue=CATALOGUE, role="vien-truong")
    assert result.doc_type is None
    assert set(result.recognition.candidates) == {"Chỉ thị", "Cáo trạng"}
    (ambiguous,) = result.blocking()
    assert ambiguous.code is FindingCode.TYPE_AMBIGUOUS and not ambiguous.overridable
    assert set(ambiguous.params["candidates"].split(", ")) == {"Chỉ thị", "Cáo trạng"}
    assert not result.signable


@pytest.mark.parametrize("mark", ["MẬT", "TỐI MẬT", "TUYỆT MẬT", "Mật", "Tối mật", "ĐỘ MẬT: TUYỆT MẬT"])
@pytest.mark.parametrize("place", ["under-number", "top-right", "page-2"])
def test_secret_marks_block_and_cannot_be_overridden(mark, place, tmp_path):
    path = decree30_pdf(tmp_path / "mat.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, secret=mark,
                        secret_place=place, pages=2)
    result = run_preflight(path, catalogue=CATALOGUE, role="vien-truong")
    secret = [f for f in result.findings if f.code is FindingCode.STATE_SECRET]
    assert secret and secret[0].severity is Severity.BLOCK and not secret[0].overridable
    assert result.blocking(frozenset({FindingCode.STATE_SECRET.value}))


@pytest.mark.parametrize("text", ["Về công tác bảo vệ bí mật nhà nước năm 2026.", "Mật độ dân cư."])
def test_secret_words_in_ordinary_text_do_not_block(text, tmp_path):
    path = decree30_pdf(tmp_path / "kh.pdf", title="KẾ HOẠCH", number="Số: 05/KH-VKSTC", body=text)
    result = run_preflight(path, catalogue=CATALOGUE, role="vien-truong")
    assert FindingCode.STATE_SECRET.value not in _codes(result)
    assert result.signable


def test_scan_without_text_needs_a_declared_type_and_a_check_for_secrets(tmp_path):
    path = scan_pdf(tmp_path / "ban-quet.pdf", dpi=150)
    result = run_preflight(path, catalogue=CATALOGUE, role="vien-truong")
    codes = _codes(result)
    assert {FindingCode.NO_TEXT.value, FindingCode.SECRET_UNCHECKABLE.value, FindingCode.TYPE_UNKNOWN.value,
            FindingCode.LOW_RESOLUTION.value} <= codes
    assert not result.signable
    declared = run_preflight(path, catalogue=CATALOGUE, role="vien-truong", declared_type="Quyết định")
    assert declared.doc_type.name == "Quyết định" and declared.signable
    assert FindingCode.SECRET_UNCHECKABLE.value in {f.code.value for f in declared.warnings}
    good = run_preflight(scan_pdf(tmp_path / "ban-quet-tot.pdf", dpi=200), catalogue=CATALOGUE, role="vien-truong",
                         declared_type="Quyết định")
    assert FindingCode.LOW_RESOLUTION.value not in _codes(good)


@pytest.mark.parametrize(
    ("number", "code"),
    [("Số: 5/QĐ-VKSTC", FindingCode.NUMBER_LEADING_ZERO), ("Số: 15 / QĐ - VKSTC", FindingCode.NUMBER_SPACES),
     ("Số: 15/TB-VKSTC", FindingCode.NUMBER_WRONG_ABBREVIATION)],
)
def test_malformed_numbers(number, code, tmp_path):
    path = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", number=number, body=NEUTRAL_BODY)
    result = run_preflight(path, catalogue=CATALOGUE, role="vien-truong")
    assert result.doc_type.name == "Quyết định"
    assert code.value in _codes(result)
    assert result.signable  # warnings: the user confirms


def test_number_not_assigned_yet_is_normal_before_the_leaders_signature(tmp_path):
    path = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", number="Số: .../QĐ-VKSTC", body=NEUTRAL_BODY)
    result = run_preflight(path, catalogue=CATALOGUE, role="vien-truong")
    missing = next(f for f in result.findings if f.code is FindingCode.NUMBER_MISSING)
    assert missing.severity is Severity.INFO


def test_role_not_allowed_is_a_block_that_can_be_overridden(tmp_path):
    path = decree30_pdf(tmp_path / "ct.pdf", title="CÁO TRẠNG", number="Số: 05/CT-VKS", body=NEUTRAL_BODY)
    result = run_preflight(path, catalogue=CATALOGUE, role="Kiểm sát viên")
    assert [f.code for f in result.blocking()] == [FindingCode.ROLE_NOT_ALLOWED]
    assert result.blocking(frozenset({FindingCode.ROLE_NOT_ALLOWED.value})) == ()
    unknown = run_preflight(path, catalogue=CATALOGUE, role=None)
    assert FindingCode.ROLE_MISSING.value in {f.code.value for f in unknown.warnings}


def test_signer_block_is_found_between_title_and_name(tmp_path):
    path = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY,
                        signer_title="KT. VIỆN TRƯỞNG")
    plan = run_preflight(path, catalogue=CATALOGUE, role="pho-vien-truong").plan
    assert plan.kind.value == "personal" and plan.page == 1
    assert 110 + 13 < plan.box.y1 < plan.box.y2 < 230  # above the name (y 110), below the title (y 230)
    assert 330 < (plan.box.x1 + plan.box.x2) / 2 < 530  # under the title, in the right column


def test_organisation_signature_first_is_refused(tmp_path):
    path = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    result = run_preflight(path, catalogue=CATALOGUE, role="van-thu", requested_kind="organisation")
    block = [f for f in result.blocking(frozenset({"PREFLIGHT_ORGANISATION_BEFORE_PERSONAL"}))]
    assert [f.code for f in block] == [FindingCode.ORGANISATION_BEFORE_PERSONAL]


def test_encrypted_and_locked_files_block(tmp_path, document, pki):
    from tests.support.documents import certified_pdf, encrypted_pdf

    encrypted = run_preflight(encrypted_pdf(document, tmp_path / "e.pdf"), catalogue=CATALOGUE, role="vien-truong")
    assert FindingCode.PASSWORD_REQUIRED in {f.code for f in encrypted.blocking()}
    locked_path = certified_pdf(document, tmp_path / "l.pdf", key_pem=pki.key_path("org-seal"),
                                cert_der=pki.cert_der("org-seal"), chain=[pki.cert_der("interm")])
    locked = run_preflight(locked_path, catalogue=CATALOGUE, role="vien-truong")
    assert FindingCode.LOCKED in {f.code for f in locked.blocking()}


def test_title_without_diacritics_is_flagged_not_trusted(tmp_path):
    path = decree30_pdf(tmp_path / "qd.pdf", title="QUYET DINH", number="Số: 15/QĐ-VKSTC", body=NEUTRAL_BODY)
    result = run_preflight(path, catalogue=CATALOGUE, role="vien-truong")
    assert result.doc_type.name == "Quyết định"
    assert result.recognition.confidence == "low"
    assert FindingCode.TYPE_LOW_CONFIDENCE.value in _codes(result)


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Phó Viện trưởng", "pho-vien-truong"),
        ("Pho Vien truong", "pho-vien-truong"),  # subjects issued without diacritics
        ("VIỆN TRƯỞNG", "vien-truong"),
        ("Kiểm sát viên trung cấp", "kiem-sat-vien"),
        ("Vụ trưởng Vụ 7", "truong-phong"),
        ("Chuyên viên", None),
        ("Kiểm sát", None),  # a part of a title names no role
    ],
)
def test_role_named_in_a_certificate_title(title, expected):
    found = role_in_certificate(CATALOGUE, title)
    assert (found.id if found else None) == expected


def test_position_differing_from_the_certificate_title_is_a_warning(tmp_path):
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    plain = run_preflight(document, catalogue=CATALOGUE, role="vien-truong")
    differing = plain.with_certificate(CATALOGUE, role="vien-truong", title="Phó Viện trưởng")
    same = plain.with_certificate(CATALOGUE, role="pho-vien-truong", title="Phó Viện trưởng")
    added = differing.findings[len(plain.findings):]
    assert differing.findings[: len(plain.findings)] == plain.findings
    assert [(f.code, f.severity) for f in added] == [(FindingCode.ROLE_CERTIFICATE_MISMATCH, Severity.WARN)]
    assert differing.signable
    assert same.findings == plain.findings


def test_file_rules_of_the_catalogue(tmp_path):
    from dataclasses import replace

    strict = replace(CATALOGUE, file_rules=replace(CATALOGUE.file_rules, max_size_mb=0.001))
    document = decree30_pdf(tmp_path / "qd.pdf", body=NEUTRAL_BODY)
    result = run_preflight(document, catalogue=strict, role="vien-truong")
    (too_large,) = result.blocking()
    assert too_large.code is FindingCode.TOO_LARGE and too_large.overridable
    assert too_large.params["max"] == "0.001"
    assert result.blocking(frozenset({FindingCode.TOO_LARGE.value})) == ()
    assert run_preflight(document, catalogue=CATALOGUE, role="vien-truong").signable

    letter = decree30_pdf(tmp_path / "letter.pdf", body=NEUTRAL_BODY, page_format="Letter")
    wrong_size = run_preflight(letter, catalogue=CATALOGUE, role="vien-truong")
    assert FindingCode.PAGE_SIZE.value in {f.code.value for f in wrong_size.warnings}
    assert wrong_size.signable  # a warning the user confirms, not a block
