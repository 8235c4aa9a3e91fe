"""Choosing the PKCS#11 signing mechanism from what the token offers.

Prefer the combined hash-and-sign mechanism; where the token lacks it (or the module is
configured to avoid it), hash on the host and sign with the raw mechanism. PKCS#1 v1.5 is the
default for RSA; RSASSA-PSS only on request and only when the token offers it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum

from .errors import TokenError, TokenErrorCode

__all__ = [
    "CKM",
    "MechanismChoice",
    "SignatureScheme",
    "choose_mechanism",
    "digest_info",
]


class SignatureScheme(Enum):
    RSA_PKCS1V15 = "rsa_pkcs1v15"
    RSA_PSS = "rsa_pss"
    ECDSA = "ecdsa"


class CKM:
    """The mechanism numbers we use (PKCS#11 v2.40 §2)."""

    RSA_PKCS = 0x0001
    RSA_PKCS_PSS = 0x000D
    SHA256_RSA_PKCS = 0x0040
    SHA384_RSA_PKCS = 0x0041
    SHA512_RSA_PKCS = 0x0042
    SHA256_RSA_PKCS_PSS = 0x0043
    SHA384_RSA_PKCS_PSS = 0x0044
    SHA512_RSA_PKCS_PSS = 0x0045
    ECDSA = 0x1041
    ECDSA_SHA256 = 0x1044
    ECDSA_SHA384 = 0x1045
    ECDSA_SHA512 = 0x1046
    SHA256 = 0x0250
    SHA384 = 0x0260
    SHA512 = 0x0270


_COMBINED = {
    (SignatureScheme.RSA_PKCS1V15, "sha256"): CKM.SHA256_RSA_PKCS,
    (SignatureScheme.RSA_PKCS1V15, "sha384"): CKM.SHA384_RSA_PKCS,
    (SignatureScheme.RSA_PKCS1V15, "sha512"): CKM.SHA512_RSA_PKCS,
    (SignatureScheme.RSA_PSS, "sha256"): CKM.SHA256_RSA_PKCS_PSS,
    (SignatureScheme.RSA_PSS, "sha384"): CKM.SHA384_RSA_PKCS_PSS,
    (SignatureScheme.RSA_PSS, "sha512"): CKM.SHA512_RSA_PKCS_PSS,
    (SignatureScheme.ECDSA, "sha256"): CKM.ECDSA_SHA256,
    (SignatureScheme.ECDSA, "sha384"): CKM.ECDSA_SHA384,
    (SignatureScheme.ECDSA, "sha512"): CKM.ECDSA_SHA512,
}
_RAW = {
    SignatureScheme.RSA_PKCS1V15: CKM.RSA_PKCS,
    SignatureScheme.RSA_PSS: CKM.RSA_PKCS_PSS,
    SignatureScheme.ECDSA: CKM.ECDSA,
}
_PSS_HASH = {"sha256": (CKM.SHA256, 0x02), "sha384": (CKM.SHA384, 0x03), "sha512": (CKM.SHA512, 0x04)}
_DIGEST_SIZE = {"sha256": 32, "sha384": 48, "sha512": 64}
# DER prefix of DigestInfo { AlgorithmIdentifier(hash, NULL), OCTET STRING } (RFC 8017 §9.2)
_DIGEST_INFO_PREFIX = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


@dataclass(frozen=True)
class MechanismChoice:
    """How to produce the signature on this token."""

    mechanism: int
    host_hash: bool  # True: we hash on the host and the token signs the digest
    pss_params: tuple[int, int, int] | None = None  # (hashAlg, mgf, saltLen)

    def prepare(self, data: bytes, *, scheme: SignatureScheme, hash_name: str) -> bytes:
        """What to hand to C_Sign for `data` (the bytes the signature covers)."""
        if not self.host_hash:
            return data
        digest = hashlib.new(hash_name, data).digest()
        if scheme is SignatureScheme.RSA_PKCS1V15:
            return digest_info(digest, hash_name=hash_name)
        return digest


def digest_info(digest: bytes, *, hash_name: str) -> bytes:
    return _DIGEST_INFO_PREFIX[hash_name] + digest


def choose_mechanism(
    *, scheme: SignatureScheme, hash_name: str, available: set[int], host_hash_only: bool = False
) -> MechanismChoice:
    """Pick the mechanism for `scheme` with `hash_name` among the token's `available` ones."""
    if hash_name not in _DIGEST_SIZE:
        raise TokenError(TokenErrorCode.MECHANISM_UNSUPPORTED, mechanism=hash_name)
    pss = _pss_params(hash_name) if scheme is SignatureScheme.RSA_PSS else None
    combined = _COMBINED[(scheme, hash_name)]
    if combined in available and not host_hash_only:
        return MechanismChoice(combined, host_hash=False, pss_params=pss)
    raw = _RAW[scheme]
    if raw in available:
        return MechanismChoice(raw, host_hash=True, pss_params=pss)
    raise TokenError(TokenErrorCode.MECHANISM_UNSUPPORTED, mechanism=scheme.value)


def _pss_params(hash_name: str) -> tuple[int, int, int]:
    hash_mech, mgf = _PSS_HASH[hash_name]
    return (hash_mech, mgf, _DIGEST_SIZE[hash_name])


def mechanism_name(value: int) -> str:
    """CKM_… name of a mechanism number, for diagnostics (hex when python-pkcs11 has no name)."""
    try:
        from pkcs11 import Mechanism

        return "CKM_" + Mechanism(value).name.lstrip("_")  # python-pkcs11 marks deprecated ones "_DES…"
    except (ValueError, ImportError):
        return f"0x{value:08x}"
