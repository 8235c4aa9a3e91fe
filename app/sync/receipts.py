"""Checking a receipt: Ed25519 over the RFC 8785 encoding of every member but "signature", with the
server key pinned at enrolment, for the chain and mode it was asked about."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .errors import SyncError, SyncErrorCode

__all__ = ["verify_receipt"]


def verify_receipt(receipt: Any, *, chain: str, mode: str, public_key_b64: str | None = None,
                   keys: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The receipt, if genuine and about (chain, mode); SyncError RECEIPT_INVALID otherwise.
    `keys` (key_id → key): the receipt is checked under the key it names, which must be one of
    them; `public_key_b64`: under that one key."""
    if not isinstance(receipt, dict) or not isinstance(receipt.get("signature"), str):
        raise SyncError(SyncErrorCode.RECEIPT_INVALID, detail="no signature")
    if keys is not None:
        public_key_b64 = keys.get(receipt.get("key_id")) if isinstance(receipt.get("key_id"), str) else None
        if public_key_b64 is None:
            raise SyncError(SyncErrorCode.RECEIPT_INVALID, detail="unknown key")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64 or "", validate=True))
        signature = base64.b64decode(receipt["signature"], validate=True)
        key.verify(signature, rfc8785.dumps({k: v for k, v in receipt.items() if k != "signature"}))
    except (binascii.Error, ValueError, InvalidSignature, rfc8785.CanonicalizationError) as exc:
        raise SyncError(SyncErrorCode.RECEIPT_INVALID, detail="signature") from exc
    if receipt.get("workstation") != chain or receipt.get("mode") != mode:
        raise SyncError(SyncErrorCode.RECEIPT_INVALID, detail="another chain")
    if not isinstance(receipt.get("seq"), int) or not isinstance(receipt.get("hash"), str):
        raise SyncError(SyncErrorCode.RECEIPT_INVALID, detail="members")
    return receipt
