"""Mechanism choice from the token's mechanism list (pure logic)."""

from __future__ import annotations

import hashlib

import pytest

from tokens import SignatureScheme, TokenError, TokenErrorCode
from tokens.mechanisms import CKM, choose_mechanism, digest_info


def test_combined_mechanism_preferred_when_offered():
    choice = choose_mechanism(scheme=SignatureScheme.RSA_PKCS1V15, hash_name="sha256",
                              available={CKM.RSA_PKCS, CKM.SHA256_RSA_PKCS})
    assert (choice.mechanism, choice.host_hash) == (CKM.SHA256_RSA_PKCS, False)
    assert choice.prepare(b"data", scheme=SignatureScheme.RSA_PKCS1V15, hash_name="sha256") == b"data"


def test_raw_mechanism_with_host_hash_when_combined_missing():
    choice = choose_mechanism(scheme=SignatureScheme.RSA_PKCS1V15, hash_name="sha256",
                              available={CKM.RSA_PKCS})
    assert (choice.mechanism, choice.host_hash) == (CKM.RSA_PKCS, True)
    prepared = choice.prepare(b"data", scheme=SignatureScheme.RSA_PKCS1V15, hash_name="sha256")
    assert prepared == digest_info(hashlib.sha256(b"data").digest(), hash_name="sha256")
    assert prepared.startswith(bytes.fromhex("3031300d060960864801650304020105000420"))


def test_host_hash_can_be_forced():
    choice = choose_mechanism(scheme=SignatureScheme.RSA_PKCS1V15, hash_name="sha256",
                              available={CKM.RSA_PKCS, CKM.SHA256_RSA_PKCS}, host_hash_only=True)
    assert choice.mechanism == CKM.RSA_PKCS


def test_ecdsa_raw_signs_the_bare_digest():
    choice = choose_mechanism(scheme=SignatureScheme.ECDSA, hash_name="sha384", available={CKM.ECDSA})
    assert choice.prepare(b"x", scheme=SignatureScheme.ECDSA, hash_name="sha384") == hashlib.sha384(b"x").digest()


def test_pss_parameters_follow_the_hash():
    choice = choose_mechanism(scheme=SignatureScheme.RSA_PSS, hash_name="sha256",
                              available={CKM.SHA256_RSA_PKCS_PSS})
    assert choice.pss_params == (CKM.SHA256, 0x02, 32)


@pytest.mark.parametrize("scheme", list(SignatureScheme))
def test_nothing_suitable_is_a_typed_error(scheme):
    with pytest.raises(TokenError) as caught:
        choose_mechanism(scheme=scheme, hash_name="sha256", available={0x1234})
    assert caught.value.code is TokenErrorCode.MECHANISM_UNSUPPORTED
