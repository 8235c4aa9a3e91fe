"""A workshop's training PKI, made locally with `cryptography`: a training root, an issuing CA
that also answers OCSP, a time-stamping authority, and one certificate per trainee and per
practice token — every name says "THỰC HÀNH — không có giá trị pháp lý" and every certificate
carries kyso's practice policy (signing/practice_mark.py), so nothing made with it can pass as
real. Keys are ECDSA P-256: as strong as the law asks (DOMAIN.md §4) and a hundred times
quicker to make than RSA, which keeps a 30-trainee pack within seconds.

The training root is written into the pack only. No production trust store ever holds it: the
practice backend trusts it alone, and production code never reads a pack's trust folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from signing.practice_mark import PRACTICE_POLICY_OID

__all__ = ["IssuedCertificate", "PersonSpec", "TrainingPki", "build_training_pki", "PRACTICE_NAME"]

PRACTICE_NAME = "THỰC HÀNH — không có giá trị pháp lý"
_NOTICE = "Chứng thư số THỰC HÀNH — không có giá trị pháp lý. Practice certificate — no legal value."


@dataclass(frozen=True)
class PersonSpec:
    """A certificate to issue: a trainee, the unit's seal, or a deliberately bad one."""

    key: str  # the name the pack gives it ("07", "to-chuc", "het-han"…)
    common_name: str
    title: str | None = None  # X.520 title (2.5.4.12), as official-duty certificates carry it
    organisation: bool = False  # the unit's own certificate (its seal signature)
    expired: bool = False
    not_yet_valid: bool = False
    revoked: bool = False


@dataclass(frozen=True)
class IssuedCertificate:
    spec: PersonSpec
    certificate: bytes  # DER
    private_key: bytes  # PKCS#8 DER
    key_id: bytes  # CKA_ID: the first 8 bytes of the key identifier


@dataclass(frozen=True)
class TrainingPki:
    root: bytes
    ca: bytes
    ca_key: bytes
    tsa: bytes
    tsa_key: bytes
    issued: dict[str, IssuedCertificate]
    revoked: dict[int, datetime] = field(default_factory=dict)  # serial → when


def build_training_pki(*, workshop_id: str, unit: str, people: Sequence[PersonSpec], now: datetime,
                       ocsp_url: str, valid_days: int = 365) -> TrainingPki:
    from cryptography.hazmat.primitives.asymmetric import ec

    root_key, ca_key, tsa_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    start, end = now - timedelta(days=1), now + timedelta(days=valid_days)
    root = _ca_certificate(root_key, root_key, None, _name("kyso GỐC " + PRACTICE_NAME, workshop_id),
                           start, end + timedelta(days=30), path_length=1)
    ca = _ca_certificate(ca_key, root_key, root, _name("CA " + PRACTICE_NAME, workshop_id), start,
                         end + timedelta(days=15), path_length=0)
    tsa = _tsa_certificate(tsa_key, ca_key, ca, workshop_id, start, end, ocsp_url=ocsp_url)
    issued, revoked = {}, {}
    for spec in people:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _person_certificate(key, ca_key, ca, spec, unit=unit, workshop_id=workshop_id, now=now,
                                   end=end, ocsp_url=ocsp_url)
        if spec.revoked:
            revoked[cert.serial_number] = (now - timedelta(days=1)).replace(microsecond=0)
        issued[spec.key] = IssuedCertificate(spec, _der(cert), _pkcs8(key), _key_id(cert))
    return TrainingPki(_der(root), _der(ca), _pkcs8(ca_key), _der(tsa), _pkcs8(tsa_key), issued, revoked)


# --- names and extensions ------------------------------------------------------------------------


def _name(common_name: str, workshop_id: str, *, organisation: str = PRACTICE_NAME, title: str | None = None):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                  x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                  x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"{PRACTICE_NAME} ({workshop_id})")]
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, title))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _fit(text: str, limit: int) -> str:
    """Names are bounded to 64 (cryptography counts UTF-8 bytes): a longer one is cut, visibly."""
    if len(text.encode("utf-8")) <= limit:
        return text
    while len((text + "…").encode("utf-8")) > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def _policies():
    from cryptography import x509

    notice = x509.UserNotice(notice_reference=None, explicit_text=_NOTICE)
    return x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(PRACTICE_POLICY_OID), [notice])])


def _builder(subject, issuer_name, public_key, start: datetime, end: datetime):
    from cryptography import x509

    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(_policies(), critical=False))


def _ca_certificate(key, issuer_key, issuer, subject, start: datetime, end: datetime, *, path_length: int):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    builder = _builder(subject, issuer.subject if issuer is not None else subject, key.public_key(), start, end)
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
    builder = builder.add_extension(_usage(cert_sign=True), critical=True)
    if issuer is not None:
        builder = builder.add_extension(_authority_key_id(issuer), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _tsa_certificate(key, ca_key, ca, workshop_id: str, start: datetime, end: datetime, *, ocsp_url: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID

    builder = _builder(_name("TSA " + PRACTICE_NAME, workshop_id), ca.subject, key.public_key(), start, end)
    builder = builder.add_extension(_usage(signature=True), critical=True)
    builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    builder = builder.add_extension(_authority_key_id(ca), critical=False)
    builder = builder.add_extension(_ocsp_pointer(ocsp_url), critical=False)  # B-LT embeds its status too
    return builder.sign(ca_key, hashes.SHA256())


def _ocsp_pointer(url: str):
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID

    return x509.AuthorityInformationAccess([x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                                                   x509.UniformResourceIdentifier(url))])


def _person_certificate(key, ca_key, ca, spec: PersonSpec, *, unit: str, workshop_id: str, now: datetime,
                        end: datetime, ocsp_url: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    start, finish = now - timedelta(days=1), end
    if spec.expired:
        start, finish = now - timedelta(days=400), now - timedelta(days=10)
    elif spec.not_yet_valid:
        start, finish = now + timedelta(days=30), end + timedelta(days=30)
    subject = _name(_fit(spec.common_name, 64 - len(" (THỰC HÀNH)".encode())) + " (THỰC HÀNH)", workshop_id, organisation=_fit(unit, 64),
                    title=_fit(spec.title, 64) if spec.title else None)
    builder = _builder(subject, ca.subject, key.public_key(), start, finish)
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    builder = builder.add_extension(_usage(signature=True, non_repudiation=True), critical=True)
    builder = builder.add_extension(_authority_key_id(ca), critical=False)
    builder = builder.add_extension(_ocsp_pointer(ocsp_url), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def _usage(*, cert_sign: bool = False, signature: bool = False, non_repudiation: bool = False):
    from cryptography import x509

    return x509.KeyUsage(digital_signature=signature, content_commitment=non_repudiation, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
                         crl_sign=cert_sign, encipher_only=False, decipher_only=False)


def _authority_key_id(issuer):
    from cryptography import x509

    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _key_id(cert) -> bytes:
    from cryptography.hazmat.primitives import serialization

    public = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha1(public).digest()[:8]


def _der(cert) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.DER)


def _pkcs8(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
