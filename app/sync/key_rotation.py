"""Following the server's receipt-key rotation from the key pinned at enrolment, without re-enrolling.

A receipt or a configuration seal names the key that signed it (key_id). When that is not a key
this workstation trusts, it fetches the server's endorsements (`GET /api/v1/server-key`): each
rotation's new key signed by the key before it. Walking them from the pinned key, each link
checked under the key already trusted, leads to the new key, which becomes the pin (the earlier
keys stay trusted for the receipts they signed) and is recorded in the audit log
(`server.key_followed`). A key no chain from the pin reaches is refused
(SYNC_SERVER_KEY_NOT_ENDORSED): whoever holds it, the server this workstation enrolled with did not
vouch for it.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import getpass
import hashlib
import logging
from typing import Any

import httpx
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app import __version__

from .enrolment import Enrolment, save_enrolment
from .errors import SyncError, SyncErrorCode
from .transport import refusal, request

__all__ = ["ENDORSEMENT_PURPOSE", "KEY_FOLLOWED_EVENT", "PinnedKeys", "follow_endorsements"]

log = logging.getLogger("kyso.sync")
ENDORSEMENT_PURPOSE = "kyso-key-endorsement"
KEY_FOLLOWED_EVENT = "server.key_followed"  # app.audit.events.EventType.SERVER_KEY_FOLLOWED


def key_id_of(public_key_b64: str) -> str:
    return hashlib.sha256(base64.b64decode(public_key_b64, validate=True)).hexdigest()[:16]


def follow_endorsements(endorsements: Any, *, pinned_id: str, pinned_key: str, target: str) -> list[dict[str, Any]]:
    """The links from the pinned key to `target`, each verified under the key before it; SyncError
    SERVER_KEY_NOT_ENDORSED when no such chain exists in `endorsements`."""
    links = [e for e in endorsements if isinstance(e, dict)] if isinstance(endorsements, list) else []
    current_id, current_key, path = pinned_id, pinned_key, []
    while current_id != target:
        step = next((e for e in links if e.get("previous_key_id") == current_id and e not in path
                     and _genuine(e, signer=current_key)), None)
        if step is None:
            raise SyncError(SyncErrorCode.SERVER_KEY_NOT_ENDORSED, key_id=str(target)[:64], pinned=pinned_id)
        path.append(step)
        current_id, current_key = step["key_id"], step["public_key"]
    return path


def _genuine(endorsement: dict[str, Any], *, signer: str) -> bool:
    try:
        if endorsement.get("purpose") != ENDORSEMENT_PURPOSE or not isinstance(endorsement.get("public_key"), str):
            return False
        if key_id_of(endorsement["public_key"]) != endorsement.get("key_id"):
            return False
        Ed25519PublicKey.from_public_bytes(base64.b64decode(endorsement["public_key"], validate=True))
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(signer, validate=True))
        key.verify(base64.b64decode(endorsement["signature"], validate=True),
                   rfc8785.dumps({k: v for k, v in endorsement.items() if k != "signature"}))
    except (KeyError, TypeError, ValueError, binascii.Error, InvalidSignature, rfc8785.CanonicalizationError):
        return False
    return True


class PinnedKeys:
    """The keys this workstation trusts during a sync pass: the pin and the earlier pins. `keys_for`
    follows a rotation when a receipt or seal names a key not yet trusted."""

    def __init__(self, enrolment: Enrolment, *, client: httpx.Client | None = None, store: Any = None) -> None:
        self.enrolment, self._client, self._store = enrolment, client, store

    def keys_for(self, key_id: Any) -> dict[str, str]:
        trusted = self.enrolment.trusted_keys()
        if not isinstance(key_id, str) or key_id in trusted or self._client is None:
            return trusted
        self.enrolment = self._follow(key_id)
        return self.enrolment.trusted_keys()

    def _follow(self, key_id: str) -> Enrolment:
        response = request(self._client, "GET", "/api/v1/server-key")
        if response.status_code != 200:
            raise refusal(response)
        try:
            endorsements = response.json().get("endorsements", [])
        except (ValueError, AttributeError):
            endorsements = []
        old = self.enrolment
        try:
            path = follow_endorsements(endorsements, pinned_id=old.key_id, pinned_key=old.server_key, target=key_id)
        except SyncError:
            log.error("server key %s is not endorsed by the pinned key %s: refused", key_id, old.key_id)
            raise
        earlier = {**old.earlier_keys, old.key_id: old.server_key,  # still trusted for what they signed
                   **{link["key_id"]: link["public_key"] for link in path[:-1]}}
        new = dataclasses.replace(old, server_key=path[-1]["public_key"], key_id=key_id, earlier_keys=earlier)
        save_enrolment(new)
        log.warning("server receipt key rotated: %s → %s (followed %d endorsement(s))", old.key_id, key_id, len(path))
        self._record(old_key=old.key_id, new_key=key_id, path=path)
        return new

    def _record(self, *, old_key: str, new_key: str, path: list[dict[str, Any]]) -> None:
        """`server.key_followed` in the production chain: the pin changed, and through which keys."""
        if self._store is None or not hasattr(self._store, "append"):
            return
        from app.audit.events import PRODUCTION, AuditActor

        self._store.append(mode=PRODUCTION, type=KEY_FOLLOWED_EVENT, actor=AuditActor(os_user=getpass.getuser()),
                           app_version=__version__,
                           data={"from_key_id": old_key, "to_key_id": new_key,
                                 "through": [link["key_id"] for link in path[:-1]], "outcome": "ok"})
