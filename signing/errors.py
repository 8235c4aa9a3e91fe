"""Typed errors of the signing layer, each with a stable code (translated by the CLI/UI)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from base.errors import KysoError

__all__ = ["SigningError", "SigningErrorCode"]


class SigningErrorCode(StrEnum):
    # the input file
    INPUT_NOT_FOUND = "PDF_NOT_FOUND"
    INPUT_UNREADABLE = "PDF_UNREADABLE"
    INPUT_CHANGED = "PDF_CHANGED_WHILE_SIGNING"
    CHANGED_SINCE_CHECKED = "PDF_CHANGED_SINCE_CHECKED"  # not the bytes the preflight read
    NOT_A_PDF = "PDF_NOT_A_PDF"
    DAMAGED = "PDF_DAMAGED"
    ENCRYPTED = "PDF_ENCRYPTED"  # by a security handler kyso does not know
    PASSWORD_REQUIRED = "PDF_PASSWORD_REQUIRED"  # protected by a password nobody gave
    PASSWORD_WRONG = "PDF_PASSWORD_WRONG"
    ENCRYPTED_CERTIFICATE = "PDF_ENCRYPTED_CERTIFICATE"  # for recipients' certificates
    ENCRYPTED_NO_PERMISSION = "PDF_ENCRYPTED_NO_PERMISSION"  # the password's permissions forbid a signature
    STRUCTURE_UNSUPPORTED = "PDF_STRUCTURE_UNSUPPORTED"  # readable by viewers, not safely by kyso
    CERTIFIED_NO_CHANGES = "PDF_CERTIFIED_NO_CHANGES"
    PAGE_OUT_OF_RANGE = "PDF_PAGE_OUT_OF_RANGE"
    PRACTICE_DOCUMENT = "PDF_PRACTICE_DOCUMENT"  # carries the practice watermark: not for real signing
    SIGNED_OUTSIDE_PRACTICE = "PDF_SIGNED_OUTSIDE_PRACTICE"  # practice mode: signed for real already
    # the output file
    OUTPUT_EXISTS = "OUTPUT_EXISTS"
    OUTPUT_NOT_WRITABLE = "OUTPUT_NOT_WRITABLE"
    OUTPUT_SAME_AS_INPUT = "OUTPUT_SAME_AS_INPUT"
    # the signer's certificate
    CERT_EXPIRED = "CERT_EXPIRED"
    CERT_NOT_YET_VALID = "CERT_NOT_YET_VALID"
    CERT_REVOKED = "CERT_REVOKED"
    CERT_UNTRUSTED = "CERT_UNTRUSTED"
    CERT_KEY_USAGE = "CERT_KEY_USAGE"
    CERT_INVALID = "CERT_INVALID"
    CERT_WEAK_KEY = "CERT_WEAK_KEY"
    CERT_PRACTICE = "CERT_PRACTICE"  # a practice (training) certificate outside practice mode
    CERT_NOT_PRACTICE = "CERT_NOT_PRACTICE"  # in practice mode: not this workshop's training certificate
    REVOCATION_UNKNOWN = "CERT_REVOCATION_UNKNOWN"  # a warning the user may accept
    WARNINGS_NOT_ACCEPTED = "SIGN_WARNINGS_NOT_ACCEPTED"
    # the signature level
    TSA_UNREACHABLE = "SIGN_TSA_UNREACHABLE"
    TSA_MISSING = "SIGN_TSA_MISSING"
    REVINFO_UNAVAILABLE = "SIGN_REVINFO_UNAVAILABLE"
    NOT_SIGNED = "EXTEND_NOT_SIGNED"  # kyso extend: the file has no signature to keep valid
    LEVEL_UNSUPPORTED = "EXTEND_LEVEL_UNSUPPORTED"  # kyso extend: only B-LT and B-LTA extend a signature
    # the appearance
    IMAGE_UNREADABLE = "APPEARANCE_IMAGE_UNREADABLE"
    IMAGE_MISSING = "APPEARANCE_IMAGE_MISSING"
    BOX_INVALID = "APPEARANCE_BOX_INVALID"
    TEXT_MISSING = "APPEARANCE_TEXT_MISSING"
    FONT_MISSING = "APPEARANCE_FONT_MISSING"
    NO_PERSONAL_SIGNATURE = "APPEARANCE_NO_PERSONAL_SIGNATURE"
    # the signing itself
    SIGNATURE_TOO_LARGE = "SIGN_SIGNATURE_TOO_LARGE"
    VIEW_CHANGED = "SIGN_VIEW_CHANGED"  # the signed file would not show what the input showed
    INTERNAL = "SIGN_INTERNAL"
    # verification
    TRUST_DIR_UNREADABLE = "TRUST_DIR_UNREADABLE"


class SigningError(KysoError):
    """Signing or verification failed; `code` says which way, `params` say about what."""

    def __init__(self, code: SigningErrorCode, /, **params: Any) -> None:
        super().__init__(code, **params)
