"""Practice outputs can never pass as real: the watermark on every page, the practice policy in
the certificate, production verification (kyso's, pyhanko's, poppler's) refusing them — and
practice and production never mixing: tokens, documents, files and trust."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
from pathlib import Path

import pytest
from asn1crypto import pem

from app.backend import PRODUCTION
from app.practice import PracticeSession, load_pack
from app.signing_job import SignJob
from signing.errors import SigningError
from signing.practice_mark import PRACTICE_MARK_TEXT, PRACTICE_POLICY_OID, is_practice_certificate
from signing.trust import TrustStore
from signing.verify import Problem, Verdict, verify_document
from tests.support.documents import decree30_pdf, encrypted_pdf
from tests.support.signing import AcceptAll, FixedPin, Passwords, sign_files
from tests.support.validators import NssTrust, pdfsig, pyhanko_validate
from tokens import ModuleOptions, load_module

from .support import exercise, sign

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


@pytest.fixture
def session(pack_dir):
    opened = PracticeSession(load_pack(pack_dir), load_pack(pack_dir).trainee(1))
    yield opened
    opened.close()


@pytest.fixture
def own_document(tmp_path) -> Path:
    """A trainee's own three-page document (no watermark yet), of a type every trainee may sign."""
    return decree30_pdf(tmp_path / "phieu.pdf", title="PHIẾU KIỂM SÁT", number="Số: 03/PKS-VKS",
                        signer_title="KIỂM SÁT VIÊN", signer_name="Nguyễn Văn An", pages=3)


@pytest.fixture(scope="module")
def production_root() -> bytes:
    from resources import resource_path

    data = (resource_path("trust") / "vgca-rootca-chuyen-dung-g2.pem").read_bytes()
    return next(der for kind, _, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE")


def test_every_page_says_practice_and_only_practice_trust_accepts_it(session, own_document, production_root,
                                                                     tmp_path):
    before = hashlib.sha256(own_document.read_bytes()).hexdigest()
    report = sign(session, [own_document], pin=session.trainee.pin)
    output = report.outcomes[0].output
    assert output.name == "phieu.thuc-hanh.pdf" and output.parent == session.pack.outputs(1)
    assert hashlib.sha256(own_document.read_bytes()).hexdigest() == before  # the input is never touched
    for page in (1, 2, 3):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(output), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert PRACTICE_MARK_TEXT in text, page
    signer = report.certificate
    assert "THỰC HÀNH" in signer.subject and "THỰC HÀNH" in signer.issuer

    root = session.pack.root_path.read_bytes()
    assert pyhanko_validate(output, root)[0].bottom_line  # valid against the training root…
    assert not pyhanko_validate(output, production_root)[0].trusted  # …and not against a production one
    view = pdfsig(output, NssTrust(tmp_path / "nss", production_root))[0]
    assert view.validation == "Signature is Valid." and view.certificate != "Certificate is Trusted."


def test_an_encrypted_document_is_watermarked_and_stays_encrypted(session, own_document, tmp_path):
    protected = encrypted_pdf(own_document, tmp_path / "phieu-mat-khau.pdf", user_password="mat-khau-mo")
    before = protected.read_bytes()
    report = sign(session, [protected], pin=session.trainee.pin,
                  passwords=Passwords({"phieu-mat-khau.pdf": "mat-khau-mo"}))
    output = report.outcomes[0].output
    assert output is not None, report.outcomes[0].error_code
    assert protected.read_bytes() == before
    text = subprocess.run(["pdftotext", "-upw", "mat-khau-mo", str(output), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert text.count(PRACTICE_MARK_TEXT) == 3
    assert subprocess.run(["pdftotext", str(output), "-"], capture_output=True).returncode != 0  # still locked


def test_production_verification_says_practice_not_valid(session, own_document, run_kyso):
    output = sign(session, [own_document], pin=session.trainee.pin).outcomes[0].output
    production = run_kyso("verify", str(output), "--json")
    assert production.returncode == 1
    assert '"VERIFY_PRACTICE_SIGNATURE"' in production.stdout and '"practice": true' in production.stdout
    human = run_kyso("verify", str(output))
    assert "CHỮ KÝ THỰC HÀNH — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" in human.stdout
    practice = run_kyso("verify", str(output), "--practice", str(session.pack.folder), "--json")
    assert practice.returncode == 0, practice.stderr
    assert '"verdict": "valid"' in practice.stdout and "THỰC HÀNH" in practice.stderr  # the banner


def test_training_root_given_as_production_trust_still_is_not_valid(session, own_document):
    output = sign(session, [own_document], pin=session.trainee.pin).outcomes[0].output
    assert session.pack.root_path.read_bytes() not in TrustStore.load().anchors
    result = asyncio.run(verify_document(output, trust=TrustStore.load(extra_dirs=[session.pack.root_path.parent])))
    signature = result.signatures[0]
    assert signature.practice and Problem.PRACTICE in signature.problems and signature.verdict is Verdict.INVALID


def test_every_practice_certificate_carries_the_practice_policy(session):
    for slot in session.rack.slots:
        token = session.rack.read(slot.token_id)
        assert token.label.startswith("THỰC HÀNH")
        assert all(is_practice_certificate(obj.certificate) for obj in token.objects), slot.token_id
    assert PRACTICE_POLICY_OID.startswith("2.25.")


def test_production_refuses_a_practice_token_before_the_pin(session, own_document):
    prompter = FixedPin(session.trainee.pin)
    request = session.sign_request(files=[own_document])
    job = SignJob(request, prompter=prompter, acceptor=AcceptAll(), backend=PRODUCTION,
                  picker=lambda _: (session.rack.module(), ModuleOptions()))
    with pytest.raises(SigningError, match="CERT_PRACTICE"):
        job.run()
    assert prompter.requests == []


def test_practice_refuses_a_real_token_before_the_pin(session, own_document, hsm):
    prompter = FixedPin(hsm.pin)
    request = session.sign_request(files=[own_document], token_label="KYSO-EC", key_id=hsm.key_id("signer-ec256"))
    job = SignJob(request, prompter=prompter, acceptor=AcceptAll(), backend=session.backend,
                  picker=lambda _: (load_module(hsm.module), ModuleOptions()))
    with pytest.raises(SigningError, match="CERT_NOT_PRACTICE"):
        job.run()
    assert prompter.requests == []


def test_no_real_signature_on_a_practice_document_and_no_practice_one_on_a_real(session, hsm, trust_dir,
                                                                                 document, tmp_path):
    practice_document = exercise(session.pack, "01-phieu-kiem-sat.pdf")
    refused = sign_files(hsm, [practice_document], trust_dir=trust_dir, out_dir=tmp_path)
    assert refused.outcomes[0].error_code == "PDF_PRACTICE_DOCUMENT"
    real = sign_files(hsm, [document], trust_dir=trust_dir, out_dir=tmp_path).outcomes[0].output
    report = sign(session, [real], pin=session.trainee.pin, declared_type="Quyết định", role="pho-vien-truong")
    assert report.outcomes[0].error_code == "PDF_SIGNED_OUTSIDE_PRACTICE"


def test_a_practice_output_never_overwrites_a_file(session, own_document, tmp_path):
    from dataclasses import replace

    folder = tmp_path / "ho-so-that"
    folder.mkdir()
    existing = folder / "phieu.thuc-hanh.pdf"
    existing.write_bytes(b"%PDF-1.7 a production file that happens to have this name")
    request = session.sign_request(files=[own_document], out_dir=folder)
    forced = replace(request, options=replace(request.options, overwrite=True))  # --force, as a caller might ask
    job = SignJob(forced, prompter=FixedPin(session.trainee.pin), acceptor=AcceptAll(), backend=session.backend)
    assert job.request.options.overwrite is False
    assert job.run().outcomes[0].error_code == "OUTPUT_EXISTS"
    assert existing.read_bytes().startswith(b"%PDF-1.7 a production file")


def test_practice_leaves_the_production_caches_and_chain_alone(session, own_document, kyso_home):
    sign(session, [own_document], pin=session.trainee.pin, level="B-LT")
    assert not (kyso_home / "cache" / "revocation").exists()
    assert any((session.pack.state_dir / "revocation").iterdir())
