"""Enrolment codes, enrolment, workstation authentication and revocation."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.audit.wire import MODES

from ..db import as_utc, now_utc
from ..errors import ServerError, ServerErrorCode
from ..models import ChainHead, EnrolmentCode, Workstation
from ..principals import WorkstationPrincipal
from ..security import (
    WORKSTATION_TOKEN_PREFIX,
    new_enrolment_code,
    new_secret,
    normalise_code,
    secret_hash,
    secret_matches,
    split_workstation_token,
)
from . import adminlog
from .server_clock import latest_seen
from .accounts import require_unit

__all__ = [
    "Enrolled", "IssuedCode", "WORKSTATION_ID", "create_code", "enrol", "enrolment_message",
    "list_workstations", "require_workstation", "revoke", "workstation_from_token",
]

WORKSTATION_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


MAX_CODE_USES = 10_000  # a deployment code: every workstation of the largest unit, with room


@dataclass(frozen=True)
class IssuedCode:
    code: str
    unit_id: str
    expires_at: datetime
    uses: int = 1  # how many workstations it may enrol (1: a one-time code)


@dataclass(frozen=True)
class Enrolled:
    workstation_id: str
    unit_id: str
    credential: str  # shown once; the server keeps only its hash


def enrolment_message(*, code: str, workstation_id: str) -> bytes:
    """What the workstation signs with its new key to prove it holds it."""
    return f"kyso-enrol:{normalise_code(code)}:{workstation_id}".encode()


def create_code(session: Session, *, actor: str, unit_id: str, hours: int, uses: int = 1) -> IssuedCode:
    """A code that enrols up to `uses` workstations of the unit before it expires: 1 for a person
    enrolling one computer, more for a deployment (the MSI's ENROLMENT_CODE on every workstation)."""
    require_unit(session, unit_id=unit_id)
    if not 1 <= uses <= MAX_CODE_USES:
        raise ServerError(ServerErrorCode.REQUEST_INVALID, detail=f"uses: 1..{MAX_CODE_USES}")
    code = new_enrolment_code()
    now = latest_seen(session, now=now_utc())  # a clock stepped back still gives the code its full span
    expires = now + timedelta(hours=hours)
    session.add(EnrolmentCode(code_hash=secret_hash(normalise_code(code)), unit_id=unit_id, created_by=actor,
                              created_at=now, expires_at=expires, max_uses=uses, use_count=0))
    adminlog.record(session, actor=actor, action="enrolment_code.created", target=unit_id,
                    details={"expires_at": expires.isoformat(), "uses": uses})
    return IssuedCode(code, unit_id, expires, uses)


def enrol(session: Session, *, code: str, public_key_b64: str, proof_b64: str,
          workstation_id: str | None, label: str) -> Enrolled:
    """Spend one use of a code: check the key proof, claim the use (one statement, so two
    workstations enrolling at once never both take the last use), create the workstation."""
    chosen = workstation_id or _new_id()
    if not WORKSTATION_ID.match(chosen):
        raise ServerError(ServerErrorCode.REQUEST_INVALID, detail="workstation_id")
    public_raw = _check_proof(public_key_b64, proof_b64, enrolment_message(code=code, workstation_id=chosen))
    now = now_utc()
    # expiry against the latest time the server has lived, not its clock: a clock stepped back
    # (NTP, a restored snapshot) does not revive a code that had expired
    lived = latest_seen(session, now=now)
    claimed = session.execute(
        update(EnrolmentCode)
        .where(EnrolmentCode.code_hash == secret_hash(normalise_code(code)),
               EnrolmentCode.use_count < EnrolmentCode.max_uses, EnrolmentCode.expires_at > lived)
        .values(used_at=now, used_by=chosen, use_count=EnrolmentCode.use_count + 1)
        .returning(EnrolmentCode.unit_id)
    ).first()
    if claimed is None:
        raise ServerError(ServerErrorCode.ENROLMENT_CODE_INVALID)
    existing = session.get(Workstation, chosen)
    if existing is not None:
        if existing.revoked_at is None or existing.unit_id != claimed.unit_id:
            raise ServerError(ServerErrorCode.WORKSTATION_ID_TAKEN, workstation=chosen)
        return _re_enrol(session, existing, public_raw=public_raw, label=label, now=now)  # `kyso enroll --force`
    secret = new_secret()
    session.add(Workstation(id=chosen, unit_id=claimed.unit_id, label=label[:200], public_key=public_raw,
                            credential_hash=secret_hash(secret), enrolled_at=now))
    adminlog.record(session, actor=f"workstation:{chosen}", action="workstation.enrolled",
                    target=claimed.unit_id, details={"label": label[:200]})
    return Enrolled(chosen, claimed.unit_id, f"{WORKSTATION_TOKEN_PREFIX}{chosen}.{secret}")


def _re_enrol(session: Session, found: Workstation, *, public_raw: bytes, label: str, now) -> Enrolled:
    """A revoked workstation enrolled again with a fresh code of its own unit (docs/server.md:
    revoke, then `kyso enroll --force`): a new key and credential, its chains where they were."""
    secret = new_secret()
    found.public_key, found.credential_hash, found.revoked_at, found.enrolled_at = public_raw, secret_hash(secret), None, now
    found.label = label[:200] or found.label
    adminlog.record(session, actor=f"workstation:{found.id}", action="workstation.enrolled_again",
                    target=found.unit_id, details={"label": label[:200]})
    return Enrolled(found.id, found.unit_id, f"{WORKSTATION_TOKEN_PREFIX}{found.id}.{secret}")


def _new_id() -> str:
    import uuid

    return str(uuid.uuid4())


# Ed25519 public keys of small order (libsodium's list, sign bit ignored): with them a forged
# signature verifies for a share of all messages, so such a key proves nothing.
_SMALL_ORDER = {bytes.fromhex(h) for h in (
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
)}


def _check_proof(public_key_b64: str, proof_b64: str, message: bytes) -> bytes:
    try:
        raw = base64.b64decode(public_key_b64, validate=True)
        if len(raw) != 32 or raw[:31] + bytes([raw[31] & 0x7F]) in _SMALL_ORDER:
            raise ValueError("weak public key")
        signature = base64.b64decode(proof_b64, validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, message)
    except (binascii.Error, ValueError, InvalidSignature) as exc:
        raise ServerError(ServerErrorCode.ENROLMENT_PROOF_INVALID) from exc
    return raw


def workstation_from_token(session: Session, *, token: str) -> WorkstationPrincipal:
    parts = split_workstation_token(token)
    if parts is None:
        raise ServerError(ServerErrorCode.AUTH_INVALID)
    workstation_id, secret = parts
    row = session.execute(
        select(Workstation.unit_id, Workstation.credential_hash, Workstation.revoked_at)
        .where(Workstation.id == workstation_id)
    ).first()
    if row is None or not secret_matches(secret, row.credential_hash):
        raise ServerError(ServerErrorCode.AUTH_INVALID)
    if row.revoked_at is not None:
        raise ServerError(ServerErrorCode.WORKSTATION_REVOKED, workstation=workstation_id)
    return WorkstationPrincipal(workstation_id, row.unit_id)


def require_workstation(session: Session, *, workstation_id: str) -> Workstation:
    found = session.get(Workstation, workstation_id)
    if found is None:
        raise ServerError(ServerErrorCode.WORKSTATION_UNKNOWN, workstation=workstation_id)
    return found


def revoke(session: Session, *, actor: str, workstation_id: str, scope: str | None) -> Workstation:
    found = require_workstation(session, workstation_id=workstation_id)
    if scope is not None and found.unit_id != scope:  # as if unknown: another unit's ids and names are not told
        raise ServerError(ServerErrorCode.WORKSTATION_UNKNOWN, workstation=workstation_id)
    if found.revoked_at is None:
        found.revoked_at = now_utc()
        adminlog.record(session, actor=actor, action="workstation.revoked", target=workstation_id)
    return found


def list_workstations(session: Session, *, scope: str | None) -> list[dict]:
    query = select(Workstation).order_by(Workstation.unit_id, Workstation.id)
    if scope is not None:
        query = query.where(Workstation.unit_id == scope)
    heads = {(h.chain, h.mode): h.seq for h in session.execute(select(ChainHead)).scalars()}
    return [
        {"id": w.id, "unit": w.unit_id, "label": w.label, "enrolled_at": as_utc(w.enrolled_at),
         "revoked_at": as_utc(w.revoked_at), "last_seen_at": as_utc(w.last_seen_at),
         "heads": {mode: heads.get((w.id, mode), 0) for mode in MODES}}
        for w in session.execute(query).scalars()
    ]
