"""The per-batch CMS template produces exactly what pyhanko would, byte for byte."""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import Future

import pytest
from asn1crypto import cms, keys, x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from signing.signer import TemplateSigner

pytestmark = pytest.mark.pki


class SoftwareKey:
    """A key held in memory, standing in for a token where only the CMS bytes matter."""

    def __init__(self, pem_path, certificate: bytes) -> None:
        self.private = serialization.load_pem_private_key(pem_path.read_bytes(), password=None)
        self.certificate = certificate
        self.key_type = "rsa"
        self.key_bits = self.private.key_size

    def sign_async(self, data, *, scheme, hash_name) -> Future:
        future: Future = Future()
        future.set_result(self.private.sign(data, padding.PKCS1v15(), hashes.SHA256()))
        return future


def _pyhanko_cms(pki, digest: bytes) -> bytes:
    from pyhanko.sign import signers
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    private = serialization.load_pem_private_key(pki.key_path("signer-rsa2048").read_bytes(), password=None)
    der_key = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    signer = signers.SimpleSigner(
        signing_cert=x509.Certificate.load(pki.cert_der("signer-rsa2048")),
        signing_key=keys.PrivateKeyInfo.load(der_key),
        cert_registry=None,
    )
    result = asyncio.run(signer.async_sign(
        digest, "sha256", use_pades=True, signed_attr_settings=PdfCMSSignedAttributes()
    ))
    return result.dump()


def test_template_matches_pyhanko_byte_for_byte(pki):
    key = SoftwareKey(pki.key_path("signer-rsa2048"), pki.cert_der("signer-rsa2048"))
    signer = TemplateSigner(key=key, chain=[])
    digest = hashlib.sha256(b"noi dung van ban").digest()
    ours = asyncio.run(signer.async_sign(digest, "sha256", use_pades=True))
    assert ours == _pyhanko_cms(pki, digest)


def test_template_embeds_the_chain_and_parses(pki):
    key = SoftwareKey(pki.key_path("signer-rsa2048"), pki.cert_der("signer-rsa2048"))
    signer = TemplateSigner(key=key, chain=[pki.cert_der("interm")])
    digest = hashlib.sha256(b"x").digest()
    info = cms.ContentInfo.load(asyncio.run(signer.async_sign(digest, "sha256", use_pades=True)))
    signed = info["content"]
    assert {c.chosen.dump() for c in signed["certificates"]} == {pki.cert_der("signer-rsa2048"),
                                                                 pki.cert_der("interm")}
    attrs = {a["type"].native for a in signed["signer_infos"][0]["signed_attrs"]}
    assert attrs == {"content_type", "message_digest", "signing_certificate_v2"}  # no signing-time (PAdES)
    assert len(info.dump()) <= signer.template.size_bound(signature_size=signer.signature_size)
