"""Inputs are never modified; bad inputs get their own code and leave no output behind."""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from signing.engine import SignOptions
from signing.errors import SigningErrorCode
from signing.output import TEMP_PREFIX, AtomicOutput
from tests.support.documents import certified_pdf, decree30_pdf, encrypted_pdf, truncated_pdf
from tests.support.signing import sign_files
from tests.support.validators import pdfsig, pyhanko_validate

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _no_leftovers(folder) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]


@pytest.fixture
def bad_inputs(tmp_path, document, pki):
    folder = tmp_path / "bad"
    folder.mkdir()
    text = folder / "ghi-chu.pdf"
    text.write_text("đây không phải là tệp PDF\n", encoding="utf-8")
    return {
        SigningErrorCode.PASSWORD_REQUIRED: encrypted_pdf(document, folder / "ma-hoa.pdf"),
        SigningErrorCode.CERTIFIED_NO_CHANGES: certified_pdf(
            document, folder / "da-khoa.pdf", key_pem=pki.key_path("org-seal"),
            cert_der=pki.cert_der("org-seal"), chain=[pki.cert_der("interm")],
        ),
        SigningErrorCode.DAMAGED: truncated_pdf(document, folder / "cat-cut.pdf"),
        SigningErrorCode.NOT_A_PDF: text,
        SigningErrorCode.INPUT_NOT_FOUND: folder / "khong-co.pdf",
    }


def test_each_bad_input_is_refused_with_its_code_and_no_output(hsm, trust_dir, bad_inputs, document):
    files = [*bad_inputs.values(), document]
    before = {path: _sha256(path) for path in files if path.exists()}
    report = sign_files(hsm, files, trust_dir=trust_dir)
    codes = {outcome.source: outcome.error_code for outcome in report.outcomes}
    for code, path in bad_inputs.items():
        assert codes[path] == code.value, path
        assert not path.with_name(path.stem + ".signed.pdf").exists()
    assert report.outcomes[-1].ok, "one bad file does not stop the others"
    assert {path: _sha256(path) for path in before} == before
    assert _no_leftovers(bad_inputs[SigningErrorCode.PASSWORD_REQUIRED].parent)


def test_input_is_unchanged_and_hashes_are_reported(hsm, trust_dir, document):
    before = _sha256(document)
    mtime = document.stat().st_mtime_ns
    report = sign_files(hsm, [document], trust_dir=trust_dir)
    signed = report.outcomes[0].signed
    assert _sha256(document) == before
    assert document.stat().st_mtime_ns == mtime
    assert signed.input_sha256 == before
    assert signed.output_sha256 == _sha256(signed.output)
    assert signed.output_size == signed.output.stat().st_size
    assert signed.output.name == "quyet-dinh.signed.pdf"
    assert _no_leftovers(document.parent)


def test_signing_twice_keeps_both_signatures_valid(hsm, pki, trust_dir, nss, tmp_path, document):
    first = sign_files(hsm, [document], trust_dir=trust_dir).outcomes[0].output
    second_dir = tmp_path / "lan-2"
    second_dir.mkdir()
    second = sign_files(hsm, [first], key="signer-rsa3072", trust_dir=trust_dir,
                        out_dir=second_dir).outcomes[0].output
    statuses = pyhanko_validate(second, pki.cert_der("root"))
    assert [s.bottom_line for s in statuses] == [True, True]
    view = pdfsig(second, nss)
    assert [s.validation for s in view] == ["Signature is Valid."] * 2
    assert [s.whole_document for s in view] == [False, True]
    assert view[0].field != view[1].field


def test_existing_output_is_not_overwritten_without_force(hsm, trust_dir, document):
    target = document.with_name("quyet-dinh.signed.pdf")
    target.write_bytes(b"%PDF-1.4 older result")
    report = sign_files(hsm, [document], trust_dir=trust_dir)
    assert report.outcomes[0].error_code == SigningErrorCode.OUTPUT_EXISTS.value
    assert target.read_bytes() == b"%PDF-1.4 older result"
    forced = sign_files(hsm, [document], trust_dir=trust_dir, options=SignOptions(overwrite=True))
    assert forced.outcomes[0].ok
    assert target.read_bytes().startswith(b"%PDF")
    assert target.stat().st_size > 1000


def test_output_in_another_folder(hsm, trust_dir, tmp_path, document):
    out = tmp_path / "da-ky"
    out.mkdir()
    report = sign_files(hsm, [document], trust_dir=trust_dir, out_dir=out)
    assert report.outcomes[0].output == out / "quyet-dinh.signed.pdf"
    assert not document.with_name("quyet-dinh.signed.pdf").exists()


def test_multi_page_document(hsm, pki, trust_dir, tmp_path):
    many = decree30_pdf(tmp_path / "nhieu-trang.pdf", pages=12)
    report = sign_files(hsm, [many], trust_dir=trust_dir)
    assert pyhanko_validate(report.outcomes[0].output, pki.cert_der("root"))[0].bottom_line


def test_stale_temporary_files_are_cleaned_but_recent_ones_kept(tmp_path, document):
    stale = tmp_path / f"{TEMP_PREFIX}old.part"
    recent = tmp_path / f"{TEMP_PREFIX}recent.part"
    stale.write_bytes(b"x")
    recent.write_bytes(b"y")
    old = time.time() - 3 * 24 * 3600
    os.utime(stale, (old, old))
    output = AtomicOutput(source=document, target=tmp_path / "out.pdf")
    output.open()
    output.abort()
    assert not stale.exists()
    assert recent.exists()
    assert not (tmp_path / "out.pdf").exists()
