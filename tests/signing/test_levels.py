"""Each PAdES level, checked by pyhanko, by poppler's pdfsig and by kyso's own verifier."""

from __future__ import annotations

import asyncio

import pytest

from signing.engine import SignOptions
from signing.errors import SigningError, SigningErrorCode
from signing.levels import PadesLevel
from signing.trust import TrustStore
from signing.verify import Verdict, verify_document
from tests.support.signing import sign_files
from tests.support.validators import pdfsig, pyhanko_validate

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


def _verify(path, trust_dir):
    return asyncio.run(verify_document(path, trust=TrustStore.load(extra_dirs=[trust_dir])))


@pytest.mark.parametrize("level", list(PadesLevel))
def test_each_level_is_reached_and_validates(level, hsm, pki, trust_dir, nss, document):
    options = SignOptions(level=level, tsa_url=pki.tsa_url)
    report = sign_files(hsm, [document], trust_dir=trust_dir, options=options)

    outcome = report.outcomes[0]
    assert outcome.ok, outcome.error_code
    assert report.decision.reached is level
    signed = outcome.output
    statuses = pyhanko_validate(signed, pki.cert_der("root"))
    assert len(statuses) == 1
    assert statuses[0].intact and statuses[0].valid and statuses[0].trusted
    assert (statuses[0].timestamp_validity is not None) == level.needs_timestamp
    pdfsig_view = pdfsig(signed, nss)
    assert pdfsig_view[0].validation == "Signature is Valid."
    assert pdfsig_view[0].hash_algorithm == "SHA-256"
    assert pdfsig_view[0].whole_document == (level in (PadesLevel.B_B, PadesLevel.B_T))
    verified = _verify(signed, trust_dir)
    regular = [s for s in verified.signatures if not s.document_timestamp]
    assert regular[0].level is level
    assert all(s.verdict is Verdict.VALID for s in verified.signatures), verified


def test_tsa_down_stops_with_a_clear_error(hsm, trust_dir, document):
    options = SignOptions(level=PadesLevel.B_T, tsa_url="http://127.0.0.1:9/tsa", network_timeout=3)
    with pytest.raises(SigningError) as caught:
        sign_files(hsm, [document], trust_dir=trust_dir, options=options)
    assert caught.value.code is SigningErrorCode.TSA_UNREACHABLE
    assert caught.value.params["url"] == "http://127.0.0.1:9/tsa"
    assert not document.with_name("quyet-dinh.signed.pdf").exists()


def test_tsa_down_with_lower_level_allowed_says_what_it_got(hsm, pki, trust_dir, document):
    options = SignOptions(level=PadesLevel.B_LT, tsa_url="http://127.0.0.1:9/tsa",
                          allow_lower_level=True, network_timeout=3)
    report = sign_files(hsm, [document], trust_dir=trust_dir, options=options)
    assert report.decision.reached is PadesLevel.B_B
    assert SigningErrorCode.TSA_UNREACHABLE in report.decision.shortfalls
    assert report.outcomes[0].signed.level is PadesLevel.B_B
    assert pyhanko_validate(report.outcomes[0].output, pki.cert_der("root"))[0].valid


def test_b_lt_without_revocation_data_is_refused_or_lowered(hsm, pki, trust_dir, document):
    options = SignOptions(level=PadesLevel.B_LT, tsa_url=pki.tsa_url)
    with pytest.raises(SigningError) as caught:
        sign_files(hsm, [document], key="signer-norev", trust_dir=trust_dir, options=options)
    assert caught.value.code is SigningErrorCode.REVINFO_UNAVAILABLE

    lowered = SignOptions(level=PadesLevel.B_LT, tsa_url=pki.tsa_url, allow_lower_level=True)
    report = sign_files(hsm, [document], key="signer-norev", trust_dir=trust_dir, options=lowered)
    assert report.decision.reached is PadesLevel.B_T


@pytest.mark.parametrize("key", ["signer-ocsp", "signer-crl"])
def test_b_lt_with_only_ocsp_or_only_crl(key, hsm, pki, trust_dir, document):
    options = SignOptions(level=PadesLevel.B_LT, tsa_url=pki.tsa_url)
    report = sign_files(hsm, [document], key=key, trust_dir=trust_dir, options=options)
    verified = _verify(report.outcomes[0].output, trust_dir)
    assert verified.signatures[0].level is PadesLevel.B_LT
    assert verified.signatures[0].verdict is Verdict.VALID
