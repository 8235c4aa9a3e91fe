"""CMS SignedData for PAdES, assembled from parts encoded once per batch.

Building the CMS object through asn1crypto costs tens of milliseconds per document, most of it
re-encoding the same certificates and algorithm identifiers. Here everything that does not
change from one document to the next (algorithm identifiers, the signer identifier, the
certificate set, the ESS signing-certificate-v2 attribute) is encoded once — by asn1crypto and
pyhanko's own helpers, so the encoding is theirs — and each document only adds its message
digest, its signature value and, for B-T, its timestamp token.

The structure is the PAdES baseline one (ETSI EN 319 142-1 §6.3): signed attributes
content-type, message-digest and signing-certificate-v2; no signing-time attribute (the time
is in the signature dictionary's /M); the signature timestamp as an unsigned attribute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CmsTemplate", "der_length", "der_tlv"]

_OID_DATA = bytes.fromhex("06092a864886f70d010701")
_OID_SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")
_OID_CONTENT_TYPE = bytes.fromhex("06092a864886f70d010903")
_OID_MESSAGE_DIGEST = bytes.fromhex("06092a864886f70d010904")
_OID_SIGNATURE_TIMESTAMP = bytes.fromhex("060b2a864886f70d010910020e")
_VERSION_1 = bytes.fromhex("020101")


def der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def der_tlv(tag: int, *parts: bytes) -> bytes:
    content = b"".join(parts)
    return bytes([tag]) + der_length(len(content)) + content


def _set_of(*elements: bytes) -> bytes:
    """DER SET OF: elements sorted by their encodings (X.690 §11.6)."""
    return der_tlv(0x31, *sorted(elements))


@dataclass(frozen=True)
class CmsTemplate:
    """The parts of a PAdES CMS signature that stay the same for a signer and a batch."""

    hash_name: str
    digest_algorithm: bytes  # AlgorithmIdentifier DER
    signature_algorithm: bytes  # AlgorithmIdentifier DER
    signer_identifier: bytes  # IssuerAndSerialNumber DER
    certificates: bytes  # [0] IMPLICIT SET OF Certificate, whole TLV
    content_type_attribute: bytes  # Attribute DER
    signing_certificate_attribute: bytes  # Attribute DER (ESS signing-certificate-v2)

    @classmethod
    def build(
        cls,
        *,
        certificate: bytes,
        chain: Sequence[bytes],
        hash_name: str,
        signature_algorithm: bytes,
    ) -> CmsTemplate:
        """Encode the fixed parts once. `chain` holds the other certificates to embed."""
        from asn1crypto import algos, cms, x509
        from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute

        cert = x509.Certificate.load(certificate)
        sid = cms.IssuerAndSerialNumber(
            {"issuer": cert.issuer, "serial_number": cert.serial_number}
        ).dump()
        unique = {certificate: None}
        for der in chain:
            unique.setdefault(der, None)
        certificates = der_tlv(0xA0, *sorted(unique))
        ess = simple_cms_attribute("signing_certificate_v2", as_signing_certificate_v2(cert))
        return cls(
            hash_name=hash_name,
            digest_algorithm=algos.DigestAlgorithm({"algorithm": hash_name}).dump(),
            signature_algorithm=signature_algorithm,
            signer_identifier=sid,
            certificates=certificates,
            content_type_attribute=der_tlv(0x30, _OID_CONTENT_TYPE, der_tlv(0x31, _OID_DATA)),
            signing_certificate_attribute=ess.dump(),
        )

    def signed_attributes(self, message_digest: bytes) -> bytes:
        """The DER SET OF signed attributes: the exact bytes the signature covers."""
        digest_attribute = der_tlv(
            0x30, _OID_MESSAGE_DIGEST, der_tlv(0x31, der_tlv(0x04, message_digest))
        )
        return _set_of(
            self.content_type_attribute, digest_attribute, self.signing_certificate_attribute
        )

    def assemble(
        self, *, signed_attributes: bytes, signature: bytes, timestamp_token: bytes | None = None
    ) -> bytes:
        """The DER ContentInfo holding the SignedData with one SignerInfo."""
        unsigned = b""
        if timestamp_token is not None:
            attribute = der_tlv(0x30, _OID_SIGNATURE_TIMESTAMP, der_tlv(0x31, timestamp_token))
            unsigned = der_tlv(0xA1, attribute)
        signer_info = der_tlv(
            0x30,
            _VERSION_1,
            self.signer_identifier,
            self.digest_algorithm,
            b"\xa0" + signed_attributes[1:],  # [0] IMPLICIT: same content, context tag
            self.signature_algorithm,
            der_tlv(0x04, signature),
            unsigned,
        )
        signed_data = der_tlv(
            0x30,
            _VERSION_1,
            der_tlv(0x31, self.digest_algorithm),
            der_tlv(0x30, _OID_DATA),
            self.certificates,
            der_tlv(0x31, signer_info),
        )
        return der_tlv(0x30, _OID_SIGNED_DATA, der_tlv(0xA0, signed_data))

    def size_bound(self, *, signature_size: int, timestamp_size: int = 0) -> int:
        """An upper bound on the DER size, for reserving the signature placeholder."""
        fake = self.assemble(
            signed_attributes=self.signed_attributes(bytes(64)),
            signature=bytes(signature_size),
            timestamp_token=bytes(timestamp_size) if timestamp_size else None,
        )
        return len(fake) + 16
