"""Real documents as the user meets them: each kind of encryption named in preflight, the open
password asked by `kyso sign --password-stdin` and found nowhere afterwards, a plan for the next
signature on documents signed by other software, indirect entries followed."""

from __future__ import annotations

import json

import pytest

from app.catalogue import load_catalogue
from app.preflight import FindingCode, Severity, run_preflight
from tests.support import pdf_shapes as shapes
from tests.support.documents import decree30_pdf, encrypted_pdf

CATALOGUE = load_catalogue().catalogue
COMPLETE = frozenset({FindingCode.SIGNATURES_COMPLETE.value})


def _codes(result) -> set[FindingCode]:
    return {finding.code for finding in result.findings}


def test_each_kind_of_encryption_is_named(tmp_path, document, pki):
    def check(path, password=None):
        return run_preflight(path, catalogue=CATALOGUE, role="vien-truong", password=password)

    protected = encrypted_pdf(document, tmp_path / "mat-khau.pdf", user_password="mo-tep")
    assert FindingCode.PASSWORD_REQUIRED in {f.code for f in check(protected).blocking()}
    assert FindingCode.PASSWORD_WRONG in {f.code for f in check(protected, "sai").blocking()}
    opened = check(protected, "mo-tep")
    assert opened.signable and opened.doc_type.name.startswith("Quyết định")
    assert FindingCode.ENCRYPTED_KEPT in _codes(opened)
    empty = check(encrypted_pdf(document, tmp_path / "rong.pdf", user_password=""))
    assert empty.signable and FindingCode.ENCRYPTED_KEPT in _codes(empty)
    certificate = shapes.certificate_encrypted_pdf(document, tmp_path / "ct.pdf",
                                                   recipient_der=pki.cert_der("signer-nosign"))
    assert FindingCode.ENCRYPTED_CERTIFICATE in {f.code for f in check(certificate).blocking()}
    restricted = shapes.password_pdf(document, tmp_path / "in.pdf", user="in", owner="chu", permissions=0xFFFFF0C4)
    assert FindingCode.ENCRYPTED_NO_PERMISSION in {f.code for f in check(restricted, "in").blocking()}
    blocks = [f for result in (check(protected), check(certificate)) for f in result.findings
              if f.severity is Severity.BLOCK]
    assert blocks and not any(f.overridable for f in blocks if f.code.value.startswith("PREFLIGHT_PASSWORD")
                              or f.code.value.startswith("PREFLIGHT_ENCRYPTED"))


def test_reader_extended_form_with_indirect_perms_is_not_locked(tmp_path):
    result = run_preflight(shapes.reader_extended_pdf(tmp_path / "ur3.pdf"), catalogue=CATALOGUE,
                           declared_type="Quyết định", role="vien-truong")
    assert FindingCode.LOCKED not in _codes(result) and not result.facts.certified_no_changes


def test_indirect_kids_and_annots_are_followed(tmp_path):
    facts = run_preflight(shapes.indirect_entries_pdf(tmp_path / "gian-tiep.pdf"), catalogue=CATALOGUE,
                          declared_type="Quyết định", role="vien-truong").facts
    assert facts.pages == 1 and facts.signatures == ()  # the field under an indirect /Kids is empty


@pytest.mark.pki
@pytest.mark.parametrize(("role", "kind"), [("van-thu", "organisation"), ("vien-truong", "personal"),
                                            (None, "personal")])
def test_documents_signed_by_other_software_get_a_plan_for_the_next_signature(tmp_path, pki, role, kind):
    signers = [shapes.ForeignSigner(pki.key_path(label), pki.cert_der(label), (pki.cert_der("interm"),))
               for label in ("signer-ec256", "org-seal")]
    signed = shapes.foreign_signed_pdf(decree30_pdf(tmp_path / "qd.pdf"), tmp_path / "da-ky-noi-khac.pdf", signers)
    result = run_preflight(signed, catalogue=CATALOGUE, role=role)
    complete = [f for f in result.findings if f.code is FindingCode.SIGNATURES_COMPLETE]
    assert complete and complete[0].overridable and not result.signable
    assert result.plan is not None and result.plan.kind.value == kind
    assert not [f for f in result.blocking(COMPLETE) if f.code is not FindingCode.ROLE_MISSING]


@pytest.mark.hsm
@pytest.mark.pki
def test_cli_reads_the_open_password_before_the_pin_and_keeps_it_nowhere(run_kyso, hsm, trust_dir, tmp_path,
                                                                         document, kyso_home):
    password = "Bí-mật-9731"
    protected = shapes.password_pdf(document, tmp_path / "mat-khau.pdf", user=password, owner="chu")  # AES-256
    legacy = encrypted_pdf(document, tmp_path / "cu.pdf", user_password="mo-tep")  # AES-128: PDFDocEncoding only
    assert run_preflight(legacy, catalogue=CATALOGUE, password=password).facts.closed_by == "PDF_PASSWORD_WRONG"
    args = ("sign", str(protected), "--module", hsm.module, "--token", "KYSO-RSA", "--key-id",
            hsm.key_id("signer-rsa2048").hex(), "--pin-stdin", "--password-stdin", "--trust", str(trust_dir),
            "--kind", "invisible", "--role", "vien-truong", "--level", "B-B", "--accept-warnings", "--json")
    result = run_kyso(*args, pin=f"{password}\n{hsm.pin}")
    assert result.returncode == 0, result.stdout
    entry = json.loads(result.stdout)["files"][0]
    assert entry["ok"] and entry["preflight"]["type"].startswith("Quyết định")
    assert password not in result.stdout + result.stderr
    for path in kyso_home.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path
    wrong = run_kyso(*args[:-1], pin=f"sai\n{hsm.pin}")
    assert wrong.returncode == 1 and "PREFLIGHT_PASSWORD_WRONG" in wrong.stdout


@pytest.mark.hsm
def test_kyso_check_opens_a_protected_document_with_the_password(run_kyso, tmp_path, document):
    protected = encrypted_pdf(document, tmp_path / "mat-khau.pdf", user_password="mo-tep")
    result = run_kyso("check", str(protected), "--role", "vien-truong", "--password-stdin", "--json", pin="mo-tep")
    (entry,) = json.loads(result.stdout)["files"]
    assert entry["type"].startswith("Quyết định") and entry["ok"], entry
    closed = run_kyso("check", str(protected), "--role", "vien-truong", "--json")
    (entry,) = json.loads(closed.stdout)["files"]
    assert [f["code"] for f in entry["findings"]][:1] == ["PREFLIGHT_PASSWORD_REQUIRED"]
