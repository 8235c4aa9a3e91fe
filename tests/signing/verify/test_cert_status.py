"""Verdicts for a revoked and an expired signer certificate, with and without a signature
timestamp (issue 14): what the file proves about the signing time decides.

The test PKI's signer-revoked was revoked 10 days ago, signer-expired expired 30 days ago; both
sign now (pyhanko directly, as a foreign tool would: kyso itself refuses such a certificate)."""

from __future__ import annotations

import asyncio
import io

import pytest

from signing.trust import TrustStore
from signing.verify import Problem, Verdict, verify_document
from tests.support import attacks
from tests.support.documents import decree30_pdf


def _sign(pki, source: bytes, label: str, *, timestamp: bool) -> bytes:
    from pyhanko.sign import fields, signers, timestamps

    meta = signers.PdfSignatureMetadata(field_name="Chu ky", subfilter=fields.SigSeedSubFilter.PADES)
    signer = attacks._simple_signer(pki.key_path(label), pki.cert_der(label), (pki.cert_der("interm"),))
    stamper = timestamps.HTTPTimeStamper(pki.tsa_url) if timestamp else None
    out = io.BytesIO()
    signers.PdfSigner(meta, signer, timestamper=stamper,
                      new_field_spec=fields.SigFieldSpec("Chu ky", box=(60, 60, 260, 120))
                      ).sign_pdf(attacks._writer(source), output=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> bytes:
    return decree30_pdf(tmp_path_factory.mktemp("status") / "quyet-dinh.pdf").read_bytes()


def _verify(tmp_path, data: bytes, trust_dir, *, offline: bool):
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    trust = TrustStore.load(extra_dirs=[trust_dir], include_shipped=False)
    document = asyncio.run(verify_document(path, trust=trust, allow_fetching=not offline))
    assert len(document.signatures) == 1
    return document.signatures[0]


def test_revoked_before_the_timestamp_is_invalid(plain, pki, trust_dir, tmp_path):
    """Revoked 10 days before the signature timestamp (made now): TOTAL-FAILED, REVOKED."""
    sig = _verify(tmp_path, _sign(pki, plain, "signer-revoked", timestamp=True), trust_dir, offline=False)
    assert sig.intact
    assert sig.verdict is Verdict.INVALID
    assert Problem.REVOKED in sig.problems
    assert sig.sub_indication == "REVOKED"


def test_revoked_with_only_a_claimed_time_is_indeterminate(plain, pki, trust_dir, tmp_path):
    """Revoked, no timestamp: nothing proves when it was signed — INDETERMINATE, REVOKED_NO_POE
    (ETSI EN 319 102-1; past validation: test_past_validation.py)."""
    sig = _verify(tmp_path, _sign(pki, plain, "signer-revoked", timestamp=False), trust_dir, offline=False)
    assert sig.intact
    assert sig.verdict is Verdict.INDETERMINATE
    assert sig.problems == (Problem.REVOKED_NO_POE,)
    assert sig.sub_indication == "REVOKED_NO_POE"


@pytest.mark.parametrize("timestamp", [False, True], ids=["no-timestamp", "timestamp"])
def test_revoked_signer_offline_is_never_valid(timestamp, plain, pki, trust_dir, tmp_path):
    """Offline, with no revocation data in the file, the revocation cannot be seen: never VALID."""
    sig = _verify(tmp_path, _sign(pki, plain, "signer-revoked", timestamp=timestamp), trust_dir, offline=True)
    assert sig.verdict is not Verdict.VALID
    assert {Problem.REVOCATION_UNKNOWN, Problem.REVOKED, Problem.REVOKED_NO_POE} & set(sig.problems)


@pytest.mark.parametrize("timestamp", [False, True], ids=["no-timestamp", "timestamp"])
def test_signed_after_expiry_is_invalid(timestamp, plain, pki, trust_dir, tmp_path):
    """Signed (claimed or timestamped) 30 days after the certificate expired: NOT_YET_VALID_OR_EXPIRED."""
    for offline in (False, True):
        sig = _verify(tmp_path, _sign(pki, plain, "signer-expired", timestamp=timestamp), trust_dir, offline=offline)
        assert sig.intact
        assert not sig.cert_valid_at_signing
        assert sig.verdict is Verdict.INVALID
        assert Problem.EXPIRED_AT_SIGNING in sig.problems
        assert sig.sub_indication == "NOT_YET_VALID_OR_EXPIRED"
        if timestamp:
            assert sig.timestamp_time is not None


def test_revoked_after_a_claimed_signing_time_is_never_valid(plain, pki, trust_dir, tmp_path, monkeypatch):
    """The signer claims (/M, no timestamp) a time 20 days ago, before the revocation 10 days ago:
    a claim is no proof of when it was signed (ETSI: no proof of existence before the revocation),
    so the revocation still decides against it — never VALID, the revocation named (no POE)."""
    from datetime import datetime, timedelta

    from pyhanko.sign.signers import pdf_signer

    class _Backdated(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) - timedelta(days=20)

    monkeypatch.setattr(pdf_signer, "datetime", _Backdated)
    data = _sign(pki, plain, "signer-revoked", timestamp=False)
    monkeypatch.undo()
    sig = _verify(tmp_path, data, trust_dir, offline=False)
    assert sig.signing_time is not None and sig.signing_time < datetime.now(sig.signing_time.tzinfo) - timedelta(days=15)
    assert sig.timestamp_time is None
    assert sig.verdict is Verdict.INDETERMINATE
    assert Problem.REVOKED_NO_POE in sig.problems
