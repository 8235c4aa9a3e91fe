"""The signer's certificate is checked before signing; errors cannot be accepted away."""

from __future__ import annotations

import pytest

from signing.certcheck import RevocationStatus
from signing.errors import SigningError, SigningErrorCode
from tests.support.signing import AcceptAll, FixedPin, RefuseAll, sign_files

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("signer-expired", SigningErrorCode.CERT_EXPIRED),
        ("signer-future", SigningErrorCode.CERT_NOT_YET_VALID),
        ("signer-revoked", SigningErrorCode.CERT_REVOKED),
        ("signer-nosign", SigningErrorCode.CERT_KEY_USAGE),
    ],
)
def test_unusable_certificate_is_refused_before_any_pin(key, code, hsm, trust_dir, document):
    prompter = FixedPin(hsm.pin)
    with pytest.raises(SigningError) as caught:
        sign_files(hsm, [document], key=key, trust_dir=trust_dir, prompter=prompter,
                   acceptor=AcceptAll())
    assert caught.value.code is code
    assert prompter.requests == [], "no PIN may be risked for a certificate that cannot sign"
    assert not document.with_name("quyet-dinh.signed.pdf").exists()


def test_untrusted_chain_is_an_error(hsm, tmp_path, document):
    empty_trust = tmp_path / "trust"
    empty_trust.mkdir()
    with pytest.raises(SigningError) as caught:
        sign_files(hsm, [document], trust_dir=empty_trust, acceptor=AcceptAll())
    assert caught.value.code is SigningErrorCode.CERT_UNTRUSTED


def test_unknown_revocation_is_a_warning_that_must_be_accepted(hsm, trust_dir, document):
    refusing = RefuseAll()
    with pytest.raises(SigningError) as caught:
        sign_files(hsm, [document], key="signer-norev", trust_dir=trust_dir, acceptor=refusing)
    assert caught.value.code is SigningErrorCode.WARNINGS_NOT_ACCEPTED
    assert [f.code for f in refusing.seen] == [SigningErrorCode.REVOCATION_UNKNOWN]

    accepting = AcceptAll()
    report = sign_files(hsm, [document], key="signer-norev", trust_dir=trust_dir, acceptor=accepting)
    assert report.all_ok
    assert report.certificate.revocation is RevocationStatus.UNKNOWN
    assert [f.code for f in accepting.seen] == [SigningErrorCode.REVOCATION_UNKNOWN]


def test_good_certificate_reports_its_path_and_status(hsm, pki, trust_dir, document):
    report = sign_files(hsm, [document], trust_dir=trust_dir)
    cert = report.certificate
    assert cert.revocation is RevocationStatus.GOOD
    assert cert.findings == ()
    assert cert.path == (pki.cert_der("signer-rsa2048"), pki.cert_der("interm"), pki.cert_der("root"))
    assert "Nguyễn Văn An" in cert.subject
