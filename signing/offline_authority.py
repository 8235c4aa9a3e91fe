"""An authority answered in process: OCSP for the certificates one CA issued, and RFC 3161
timestamps, with no network at all (a workshop's training PKI; see docs/practice.md).

It plugs in where the real services do (signing/network.py): the certificate check, the B-LT
validation context and the engine's timestamper ask it exactly as they would ask a CA's
servers, so the same code reaches B-T and B-LT in practice as in production. Modelled on
certomancer's in-process responders and pyhanko's `DummyTimeStamper` (which is RSA-only and
carries a fixed policy; here ECDSA keys work and the policy is our practice one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.fetchers.api import (
    CertificateFetcher,
    CRLFetcher,
    FetcherBackend,
    Fetchers,
    OCSPFetcher,
)

from .practice_mark import PRACTICE_TSA_POLICY_OID

__all__ = ["OfflineAuthority"]

_ANSWER_VALID_FOR = timedelta(days=1)


@dataclass(frozen=True)
class OfflineAuthority:
    """One issuing CA (which also signs its OCSP answers) and one TSA, both held in memory."""

    issuer_certificate: bytes  # DER of the CA that issued the end-entity certificates
    issuer_key: bytes  # its private key, PKCS#8 DER
    tsa_certificate: bytes
    tsa_key: bytes
    tsa_chain: tuple[bytes, ...] = ()  # certificates embedded with each timestamp (the TSA's issuer)
    revoked: Mapping[int, datetime] = field(default_factory=dict)  # serial → revocation time
    tsa_policy: str = PRACTICE_TSA_POLICY_OID

    def fetcher_backend(self, *, timeout: float) -> FetcherBackend:
        return _Backend(self)

    def timestamper(self, url: str, *, timeout: float) -> Any:
        from asn1crypto import keys, x509

        return _LocalTimeStamper(
            x509.Certificate.load(self.tsa_certificate),
            keys.PrivateKeyInfo.load(self.tsa_key),
            certs_to_embed=[x509.Certificate.load(der) for der in self.tsa_chain],
            policy=self.tsa_policy,
        )

    def ocsp_response(self, certificate: bytes) -> bytes:
        """A signed OCSP answer (DER) for a certificate this CA issued: good, or revoked."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.x509 import ocsp

        cert = x509.load_der_x509_certificate(certificate)
        issuer = x509.load_der_x509_certificate(self.issuer_certificate)
        key = serialization.load_der_private_key(self.issuer_key, password=None)
        now = datetime.now(UTC).replace(microsecond=0)
        revoked_at = self.revoked.get(cert.serial_number)
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=cert, issuer=issuer, algorithm=hashes.SHA1(),
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD,
            this_update=now - timedelta(seconds=5), next_update=now + _ANSWER_VALID_FOR,
            revocation_time=revoked_at.replace(tzinfo=None) if revoked_at else None,
            revocation_reason=x509.ReasonFlags.unspecified if revoked_at else None,
        ).responder_id(ocsp.OCSPResponderEncoding.HASH, issuer)
        return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


class _Backend(FetcherBackend):
    def __init__(self, authority: OfflineAuthority) -> None:
        self._fetchers = Fetchers(_OcspAnswers(authority), _NoCrls(), _NoCertificates())

    def get_fetchers(self) -> Fetchers:
        return self._fetchers

    async def close(self) -> None:
        return None


class _OcspAnswers(OCSPFetcher):
    """Answers for certificates the authority issued; any other certificate gets none."""

    def __init__(self, authority: OfflineAuthority) -> None:
        self._authority = authority
        self._answers: dict[tuple, Any] = {}

    async def fetch(self, cert, authority) -> Any:
        from asn1crypto import ocsp, x509
        from pyhanko_certvalidator.errors import OCSPFetchError
        from pyhanko_certvalidator.util import issuer_serial

        issuer = x509.Certificate.load(self._authority.issuer_certificate)
        if not isinstance(cert, x509.Certificate) or cert.issuer != issuer.subject:
            raise OCSPFetchError("not a certificate of this authority")
        answer = ocsp.OCSPResponse.load(self._authority.ocsp_response(cert.dump()))
        self._answers[issuer_serial(cert)] = answer
        return answer

    def fetched_responses(self) -> Iterable[Any]:
        return list(self._answers.values())

    def fetched_responses_for_cert(self, cert) -> Iterable[Any]:
        from pyhanko_certvalidator.util import issuer_serial

        answer = self._answers.get(issuer_serial(cert))
        return [answer] if answer is not None else []


class _NoCrls(CRLFetcher):
    async def fetch(self, cert, *, use_deltas=None) -> Iterable[Any]:
        return []

    def fetched_crls(self) -> Iterable[Any]:
        return []

    def fetched_crls_for_cert(self, cert) -> Iterable[Any]:
        return []


class _NoCertificates(CertificateFetcher):
    async def fetch_cert_issuers(self, cert):  # an async generator that yields nothing
        return
        yield

    async def fetch_crl_issuers(self, certificate_list):
        return
        yield

    def fetched_certs(self) -> Iterable[Any]:
        return []


class _LocalTimeStamper(DummyTimeStamper):
    """pyhanko's in-process TSA with our policy, signing with an ECDSA key as well as RSA."""

    def __init__(self, tsa_cert, tsa_key, *, certs_to_embed, policy: str) -> None:
        super().__init__(tsa_cert, tsa_key, certs_to_embed=certs_to_embed)
        self._policy = policy

    def _build_tst_info(self, message_imprint, dt, req):
        from asn1crypto import tsp

        info = super()._build_tst_info(message_imprint, dt, req)
        info["policy"] = tsp.ObjectIdentifier(self._policy)
        return info

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: datetime):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        key = serialization.load_der_private_key(self.tsa_key.dump(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            return super()._sign_tst_info(tst_info_data, md_algorithm, dt)
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash

        # the signed attributes pyhanko's RSA path builds, then an ECDSA signature over them
        signed_attrs = _signed_attributes(self, tst_info_data, md_algorithm, dt)
        signature = key.sign(signed_attrs.dump(), ec.ECDSA(get_pyca_cryptography_hash(md_algorithm.upper())))
        return signature, signed_attrs

    def _build_signed_data(self, tst_info_data, md_algorithm, signature, signed_attrs) -> dict:
        from asn1crypto import algos

        data = super()._build_signed_data(tst_info_data, md_algorithm, signature, signed_attrs)
        if self.tsa_key.algorithm == "ec":
            data["signer_infos"][0]["signature_algorithm"] = algos.SignedDigestAlgorithm(
                {"algorithm": f"{md_algorithm}_ecdsa"}
            )
        return data


def _signed_attributes(stamper: DummyTimeStamper, tst_info_data: bytes, md_algorithm: str, dt: datetime):
    from asn1crypto import cms, core
    from cryptography.hazmat.primitives import hashes
    from pyhanko.sign import general
    from pyhanko.sign.general import simple_cms_attribute
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
    digest.update(tst_info_data)
    return cms.CMSAttributes([
        simple_cms_attribute("content_type", "tst_info"),
        simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
        simple_cms_attribute("signing_certificate", general.as_signing_certificate(stamper.tsa_cert)),
        simple_cms_attribute("message_digest", digest.finalize()),
    ])
