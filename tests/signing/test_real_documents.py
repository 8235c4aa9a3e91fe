"""A small corpus of real-world PDFs nobody here wrote (tests/data/realworld, sources and licence
in tests/data/README.md): each is signed — every page drawn the same before and after, every
signature valid in pyhanko and pdfsig — or refused with its exact code. One job for all of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.catalogue import load_catalogue
from app.sign_plan import PreflightOptions
from signing.appearance import AppearanceSpec
from signing.engine import SignOptions
from tests.support.signing import Passwords, sign_files
from tests.support.validators import page_images, pdfsig, pyhanko_validate

pytestmark = [pytest.mark.hsm, pytest.mark.pki]

CORPUS = Path(__file__).resolve().parents[1] / "data" / "realworld"

# file → (expected refusal or None when signed, its open password)
EXPECTED: dict[str, tuple[str | None, str | None]] = {
    "libreoffice-form.pdf": (None, None),  # LibreOffice form: /NeedAppearances, stale appearances
    "FormTestFromOo.pdf": (None, None),
    "pdflatex-forms.pdf": (None, None),
    "form_evince.pdf": (None, None),
    "form_acrobatReader.pdf": ("PDF_DAMAGED", None),  # its xref stream's deflate data is truncated
    "issue-297.pdf": ("PDF_DAMAGED", None),  # no usable cross-reference table (viewers rebuild it)
    "commented-xmp.pdf": (None, None),
    "metadata.pdf": (None, None),
    "imagemagick-CCITTFaxDecode.pdf": (None, None),
    "imagemagick-lzw.pdf": (None, None),
    "imagemagick-ASCII85Decode.pdf": (None, None),
    "jpeg.pdf": (None, None),
    "indirect-rotation.pdf": (None, None),
    "Seige_of_Vicksburg_Sample_OCR.pdf": (None, None),  # a scan with an OCR text layer
    "attachment.pdf": (None, None),
    "two-different-pages.pdf": (None, None),
    "inkscape-abc.pdf": (None, None),
    "AutoCad_Simple.pdf": (None, None),
    "crazyones.pdf": (None, None),
    "reportlab-inline-image.pdf": (None, None),
    "crazyones-encrypted-256.pdf": (None, "password"),
    "libreoffice-writer-password.pdf": (None, "openpassword"),
    "encrypted_doc_no_id.pdf": ("PREFLIGHT_ENCRYPTED", None),  # encrypted without the /ID its key needs
    "encryption-r2-empty-password.pdf": (None, None),
    "encryption-r4-owner-password.pdf": (None, None),  # only an owner password: opens without asking
    "encryption-r6-empty-password.pdf": (None, None),
    "encryption-r6-user-password.pdf": (None, "asdfzxcv"),
    "encryption-r4-aes-user-password.pdf": (None, "asdfzxcv"),
}


@pytest.fixture(scope="module")
def signed_corpus(hsm, trust_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    out = folder / "da-ky"
    out.mkdir()
    files = sorted(CORPUS.glob("*.pdf"))
    assert {path.name for path in files} == set(EXPECTED)
    preflight = PreflightOptions(catalogue=load_catalogue().catalogue, declared_type="Quyết định",
                                 role="vien-truong", overrides=frozenset({"PREFLIGHT_SIGNATURES_COMPLETE"}))
    passwords = Passwords({name: password for name, (_, password) in EXPECTED.items() if password})
    report = sign_files(hsm, files, trust_dir=trust_dir, out_dir=out, preflight=preflight, passwords=passwords,
                        options=SignOptions(appearance=AppearanceSpec()))
    return {outcome.source.name: outcome for outcome in report.outcomes}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_document(name, signed_corpus, pki, nss):
    expected, password = EXPECTED[name]
    outcome = signed_corpus[name]
    if expected is not None:
        assert (outcome.error_code, outcome.output) == (expected, None)
        return
    assert outcome.ok, (outcome.error_code, outcome.error_params)
    source, signed = CORPUS / name, outcome.output
    assert page_images(signed, password=password) == page_images(source, password=password)
    statuses = pyhanko_validate(signed, pki.cert_der("root"), [pki.cert_der("interm")], password=password,
                                fetch=False)
    assert statuses and statuses[-1].intact and statuses[-1].valid
    assert all(status.intact and status.valid for status in statuses)
    assert pdfsig(signed, nss, password=password)[-1].validation == "Signature is Valid."
