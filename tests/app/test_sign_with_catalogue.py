"""Signing runs preflight first: blocked documents never reach the token; plans drive appearances."""

from __future__ import annotations

import json

import pytest

from app.catalogue import load_catalogue
from app.sign_plan import PreflightOptions
from app.signing_job import SignJob, SignRequest
from signing.engine import SignOptions
from signing.levels import PadesLevel
from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf
from tests.support.signing import AcceptAll, FixedPin, RefuseAll
from tests.support.validators import extract_text, pyhanko_validate

pytestmark = [pytest.mark.hsm, pytest.mark.pki]
CATALOGUE = load_catalogue().catalogue


def _job(hsm, trust_dir, files, *, key, role, pki=None, prompter=None, picker=None, out_dir=None, **preflight):
    options = SignOptions(level=PadesLevel.B_B, tsa_url=pki.tsa_url if pki else None)
    request = SignRequest(
        files=tuple(files), module_path=hsm.module, options=options, out_dir=out_dir, token_label="KYSO-RSA",
        key_id=hsm.key_id(key), trust_dirs=(trust_dir,),
        preflight=PreflightOptions(catalogue=CATALOGUE, role=role, **preflight),
        explicit_appearance=False, explicit_level=False,
    )
    return SignJob(request, prompter=prompter or FixedPin(hsm.pin), acceptor=AcceptAll(), picker=picker).run()


def test_secret_document_never_reaches_the_token(hsm, trust_dir, tmp_path):
    secret = decree30_pdf(tmp_path / "mat.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, secret="TỐI MẬT")
    prompter = FixedPin(hsm.pin)

    def no_token(_request):
        raise AssertionError("the token must not be touched")

    report = _job(hsm, trust_dir, [secret], key="signer-rsa2048", role="vien-truong", prompter=prompter,
                  picker=no_token, overrides=frozenset({"PREFLIGHT_STATE_SECRET"}))
    assert [o.error_code for o in report.outcomes] == ["PREFLIGHT_STATE_SECRET"]
    assert report.token is None and prompter.requests == []
    assert not (tmp_path / "mat.signed.pdf").exists()


def test_leader_then_records_office_following_the_plan(hsm, pki, trust_dir, tmp_path, assets):
    document = decree30_pdf(tmp_path / "quyet-dinh.pdf", title="QUYẾT ĐỊNH", number="Số: 15/QĐ-VKSTC",
                            body=NEUTRAL_BODY)
    leader = _job(hsm, trust_dir, [document], key="signer-rsa2048", role="vien-truong", pki=pki,
                  signature_image=assets["signature"])
    outcome = leader.outcomes[0]
    assert outcome.ok, outcome.error_code
    assert outcome.signed.field_name == "kyso-personal-1"
    assert leader.decision.reached is PadesLevel.B_LT  # the catalogue's level, not the B-B default
    plan_box = outcome.plan.preflight.plan.box
    assert outcome.plan.appearance.box == plan_box

    office_dir = tmp_path / "van-thu"
    office_dir.mkdir()
    office = _job(hsm, trust_dir, [outcome.output], key="org-seal", role="van-thu", pki=pki,
                  seal_image=assets["seal"], out_dir=office_dir)
    sealed = office.outcomes[0]
    assert sealed.ok, sealed.error_code
    assert sealed.signed.field_name == "kyso-organisation-1"
    statuses = pyhanko_validate(sealed.output, pki.cert_der("root"))
    assert [s.bottom_line for s in statuses] == [True, True]

    again = _job(hsm, trust_dir, [sealed.output], key="org-seal", role="van-thu", pki=pki,
                 seal_image=assets["seal"], out_dir=tmp_path)
    assert again.outcomes[0].error_code == "PREFLIGHT_SIGNATURES_COMPLETE"


def test_copy_declared_by_the_records_office(hsm, pki, trust_dir, tmp_path):
    original = decree30_pdf(tmp_path / "sao-y-quyet-dinh.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    report = _job(hsm, trust_dir, [original], key="org-seal", role="van-thu", pki=pki,
                  declared_type="Bản sao y", organisation_name="Viện kiểm sát nhân dân tỉnh Hà Tĩnh")
    outcome = report.outcomes[0]
    assert outcome.ok, outcome.error_code
    text = extract_text(outcome.output)
    assert "SAO Y" in text and "Viện kiểm sát nhân dân tỉnh Hà Tĩnh" in text


def test_cli_check_exit_codes(run_kyso, tmp_path):
    good = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", number="Số: 15/QĐ-VKSTC", body=NEUTRAL_BODY)
    result = run_kyso("check", str(good), "--role", "vien-truong", "--json")
    assert result.returncode == 0, result.stdout
    document = json.loads(result.stdout)["files"][0]
    assert document["type"] == "Quyết định" and document["plan"]["kind"] == "personal"
    secret = decree30_pdf(tmp_path / "mat.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, secret="MẬT")
    blocked = run_kyso("check", str(secret), "--role", "vien-truong", "--json")
    assert blocked.returncode == 1
    codes = [f["code"] for f in json.loads(blocked.stdout)["files"][0]["findings"]]
    assert "PREFLIGHT_STATE_SECRET" in codes
    text = tmp_path / "khong-phai.pdf"
    text.write_text("không phải PDF")
    assert run_kyso("check", str(text)).returncode == 2
    human = run_kyso("check", str(secret), "--role", "vien-truong", "--lang", "en")
    assert "state-secret documents must not be signed" in human.stdout


def test_cli_sign_refuses_a_secret_document(run_kyso, hsm, trust_dir, tmp_path):
    secret = decree30_pdf(tmp_path / "mat.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, secret="TUYỆT MẬT")
    result = run_kyso("sign", str(secret), "--module", hsm.module, "--token", "KYSO-RSA", "--key-id", "01",
                      "--pin-stdin", "--trust", str(trust_dir), "--role", "vien-truong", "--kind", "invisible",
                      "--override", "PREFLIGHT_STATE_SECRET", "--json", pin=hsm.pin)
    assert result.returncode == 1
    outcome = json.loads(result.stdout)["files"][0]
    assert outcome["error"]["code"] == "PREFLIGHT_STATE_SECRET"
    assert json.loads(result.stdout)["token"] is None  # the token was never opened


@pytest.mark.parametrize("role, mismatch", [("vien-truong", True), ("pho-vien-truong", False)])
def test_position_is_checked_against_the_certificate_title_before_the_pin(hsm, pki, trust_dir, tmp_path, assets,
                                                                          role, mismatch):
    # signer-ec256's certificate says "Pho Vien truong" (title attribute, without diacritics)
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    request = SignRequest(
        files=(document,), module_path=hsm.module, options=SignOptions(level=PadesLevel.B_B, tsa_url=pki.tsa_url),
        token_label="KYSO-EC", key_id=hsm.key_id("signer-ec256"), trust_dirs=(trust_dir,),
        preflight=PreflightOptions(catalogue=CATALOGUE, role=role, signature_image=assets["signature"]),
        explicit_appearance=False, explicit_level=False,
    )
    prompter = FixedPin(hsm.pin)
    acceptor = RefuseAll() if mismatch else AcceptAll()
    report = SignJob(request, prompter=prompter, acceptor=acceptor).run()
    codes = {f.code.value for _, findings in acceptor.preflight for f in findings}
    assert ("PREFLIGHT_ROLE_CERTIFICATE_MISMATCH" in codes) is mismatch
    if mismatch:  # refused before the PIN was asked for
        assert [o.error_code for o in report.outcomes] == ["PREFLIGHT_WARNINGS_NOT_ACCEPTED"]
        assert prompter.requests == [] and not (tmp_path / "qd.signed.pdf").exists()
    else:
        assert report.all_ok, (report.outcomes[0].error_code, report.outcomes[0].error_params)
        assert (tmp_path / "qd.signed.pdf").exists()


def test_missing_signature_image_is_known_before_the_pin(hsm, trust_dir, tmp_path):
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    prompter = FixedPin(hsm.pin)
    report = _job(hsm, trust_dir, [document], key="signer-rsa2048", role="vien-truong", prompter=prompter)
    assert [o.error_code for o in report.outcomes] == ["APPEARANCE_IMAGE_MISSING"]
    assert report.token is None and prompter.requests == []


def test_bytes_other_than_those_checked_are_never_signed(hsm, pki, trust_dir, tmp_path, assets):
    """The desk's check is reused while size and modification time are unchanged; a file swapped
    for another with the same size and time (a secret document here) is refused by the engine,
    which compares the bytes it copies with the bytes that were checked."""
    import hashlib

    from app.preflight import run_preflight
    from app.sign_plan import CheckedFile, file_stamp

    document = decree30_pdf(tmp_path / "quyet-dinh.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    checked = run_preflight(document, catalogue=CATALOGUE, role="vien-truong")
    sha256 = hashlib.sha256(document.read_bytes()).hexdigest()
    secret = decree30_pdf(tmp_path / "mat.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, secret="TỐI MẬT")
    secret.replace(document)  # a swap that size and modification time cannot tell apart:
    known = CheckedFile(file_stamp(document), checked, None, "vien-truong", sha256)  # the stamp as now
    report = _job(hsm, trust_dir, [document], key="signer-rsa2048", role="vien-truong", pki=pki,
                  signature_image=assets["signature"], checked={document: known})
    (outcome,) = report.outcomes
    assert outcome.error_code == "PDF_CHANGED_SINCE_CHECKED" and not outcome.ok
    assert not (tmp_path / "quyet-dinh.signed.pdf").exists()
