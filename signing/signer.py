"""A pyhanko `Signer` backed by a key on a token, producing CMS from a per-batch template.

pyhanko drives the PDF side (field, appearance, byte range, DSS, document timestamps); this
signer answers its one question — "sign this document digest" — by filling a `CmsTemplate`
and asking the token for one signature. Any key that offers `sign_async(data, scheme=...,
hash_name=...) -> Future[bytes]` works: a PKCS#11 key, or later the practice token.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any, Protocol

from pyhanko.sign.signers.pdf_cms import Signer

from tokens import SignatureScheme

from .cms import CmsTemplate

__all__ = ["SigningKey", "TemplateSigner", "signature_profile"]


class SigningKey(Protocol):
    """What the signing layer needs from a key (tokens.TokenKey provides it)."""

    certificate: bytes
    key_type: str
    key_bits: int

    def sign_async(self, data: bytes, *, scheme: SignatureScheme, hash_name: str) -> Future[bytes]: ...


def signature_profile(*, key_type: str, key_bits: int, use_pss: bool) -> tuple[SignatureScheme, str]:
    """The signature scheme and hash for a key: SHA-256, or SHA-384 for P-384 and stronger."""
    if key_type == "ec":
        return SignatureScheme.ECDSA, "sha384" if key_bits >= 384 else "sha256"
    scheme = SignatureScheme.RSA_PSS if use_pss else SignatureScheme.RSA_PKCS1V15
    return scheme, "sha256"


def _signature_algorithm(*, scheme: SignatureScheme, hash_name: str) -> Any:
    from asn1crypto import algos

    if scheme is SignatureScheme.ECDSA:
        return algos.SignedDigestAlgorithm({"algorithm": f"{hash_name}_ecdsa"})
    if scheme is SignatureScheme.RSA_PKCS1V15:
        return algos.SignedDigestAlgorithm({"algorithm": f"{hash_name}_rsa"})
    digest = algos.DigestAlgorithm({"algorithm": hash_name})
    params = algos.RSASSAPSSParams(
        {
            "hash_algorithm": digest,
            "mask_gen_algorithm": algos.MaskGenAlgorithm(
                {"algorithm": "mgf1", "parameters": digest}
            ),
            "salt_length": hashlib.new(hash_name).digest_size,
            "trailer_field": "trailer_field_bc",
        }
    )
    return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": params})


class TemplateSigner(Signer):
    """pyhanko signer whose CMS comes from a `CmsTemplate` built once per batch."""

    def __init__(self, *, key: SigningKey, chain: Sequence[bytes], use_pss: bool = False) -> None:
        from asn1crypto import x509
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        self.scheme, self.hash_name = signature_profile(
            key_type=key.key_type, key_bits=key.key_bits, use_pss=use_pss
        )
        mechanism = _signature_algorithm(scheme=self.scheme, hash_name=self.hash_name)
        certificate = x509.Certificate.load(key.certificate)
        others = [x509.Certificate.load(der) for der in chain if der != key.certificate]
        super().__init__(
            signing_cert=certificate,
            cert_registry=SimpleCertificateStore.from_certs(others),
            signature_mechanism=mechanism,
            prefer_pss=use_pss,
        )
        self._key = key
        self.template = CmsTemplate.build(
            certificate=key.certificate,
            chain=[der for der in chain if der != key.certificate],
            hash_name=self.hash_name,
            signature_algorithm=mechanism.dump(),
        )
        self.signature_size = _max_signature_size(key.key_type, key.key_bits)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(self.signature_size)
        future = self._key.sign_async(data, scheme=self.scheme, hash_name=self.hash_name)
        return await asyncio.wrap_future(future)

    async def async_sign(  # type: ignore[override]
        self,
        data_digest: bytes,
        digest_algorithm: str,
        dry_run: bool = False,
        use_pades: bool = False,
        timestamper: Any = None,
        signed_attr_settings: Any = None,
        is_pdf_sig: bool = True,
        encap_content_info: Any = None,
    ) -> bytes:
        if not _template_applies(use_pades, signed_attr_settings, encap_content_info):
            result = await super().async_sign(
                data_digest,
                digest_algorithm,
                dry_run=dry_run,
                use_pades=use_pades,
                timestamper=timestamper,
                signed_attr_settings=signed_attr_settings,
                is_pdf_sig=is_pdf_sig,
                encap_content_info=encap_content_info,
            )
            return result.dump()
        attributes = self.template.signed_attributes(data_digest)
        signature = await self.async_sign_raw(attributes, digest_algorithm, dry_run=dry_run)
        token = None
        if timestamper is not None and not dry_run:
            imprint = hashlib.new(digest_algorithm, signature).digest()
            token = (await timestamper.async_timestamp(imprint, digest_algorithm)).dump()
        return self.template.assemble(
            signed_attributes=attributes, signature=signature, timestamp_token=token
        )


def _template_applies(use_pades: bool, settings: Any, encap: Any) -> bool:
    """The template covers plain PAdES signatures; anything else goes through pyhanko."""
    if not use_pades or encap is not None:
        return False
    if settings is None:
        return True
    return settings.adobe_revinfo_attr is None and settings.cades_signed_attrs is None


def _max_signature_size(key_type: str, key_bits: int) -> int:
    if key_type == "ec":
        coordinate = (key_bits + 7) // 8
        return 2 * (coordinate + 1) + 8  # DER SEQUENCE of two INTEGERs, worst case
    return (key_bits + 7) // 8
