"""The unit's catalogue and policy from the server, fetched with ETag caching, each one checked
against the server's seal before it is put in force.

The catalogue lands at KYSO_HOME/server/catalogue.yaml — the "server" tier app/catalogue/loader.py
reads (an invalid one is rejected there and the next tier stays in force); the policy at
KYSO_HOME/server/policy.toml. Files are replaced atomically; the ETags live in etags.json.

The seal (header X-Kyso-Config-Seal, server/receipts.py) is an Ed25519 signature, under the key
pinned at enrolment, over {purpose, unit, kind, revision, sha256 of the bytes}. A file without a
seal (SYNC_CONFIG_UNSIGNED), with a seal that does not verify, names another unit or kind, another
content, or an older revision than the one in force (SYNC_CONFIG_SIGNATURE_INVALID) is not
written: the last good file stays in force and the pass reports the code.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import httpx
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .enrolment import Enrolment, server_dir
from .errors import SyncError, SyncErrorCode
from .key_rotation import PinnedKeys
from .transport import refusal, request

__all__ = ["FILES", "SEAL_HEADER", "fetch_all", "fetch_config", "verify_seal"]

FILES = {"catalogue": "catalogue.yaml", "policy": "policy.toml"}
SEAL_HEADER = "X-Kyso-Config-Seal"
_PURPOSE = "kyso-config"


def _etags_path() -> Path:
    return server_dir() / "etags.json"


def _etags() -> dict[str, str]:
    try:
        return json.loads(_etags_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _revisions_path() -> Path:
    return server_dir() / "config-revisions.json"


def _revisions() -> dict[str, int]:
    try:
        values = json.loads(_revisions_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in values.items() if isinstance(v, int)} if isinstance(values, dict) else {}


def verify_seal(header: str | None, *, content: bytes, kind: str, enrolment: Enrolment,
                pins: PinnedKeys | None = None) -> dict[str, Any]:
    """The seal, if it is a pinned key's signature over this content for this unit and kind (a key
    the pin endorsed is followed first, through `pins`); SyncError CONFIG_UNSIGNED /
    CONFIG_SIGNATURE_INVALID / SERVER_KEY_NOT_ENDORSED otherwise."""
    if not header:
        raise SyncError(SyncErrorCode.CONFIG_UNSIGNED, kind=kind)
    try:
        seal = json.loads(base64.urlsafe_b64decode(header.encode("ascii")))
        if not isinstance(seal, dict) or not isinstance(seal.get("signature"), str):
            raise ValueError("no signature")
    except (UnicodeError, binascii.Error, ValueError, TypeError):
        raise SyncError(SyncErrorCode.CONFIG_SIGNATURE_INVALID, kind=kind, detail="signature") from None
    key_id = seal.get("key_id")
    keys = (pins or PinnedKeys(enrolment)).keys_for(key_id)
    named = keys.get(key_id) if isinstance(key_id, str) else enrolment.server_key
    if named is None:
        raise SyncError(SyncErrorCode.CONFIG_SIGNATURE_INVALID, kind=kind, detail="key_id")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(named, validate=True))
        key.verify(base64.b64decode(seal["signature"], validate=True),
                   rfc8785.dumps({k: v for k, v in seal.items() if k != "signature"}))
    except (UnicodeError, binascii.Error, ValueError, TypeError, InvalidSignature, rfc8785.CanonicalizationError):
        raise SyncError(SyncErrorCode.CONFIG_SIGNATURE_INVALID, kind=kind, detail="signature") from None
    expected = {"purpose": _PURPOSE, "unit": enrolment.unit, "kind": kind,
                "sha256": hashlib.sha256(content).hexdigest()}
    for name, value in expected.items():
        if seal.get(name) != value:
            raise SyncError(SyncErrorCode.CONFIG_SIGNATURE_INVALID, kind=kind, detail=name)
    if type(seal.get("revision")) is not int:
        raise SyncError(SyncErrorCode.CONFIG_SIGNATURE_INVALID, kind=kind, detail="revision")
    return seal


def fetch_config(client: httpx.Client, *, kind: str, enrolment: Enrolment, pins: PinnedKeys | None = None) -> bool:
    """True when a new version was written (only after its seal verified)."""
    etags = _etags()
    target = server_dir() / FILES[kind]
    headers = {"If-None-Match": etags[kind]} if kind in etags and target.exists() else {}
    response = request(client, "GET", f"/api/v1/config/{kind}", headers=headers)
    if response.status_code == 304:
        return False
    if response.status_code == 404 and response.headers.get("content-type", "").startswith("application/json") \
            and response.json().get("code") == "SERVER_CONFIG_NOT_SET":
        return False
    if response.status_code != 200:
        error = refusal(response)
        if error.code in (SyncErrorCode.REVOKED, SyncErrorCode.AUTH):
            raise error
        raise SyncError(SyncErrorCode.CONFIG_REFUSED, kind=kind, status=response.status_code)
    seal = verify_seal(response.headers.get(SEAL_HEADER), content=response.content, kind=kind, enrolment=enrolment,
                       pins=pins)
    revisions = _revisions()
    if seal["revision"] < revisions.get(kind, 0):  # an older version replayed: the newer one stays
        raise SyncError(SyncErrorCode.CONFIG_SIGNATURE_INVALID, kind=kind, detail="revision")
    _replace(target, response.content)
    _replace(_revisions_path(), json.dumps({**revisions, kind: seal["revision"]}).encode())
    if response.headers.get("etag"):
        _replace(_etags_path(), json.dumps({**etags, kind: response.headers["etag"]}).encode())
    return True


def fetch_all(client: httpx.Client, *, enrolment: Enrolment, pins: PinnedKeys | None = None) -> list[str]:
    """Fetch every kind (one refused does not stop the other); returns the kinds that changed,
    or raises the first refusal once all were tried."""
    changed, refused = [], None
    for kind in FILES:
        try:
            if fetch_config(client, kind=kind, enrolment=enrolment, pins=pins):
                changed.append(kind)
        except SyncError as error:
            if error.code in (SyncErrorCode.REVOKED, SyncErrorCode.AUTH, SyncErrorCode.SERVER_KEY_NOT_ENDORSED):
                raise
            refused = refused or error
    if refused is not None:
        raise refused
    return changed
