"""Receipts: the server's Ed25519 signature over (chain, mode, last sequence, its hash, time).

A receipt is a JSON object; the signature covers the RFC 8785 encoding of every member except
"signature". The key lives in the database (shared by every server process) unless a key file is
configured. `GET /api/v1/server-key` publishes the public key; the client pins it at enrolment.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .db import Database, now_utc
from .models import ReceiptKey

__all__ = ["CONFIG_SEAL_HEADER", "CONFIG_SEAL_PURPOSE", "RECEIPT_VERSION", "ReceiptSigner", "load_signer",
           "receipt_body", "utc_text"]

RECEIPT_VERSION = 1
CONFIG_SEAL_PURPOSE = "kyso-config"
CONFIG_SEAL_HEADER = "X-Kyso-Config-Seal"  # base64 (URL-safe) of the seal's JSON


def utc_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def receipt_body(receipt: dict[str, Any]) -> bytes:
    return rfc8785.dumps({k: v for k, v in receipt.items() if k != "signature"})


@dataclass(frozen=True)
class ReceiptSigner:
    private_key: Ed25519PrivateKey

    @property
    def public_key_raw(self) -> bytes:
        return self.private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                          serialization.PublicFormat.Raw)

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key_raw).decode("ascii")

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.public_key_raw).hexdigest()[:16]

    def sign(self, *, workstation: str, mode: str, seq: int, hash: str) -> dict[str, Any]:
        """`workstation` is the chain (the events' "workstation" member); `seq` and `hash` name the
        last event the server holds, gapless from 1 (the members AuditStore.save_receipt reads)."""
        receipt: dict[str, Any] = {
            "v": RECEIPT_VERSION, "workstation": workstation, "mode": mode, "seq": seq,
            "hash": hash, "signed_at": utc_text(now_utc()), "key_id": self.key_id,
        }
        receipt["signature"] = base64.b64encode(self.private_key.sign(receipt_body(receipt))).decode("ascii")
        return receipt

    def seal_config(self, *, unit: str, kind: str, revision: int, sha256: str) -> dict[str, Any]:
        """The seal of a unit's catalogue or policy as published (docs/server.md, "Signed
        configuration"): the workstation checks it with the key it pinned at enrolment, so no
        one on the path can replace or replay another unit's or kind's file. "purpose" keeps a
        seal from ever passing for a receipt and back."""
        seal: dict[str, Any] = {"v": 1, "purpose": CONFIG_SEAL_PURPOSE, "unit": unit, "kind": kind,
                                "revision": revision, "sha256": sha256, "signed_at": utc_text(now_utc()),
                                "key_id": self.key_id}
        seal["signature"] = base64.b64encode(self.private_key.sign(receipt_body(seal))).decode("ascii")
        return seal

    def public(self) -> Ed25519PublicKey:
        return self.private_key.public_key()


def load_signer(*, database: Database, key_file: Path | None) -> ReceiptSigner:
    if key_file is not None:
        return ReceiptSigner(_from_file(key_file))
    with database.read_session() as session:
        row = session.get(ReceiptKey, 1)
        if row is not None:
            return ReceiptSigner(Ed25519PrivateKey.from_private_bytes(row.private_key))
    fresh = Ed25519PrivateKey.generate()
    raw = fresh.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                              serialization.NoEncryption())
    try:
        with database.write() as session:
            session.add(ReceiptKey(id=1, private_key=raw, created_at=now_utc()))
    except IntegrityError:
        pass  # another process stored its key first: use that one
    with database.read_session() as session:
        stored = session.execute(select(ReceiptKey.private_key).where(ReceiptKey.id == 1)).scalar_one()
    return ReceiptSigner(Ed25519PrivateKey.from_private_bytes(stored))


def _from_file(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        with open(path, "xb") as handle:
            handle.write(pem)
        path.chmod(0o600)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return loaded
