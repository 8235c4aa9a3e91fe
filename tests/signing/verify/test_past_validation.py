"""Indeterminate vs invalid over time (ETSI EN 319 102-1 past signature validation), with the test
PKI's revoked and expired signers and signatures made "in the past": the claimed signing time and
the signature timestamp set to a moment before (or after) the revocation or the expiry, the
timestamps and revocation data issued by the test PKI's own TSA, OCSP responder and CA keys at
that moment (certomancer).

- revoked AFTER a timestamp proves the signature existed → valid (the POE settles it);
- revoked BEFORE the timestamp → invalid (REVOKED);
- revoked, no timestamp → indeterminate (REVOKED_NO_POE);
- expired since, with LTV data (DSS with revocation data + a document timestamp made while the
  certificate was valid) → valid; without → indeterminate (OUT_OF_BOUNDS_NO_POE).

Each case is also put to pyhanko's validator and pdfsig in the same test; where they differ from
kyso is asserted and said (docs/verification.md).
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest

from signing.trust import TrustStore
from signing.verify import Verdict, verify_document
from tests.support.documents import decree30_pdf
from tests.support.validators import pdfsig, pyhanko_validate

pytestmark = [pytest.mark.pki]


def _load_key(path: Path):
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return keys.PrivateKeyInfo.load(private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))


def _timestamper(pki, when: datetime):
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    return DummyTimeStamper(tsa_cert=pki.cert("tsa"), tsa_key=_load_key(pki.key_path("tsa")), fixed_dt=when)


def _sign(pki, source: bytes, label: str, *, when: datetime, timestamp: bool) -> bytes:
    """A PAdES signature by `label` claimed at `when`, its timestamp (if any) made at `when`."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import PdfSigningSession
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = signers.SimpleSigner(signing_cert=pki.cert(label), signing_key=_load_key(pki.key_path(label)),
                                  cert_registry=SimpleCertificateStore.from_certs([pki.cert("interm")]))
    meta = signers.PdfSignatureMetadata(field_name="Chu ky", subfilter=fields.SigSeedSubFilter.PADES)
    original = PdfSigningSession.__init__

    def at_when(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.system_time = when

    out = io.BytesIO()
    with mock.patch.object(PdfSigningSession, "__init__", at_when):
        signers.PdfSigner(meta, signer, timestamper=_timestamper(pki, when) if timestamp else None,
                          new_field_spec=fields.SigFieldSpec("Chu ky", box=(60, 60, 260, 120))).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(source), strict=False), output=out)
    return out.getvalue()


def _ltv_at(pki, signed: bytes, label: str, *, when: datetime) -> bytes:
    """What `kyso extend` adds, done at `when`: the chain and the CRLs of that moment in the DSS,
    then a document timestamp made at `when`."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    registry = pki.arch.service_registry
    crls = [registry.get_crl(repo, at_time=when) for repo in ("interm", "root")]
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, certs=[pki.cert(c) for c in (label, "interm", "root", "tsa")],
                                               crls=crls)
    with_dss = io.BytesIO()
    writer.write(with_dss)
    out = io.BytesIO()
    PdfTimeStamper(_timestamper(pki, when + timedelta(minutes=5))).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(with_dss.getvalue()), strict=False), "sha256", output=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> bytes:
    return decree30_pdf(tmp_path_factory.mktemp("past") / "quyet-dinh.pdf").read_bytes()


def _revoked_at(pki) -> datetime:
    return pki.arch.get_cert_spec("signer-revoked").revocation.revoked_since


def _expired_at(pki) -> datetime:
    return pki.cert("signer-expired").not_valid_after


def _kyso(path: Path, trust_dir: Path):
    (signature,) = asyncio.run(verify_document(path, trust=TrustStore.load(extra_dirs=[trust_dir]))).signatures
    return signature


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return path


def _peers(path: Path, pki, nss):
    """pyhanko's validator (at "now", with fetching) and pdfsig, on the signature (not a document
    timestamp)."""
    (status,) = pyhanko_validate(path, pki.cert_der("root"))
    view = next(v for v in pdfsig(path, nss) if v.field == "Chu ky")
    return status, view


TRUSTED = "Certificate is Trusted."


def test_revoked_after_a_timestamp_that_proves_the_signature_existed_is_valid(pki, trust_dir, nss, plain, tmp_path):
    path = _write(tmp_path, "thu-hoi-sau", _sign(pki, plain, "signer-revoked", timestamp=True,
                                                 when=_revoked_at(pki) - timedelta(days=3)))
    signature = _kyso(path, trust_dir)
    assert (signature.verdict, signature.indication.value, signature.sub_indication) == (Verdict.VALID, "TOTAL-PASSED", None)
    status, view = _peers(path, pki, nss)
    # pyhanko's plain validation does not use the timestamp as a POE: "revoked, no POE" for all three
    assert status.intact and status.revoked and status.trust_problem_indic.name == "REVOKED_NO_POE"
    # pdfsig does not take the revocation as a proven-later event either: not trusted
    assert view.validation == "Signature is Valid." and view.certificate != TRUSTED


def test_revoked_before_the_timestamp_is_invalid(pki, trust_dir, nss, plain, tmp_path):
    path = _write(tmp_path, "thu-hoi-truoc", _sign(pki, plain, "signer-revoked", timestamp=True,
                                                   when=_revoked_at(pki) + timedelta(days=3)))
    signature = _kyso(path, trust_dir)
    assert (signature.verdict, signature.sub_indication) == (Verdict.INVALID, "REVOKED")
    status, view = _peers(path, pki, nss)
    assert status.revoked and view.certificate != TRUSTED  # all three refuse it


def test_revoked_without_a_timestamp_is_indeterminate(pki, trust_dir, nss, plain, tmp_path):
    path = _write(tmp_path, "thu-hoi-khong-dau", _sign(pki, plain, "signer-revoked", timestamp=False,
                                                       when=_revoked_at(pki) - timedelta(days=3)))
    signature = _kyso(path, trust_dir)
    assert (signature.verdict, signature.indication.value, signature.sub_indication) == (
        Verdict.INDETERMINATE, "INDETERMINATE", "REVOKED_NO_POE")
    from app.i18n import message

    assert "không có dấu thời gian" in message("SUBIND_REVOKED_NO_POE", "vi")
    status, view = _peers(path, pki, nss)
    assert status.revoked and view.certificate != TRUSTED  # both: revoked, no "cannot tell yet"


def test_expired_with_ltv_data_made_while_valid_is_valid(pki, trust_dir, nss, plain, tmp_path):
    when = _expired_at(pki) - timedelta(days=20)
    signed = _sign(pki, plain, "signer-expired", timestamp=True, when=when)
    path = _write(tmp_path, "het-han-ltv", _ltv_at(pki, signed, "signer-expired", when=when + timedelta(hours=1)))
    verified = asyncio.run(verify_document(path, trust=TrustStore.load(extra_dirs=[trust_dir])))
    (signature,) = [s for s in verified.signatures if not s.document_timestamp]
    assert (signature.verdict, signature.indication.value) == (Verdict.VALID, "TOTAL-PASSED"), signature.problems
    assert signature.level.value == "B-LTA"
    status, view = _peers(path, pki, nss)
    # pyhanko's plain validation: expired at "now", the DSS and the document timestamp not used
    assert status.intact and not status.trusted and status.trust_problem_indic.name == "OUT_OF_BOUNDS_NO_POE"
    assert view.certificate != TRUSTED  # pdfsig validates at "now" too


def test_expired_without_ltv_data_is_indeterminate(pki, trust_dir, nss, plain, tmp_path):
    path = _write(tmp_path, "het-han", _sign(pki, plain, "signer-expired", timestamp=True,
                                             when=_expired_at(pki) - timedelta(days=20)))
    signature = _kyso(path, trust_dir)
    assert (signature.verdict, signature.indication.value, signature.sub_indication) == (
        Verdict.INDETERMINATE, "INDETERMINATE", "OUT_OF_BOUNDS_NO_POE")
    from app.i18n import message

    assert "hết hạn" in message("SUBIND_OUT_OF_BOUNDS_NO_POE", "vi")
    status, view = _peers(path, pki, nss)
    assert status.intact and not status.trusted and view.certificate != TRUSTED
