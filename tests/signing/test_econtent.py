"""A CMS with encapsulated content (eContent) in a PDF signature, as some tools write it: kyso's
inspection reads past it; verification gives the verdict "invalid" (a CMS kyso cannot check), not an error."""

from __future__ import annotations

import asyncio

import pytest

from signing.inspect import inspect_document
from tests.support import pdf_shapes as shapes
from tests.support.documents import decree30_pdf

pytestmark = [pytest.mark.pki]


@pytest.fixture
def econtent_pdf(tmp_path, pki):
    signer = shapes.ForeignSigner(pki.key_path("signer-rsa2048"), pki.cert_der("signer-rsa2048"),
                                  (pki.cert_der("interm"),))
    signed = shapes.foreign_signed_pdf(decree30_pdf(tmp_path / "goc.pdf"), tmp_path / "da-ky.pdf", [signer])
    return shapes.econtent_signed_pdf(signed, tmp_path / "econtent.pdf")


def test_inspection_reads_a_signature_with_econtent(econtent_pdf):
    (signature,) = inspect_document(econtent_pdf).signatures
    assert signature.signer == "Nguyễn Văn An"


def test_verification_gives_a_verdict_not_an_error(econtent_pdf, trust_dir):
    from signing.trust import TrustStore
    from signing.verify import Problem, verify_document

    result = asyncio.run(verify_document(econtent_pdf, trust=TrustStore.load(extra_dirs=(trust_dir,)),
                                         allow_fetching=False))
    (signature,) = result.signatures
    assert signature.verdict == "invalid" and signature.problems == (Problem.CMS,)
    assert signature.sub_indication == "FORMAT_FAILURE"
