"""Every class of real-world PDF that broke signing: each either signs cleanly — every page drawn
the same before and after, every signature (earlier ones included) valid in pyhanko and pdfsig —
or is refused with its exact code, and never with SIGN_INTERNAL.

All the classes are signed in one job (one login), as a user would sign a folder of received
documents: invisible signatures, so that every page must come out identical pixel for pixel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from app.catalogue import load_catalogue
from app.sign_plan import PreflightOptions
from signing.appearance import AppearanceSpec
from signing.engine import SignOptions
from tests.support import pdf_shapes as shapes
from tests.support.documents import decree30_pdf
from tests.support.signing import Passwords, sign_files
from tests.support.validators import page_images, pdfsig, pyhanko_validate

pytestmark = [pytest.mark.hsm, pytest.mark.pki]

OPEN_PASSWORD = "Mật-khẩu 2026"
PRINT_ONLY = 0xFFFFF0C4  # /P: printing only, the reserved bits set (ISO 32000-2 Table 22)


@dataclass(frozen=True)
class Case:
    path: Path
    expected: str | None  # None: signed
    password: str | None = None
    signatures_before: int = 0


def _foreign(pki, label: str, **kwargs) -> shapes.ForeignSigner:
    return shapes.ForeignSigner(pki.key_path(label), pki.cert_der(label), (pki.cert_der("interm"),), **kwargs)


def _cases(folder: Path, pki) -> dict[str, Case]:
    base = decree30_pdf(folder / "goc.pdf")
    two_pages = decree30_pdf(folder / "goc-2-trang.pdf", pages=2)
    recipient = pki.cert_der("signer-nosign")  # the test PKI's key-encipherment certificate
    return {
        "size-short-by-1": Case(shapes.short_size_pdf(base, folder / "size-1.pdf", by=1), None),
        "size-short-by-5": Case(shapes.short_size_pdf(two_pages, folder / "size-5.pdf", by=5), None),
        "size-short-by-all": Case(shapes.short_size_pdf(base, folder / "size-all.pdf", by=1000), None),
        "need-appearances": Case(shapes.need_appearances_form_pdf(folder / "form.pdf"), None),
        "need-appearances-stale": Case(shapes.need_appearances_form_pdf(folder / "form-stale.pdf", stale=True),
                                       None),
        "need-appearances-indirect": Case(
            shapes.need_appearances_form_pdf(folder / "form-indirect.pdf", indirect=True, stale=True), None),
        "indirect-entries": Case(shapes.indirect_entries_pdf(folder / "indirect.pdf"), None),
        "reader-extended-indirect-perms": Case(shapes.reader_extended_pdf(folder / "ur3.pdf"), None),
        "page-tree-50-deep": Case(shapes.deep_page_tree_pdf(folder / "deep-50.pdf", depth=50), None),
        "page-tree-300-deep": Case(shapes.deep_page_tree_pdf(folder / "deep-300.pdf", depth=300),
                                   "PDF_STRUCTURE_UNSUPPORTED"),
        "page-tree-cyclic": Case(shapes.cyclic_page_tree_pdf(folder / "cyclic.pdf"), "PDF_DAMAGED"),
        "brotli-content": Case(shapes.odd_filter_pdf(folder / "brotli.pdf", where="content"), None),
        "unknown-filter-metadata": Case(
            shapes.odd_filter_pdf(folder / "odd-meta.pdf", where="metadata", name=b"/KysoUnknownDecode"), None),
        "unreadable-xmp": Case(shapes.unreadable_metadata_pdf(folder / "xmp.pdf"), None),
        **{f"empty-user-password-{algorithm}": Case(
            shapes.password_pdf(base, folder / f"rong-{algorithm}.pdf", user="", owner="chu", algorithm=algorithm),
            None) for algorithm in ("RC4-40", "RC4-128", "AES-128", "AES-256")},
        "open-password": Case(shapes.password_pdf(base, folder / "mat-khau.pdf", user=OPEN_PASSWORD, owner="chu"),
                              None, password=OPEN_PASSWORD),
        "open-password-not-given": Case(
            shapes.password_pdf(base, folder / "khong-co-mat-khau.pdf", user="khac", owner="chu"),
            "PREFLIGHT_PASSWORD_REQUIRED"),
        "open-password-wrong": Case(
            shapes.password_pdf(base, folder / "sai-mat-khau.pdf", user="dung", owner="chu"),
            "PREFLIGHT_PASSWORD_WRONG", password="sai"),
        "open-password-print-only": Case(
            shapes.password_pdf(base, folder / "chi-in.pdf", user="in", owner="chu", permissions=PRINT_ONLY),
            "PREFLIGHT_ENCRYPTED_NO_PERMISSION", password="in"),
        "certificate-encrypted": Case(
            shapes.certificate_encrypted_pdf(base, folder / "chung-thu.pdf", recipient_der=recipient),
            "PREFLIGHT_ENCRYPTED_CERTIFICATE"),
        "foreign-2-signatures": Case(shapes.foreign_signed_pdf(base, folder / "hai-chu-ky.pdf", [
            _foreign(pki, "signer-ec384", md="sha384"),
            _foreign(pki, "signer-rsa3072", subfilter="pkcs7", pss=True),
        ]), None, signatures_before=2),
        "foreign-3-signatures": Case(shapes.foreign_signed_pdf(two_pages, folder / "ba-chu-ky.pdf", [
            _foreign(pki, "signer-ec256", subfilter="pkcs7"),
            _foreign(pki, "signer-rsa2048", md="sha512", visible=False),
            _foreign(pki, "org-seal"),
        ]), None, signatures_before=3),
    }


@pytest.fixture(scope="module")
def signed_classes(hsm, pki, trust_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("real-shapes")
    cases = _cases(folder, pki)
    assert tuple(cases) == CASE_NAMES
    before = {name: case.path.read_bytes() for name, case in cases.items()}
    preflight = PreflightOptions(
        catalogue=load_catalogue().catalogue, declared_type="Quyết định", role="vien-truong",
        overrides=frozenset({"PREFLIGHT_SIGNATURES_COMPLETE"}),
    )
    passwords = Passwords({case.path.name: case.password for case in cases.values() if case.password})
    out = folder / "da-ky"
    out.mkdir()
    report = sign_files(hsm, [case.path for case in cases.values()], trust_dir=trust_dir, out_dir=out,
                        options=SignOptions(appearance=AppearanceSpec()), preflight=preflight, passwords=passwords)
    outcomes = {outcome.source: outcome for outcome in report.outcomes}
    return cases, {name: outcomes[case.path] for name, case in cases.items()}, before


CASE_NAMES = (  # the classes _cases makes (a test checks the two agree)
        "size-short-by-1", "size-short-by-5", "size-short-by-all", "need-appearances", "need-appearances-stale",
        "need-appearances-indirect", "indirect-entries", "reader-extended-indirect-perms", "page-tree-50-deep",
        "page-tree-300-deep", "page-tree-cyclic", "brotli-content", "unknown-filter-metadata", "unreadable-xmp",
        "empty-user-password-RC4-40", "empty-user-password-RC4-128", "empty-user-password-AES-128",
        "empty-user-password-AES-256", "open-password", "open-password-not-given", "open-password-wrong",
        "open-password-print-only", "certificate-encrypted", "foreign-2-signatures", "foreign-3-signatures",
)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_each_class_signs_cleanly_or_is_refused_with_its_code(name, signed_classes, pki, nss):
    cases, outcomes, before = signed_classes
    case, outcome = cases[name], outcomes[name]
    assert case.path.read_bytes() == before[name], "the input is never modified"
    if case.expected is not None:
        assert (outcome.error_code, outcome.output) == (case.expected, None)
        return
    assert outcome.ok, (outcome.error_code, outcome.error_params)
    signed = outcome.output
    password = case.password
    assert page_images(signed, password=password) == page_images(case.path, password=password)
    statuses = pyhanko_validate(signed, pki.cert_der("root"), [pki.cert_der("interm")], password=password,
                                fetch=False)
    assert [s.intact and s.valid for s in statuses] == [True] * (case.signatures_before + 1)
    view = pdfsig(signed, nss, password=password)
    signed_fields = [s.validation for s in view if s.validation]  # pdfsig also lists empty fields
    assert signed_fields == ["Signature is Valid."] * (case.signatures_before + 1)


def test_encrypted_inputs_stay_encrypted(signed_classes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    cases, outcomes, _ = signed_classes
    for name in ("open-password", "empty-user-password-AES-256", "empty-user-password-RC4-40"):
        with open(outcomes[name].output, "rb") as handle:
            reader = PdfFileReader(handle, strict=False)
            assert reader.encrypted, name
            assert reader.decrypt(cases[name].password or "").status.name in ("USER", "OWNER")


def test_the_open_password_is_asked_again_after_a_wrong_one_and_never_kept(signed_classes):
    _, outcomes, _ = signed_classes
    wrong = outcomes["open-password-wrong"]
    assert wrong.plan is not None and wrong.plan.password is None
    assert "sai" not in repr(outcomes["open-password"].plan)
