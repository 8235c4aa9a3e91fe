"""Receipts: the server's Ed25519 signature over (chain, mode, last sequence, its hash, time).

A receipt is a JSON object; the signature covers the RFC 8785 encoding of every member except
"signature". The key lives in a file outside the database when `receipt_key_file` is set (created
0600; a key the database held is moved into it and wiped from the database, so backups no longer
carry it), else in the database (shared by every server process). `GET /api/v1/server-key`
publishes the public key; the client pins it at enrolment.

Rotation (`kyso-server admin rotate-receipt-key`) makes a new key and has the old one sign an
endorsement of it before the old private key is destroyed: {purpose "kyso-key-endorsement",
previous_key_id, key_id, public_key, endorsed_at} signed like a receipt. The endorsements are kept
in a public file beside the key file (`<key file>.endorsements.json`) and published with the key,
so a workstation that pinned any earlier key walks the chain from its pin to the key in use
(app/sync/key_rotation.py) without re-enrolling.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from .db import Database, now_utc
from .errors import ServerError, ServerErrorCode
from .models import ReceiptKey, ReceiptPublicKey

__all__ = ["CONFIG_SEAL_HEADER", "CONFIG_SEAL_PURPOSE", "ENDORSEMENT_PURPOSE", "RECEIPT_VERSION", "ReceiptSigner",
           "earlier_keys", "endorsements_file", "load_endorsements", "load_signer", "receipt_body", "rotate_key_file",
           "utc_text"]

RECEIPT_VERSION = 1
CONFIG_SEAL_PURPOSE = "kyso-config"
CONFIG_SEAL_HEADER = "X-Kyso-Config-Seal"  # base64 (URL-safe) of the seal's JSON
ENDORSEMENT_PURPOSE = "kyso-key-endorsement"


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

    def endorse(self, successor: ReceiptSigner) -> dict[str, Any]:
        """This key's signature over the key that replaces it (the link a workstation that pinned
        this key follows to the next). "purpose" keeps it from passing for a receipt or a seal."""
        endorsement: dict[str, Any] = {"v": 1, "purpose": ENDORSEMENT_PURPOSE, "previous_key_id": self.key_id,
                                       "key_id": successor.key_id, "public_key": successor.public_key_b64,
                                       "endorsed_at": utc_text(now_utc())}
        endorsement["signature"] = base64.b64encode(self.private_key.sign(receipt_body(endorsement))).decode("ascii")
        return endorsement

    def public(self) -> Ed25519PublicKey:
        return self.private_key.public_key()


MOVED_TO_FILE = b""  # the database's row once its key lives in a file: a key exists, elsewhere


def load_signer(*, database: Database, key_file: Path | None) -> ReceiptSigner:
    signer = _load_signer(database=database, key_file=key_file)
    try:
        with database.write() as session:
            _record_public(session, signer)
    except (OperationalError, IntegrityError):
        pass  # the database is away at start, or another process recorded it first
    return signer


def _record_public(session, signer: ReceiptSigner, *, retired: bool = False) -> None:
    row = session.get(ReceiptPublicKey, signer.key_id)
    if row is None:
        row = ReceiptPublicKey(key_id=signer.key_id, public_key=signer.public_key_raw, first_used_at=now_utc())
        session.add(row)
    if retired and row.retired_at is None:
        row.retired_at = now_utc()
    session.flush()


def earlier_keys(session, *, current: str) -> list[ReceiptPublicKey]:
    """The public halves of the keys used before `current` (newest first)."""
    query = (select(ReceiptPublicKey).where(ReceiptPublicKey.key_id != current)
             .order_by(ReceiptPublicKey.first_used_at.desc()))
    return list(session.execute(query).scalars())


def endorsements_file(key_file: Path) -> Path:
    return key_file.with_name(key_file.name + ".endorsements.json")


def load_endorsements(key_file: Path | None) -> list[dict[str, Any]]:
    """The endorsements made at each rotation, oldest first (none without a key file)."""
    if key_file is None:
        return []
    try:
        values = json.loads(endorsements_file(key_file).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


def rotate_key_file(session, *, path: Path) -> tuple[str, str]:
    """A new key replaces the file's (same path, 0600, written aside then renamed over it: a crash
    leaves the old key or the new, never half a file); the old key first endorses the new one
    (endorsements file, written before the key is replaced: a crash leaves at worst an endorsement
    of a key never used), then its private half is gone, its public half kept as retired.
    Returns (old key_id, new key_id). Running servers load the new key at restart."""
    old = ReceiptSigner(_from_file(path))
    _record_public(session, old, retired=True)
    new_key = Ed25519PrivateKey.generate()
    endorsements = [*load_endorsements(path), old.endorse(ReceiptSigner(new_key))]
    _replace_text(endorsements_file(path), json.dumps(endorsements, indent=1) + "\n")
    aside = path.with_name(path.name + ".new")
    aside.unlink(missing_ok=True)
    _write_private(aside, new_key)
    os.replace(aside, path)
    new = ReceiptSigner(_from_file(path))
    _record_public(session, new)
    return old.key_id, new.key_id


def _replace_text(path: Path, text: str) -> None:
    aside = path.with_name(path.name + ".part")
    with open(aside, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(aside, path)


def _load_signer(*, database: Database, key_file: Path | None) -> ReceiptSigner:
    if key_file is not None:
        return ReceiptSigner(_key_in_file(database, key_file))
    with database.read_session() as session:
        row = session.get(ReceiptKey, 1)
        if row is not None:
            if row.private_key == MOVED_TO_FILE:  # never a key of its own: workstations pinned the file's
                raise ServerError(ServerErrorCode.RECEIPT_KEY_MISSING, path="receipt_key_file")
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


def _key_in_file(database: Database, path: Path) -> Ed25519PrivateKey:
    """The file's key. Without the file: the database's key moved into it (and wiped from the
    database), or a new key when this database never had one; if the database says its key was
    moved to a file, that file is missing here, and no new key is made (SERVER_RECEIPT_KEY_MISSING)."""
    if path.exists():
        key = _from_file(path)
        _wipe_database_key(database, key, path)
        return key
    try:
        with database.read_session() as session:
            stored = session.execute(select(ReceiptKey.private_key).where(ReceiptKey.id == 1)).scalar_one_or_none()
    except OperationalError:
        stored = None  # the database is away at start: the file decides (a readiness check tells the rest)
    if stored == MOVED_TO_FILE:
        raise ServerError(ServerErrorCode.RECEIPT_KEY_MISSING, path=str(path))
    key = Ed25519PrivateKey.from_private_bytes(stored) if stored else Ed25519PrivateKey.generate()
    _write_private(path, key)
    key = _from_file(path)  # another process may have written it first: the file is the one key
    _wipe_database_key(database, key, path)
    return key


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    """Created 0600 from the first byte (never readable by others, not even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())


def _wipe_database_key(database: Database, key: Ed25519PrivateKey, path: Path) -> None:
    """The database keeps only the mark that its key lives in a file (a process without the file
    then refuses to start instead of signing with a key no workstation pinned)."""
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    try:
        with database.write() as session:
            stored = session.execute(select(ReceiptKey.private_key).where(ReceiptKey.id == 1)
                                     .with_for_update()).scalar_one_or_none()
            if stored is None:
                session.add(ReceiptKey(id=1, private_key=MOVED_TO_FILE, created_at=now_utc()))
            elif stored != MOVED_TO_FILE:
                if stored != raw:  # the workstations pinned the database's key, not this file's
                    raise ServerError(ServerErrorCode.RECEIPT_KEY_MISMATCH, path=str(path))
                session.execute(update(ReceiptKey).where(ReceiptKey.id == 1).values(private_key=MOVED_TO_FILE))
    except (OperationalError, IntegrityError):
        pass  # the database is away (the mark is written at the next start) or another process wrote it


def _from_file(path: Path) -> Ed25519PrivateKey:
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return loaded
