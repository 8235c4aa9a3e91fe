"""A real SoftHSM2 token: log in, find keys by CKA_ID, sign with each mechanism."""

from __future__ import annotations

import threading

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509 import load_der_x509_certificate

from tests.support.signing import FixedPin
from tokens import (
    ModuleOptions,
    PinStatus,
    SignatureScheme,
    TokenError,
    TokenErrorCode,
    TokenSession,
    load_module,
)
from tokens.listing import list_tokens

pytestmark = pytest.mark.hsm


@pytest.fixture
def module(hsm):
    return load_module(hsm.module)


def _open(module, hsm, token="KYSO-RSA", pin=None, host_hash=False):
    return TokenSession.open(module=module, prompter=FixedPin(pin or hsm.pin), token_label=token,
                             options=ModuleOptions(host_hash=host_hash))


def _verify(certificate: bytes, signature: bytes, data: bytes, scheme: SignatureScheme, hash_name: str):
    public = load_der_x509_certificate(certificate).public_key()
    algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384()}[hash_name]
    if scheme is SignatureScheme.ECDSA:
        public.verify(signature, data, ec.ECDSA(algorithm))
    elif scheme is SignatureScheme.RSA_PSS:
        public.verify(signature, data, padding.PSS(padding.MGF1(algorithm), algorithm.digest_size), algorithm)
    else:
        public.verify(signature, data, padding.PKCS1v15(), algorithm)


def test_every_call_runs_on_the_module_thread(module):
    names = {module.call(lambda lib: threading.current_thread().name) for _ in range(3)}
    assert len(names) == 1 and names.pop().startswith("pkcs11")


def test_module_is_loaded_once_per_process(hsm, module):
    assert load_module(hsm.module) is module


def test_listing_shows_tokens_and_certificates_without_login(module, hsm):
    listings = {listing.info.label: listing for listing in list_tokens(module)}
    assert {"KYSO-RSA", "KYSO-EC", "KYSO-ALWAYS"} <= set(listings)
    ids = {cert.key_id for cert in listings["KYSO-RSA"].certificates if not cert.is_ca}
    assert hsm.key_id("signer-rsa2048") in ids
    entry = next(c for c in listings["KYSO-EC"].certificates if c.key_id == hsm.key_id("signer-ec384"))
    assert (entry.key_type, entry.key_bits) == ("ec", 384)
    assert "Phạm Minh Đức" in entry.subject


def test_keys_are_found_by_cka_id(module, hsm):
    with _open(module, hsm) as session:
        key = session.key(key_id=hsm.key_id("signer-rsa3072"))
        assert (key.key_type, key.key_bits, key.label) == ("rsa", 3072, "signer-rsa3072")
        with pytest.raises(TokenError) as missing:
            session.key(key_id=b"\x77")
        assert missing.value.code is TokenErrorCode.KEY_NOT_FOUND
        with pytest.raises(TokenError) as ambiguous:
            session.key()
        assert ambiguous.value.code is TokenErrorCode.KEY_AMBIGUOUS


@pytest.mark.parametrize(
    ("token", "label", "scheme", "hash_name", "host_hash"),
    [
        ("KYSO-RSA", "signer-rsa2048", SignatureScheme.RSA_PKCS1V15, "sha256", False),
        ("KYSO-RSA", "signer-rsa2048", SignatureScheme.RSA_PKCS1V15, "sha256", True),
        ("KYSO-RSA", "signer-rsa3072", SignatureScheme.RSA_PSS, "sha256", False),
        ("KYSO-RSA", "signer-rsa3072", SignatureScheme.RSA_PSS, "sha256", True),
        ("KYSO-EC", "signer-ec256", SignatureScheme.ECDSA, "sha256", False),
        ("KYSO-EC", "signer-ec384", SignatureScheme.ECDSA, "sha384", False),
    ],
)
def test_signatures_verify_with_the_certificate(module, hsm, token, label, scheme, hash_name, host_hash):
    with _open(module, hsm, token=token, host_hash=host_hash) as session:
        key = session.key(key_id=hsm.key_id(label))
        choice = key.mechanism(scheme=scheme, hash_name=hash_name)
        assert choice.host_hash == (host_hash or scheme is SignatureScheme.ECDSA)  # SoftHSM has no ECDSA_SHA*
        data = "văn bản cần ký".encode() * 10
        signature = key.sign(data, scheme=scheme, hash_name=hash_name)
        _verify(key.certificate, signature, data, scheme, hash_name)


def test_wrong_pin_reports_the_new_token_state(module, hsm):
    with pytest.raises(TokenError) as caught:
        _open(module, hsm, token="KYSO-EC", pin="000000")
    assert caught.value.code is TokenErrorCode.PIN_INCORRECT
    assert caught.value.params["status"] == PinStatus.COUNT_LOW.value
    assert "000000" not in str(caught.value)
    prompter = FixedPin(hsm.pin)
    TokenSession.open(module=module, prompter=prompter, token_label="KYSO-EC").close()
    assert prompter.requests[0].status is PinStatus.COUNT_LOW  # said before asking again


def test_cancelled_prompt_is_not_a_login(module, hsm):
    with pytest.raises(TokenError) as caught:
        TokenSession.open(module=module, prompter=FixedPin(None), token_label="KYSO-RSA")
    assert caught.value.code is TokenErrorCode.PIN_CANCELLED


def test_always_authenticate_key_needs_a_context_login_for_each_signature(module, hsm):
    with _open(module, hsm, token="KYSO-ALWAYS") as session:
        key = session.key(key_id=hsm.key_id("signer-rsa2048"))
        assert key.always_authenticate
        for _ in range(3):  # several signatures in one session, one PIN entry
            signature = key.sign(b"abc", scheme=SignatureScheme.RSA_PKCS1V15, hash_name="sha256")
            _verify(key.certificate, signature, b"abc", SignatureScheme.RSA_PKCS1V15, "sha256")
        session._context_pin = None  # without the context-specific login the token refuses
        with pytest.raises(TokenError):
            key.sign(b"abc", scheme=SignatureScheme.RSA_PKCS1V15, hash_name="sha256")


def test_unknown_token_label(module, hsm):
    with pytest.raises(TokenError) as caught:
        _open(module, hsm, token="KHONG-CO")
    assert caught.value.code is TokenErrorCode.TOKEN_NOT_FOUND
