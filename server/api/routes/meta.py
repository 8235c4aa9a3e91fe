"""Public: health and the receipt public key (what a workstation pins at enrolment)."""

from __future__ import annotations

import base64

from fastapi import APIRouter
from sqlalchemy import text

from ...db import as_utc
from ...errors import ServerError, ServerErrorCode
from ...receipts import earlier_keys, load_endorsements
from ..deps import StateDep
from ..schemas import READ, EarlierKey, KeyEndorsement, ServerKey, refusals

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["public"])


@router.get("/health")
def health(state: StateDep) -> dict[str, str]:
    return {"status": "ok", "database": state.database.dialect}


@router.get("/ready", responses=refusals(*READ))
def ready(state: StateDep) -> dict[str, str]:
    """Readiness: the database answers (a load balancer sends no traffic to a process whose
    database is away). /health says only that the process runs."""
    try:
        with state.database.read_session() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 — whatever the driver raises, the answer is "not ready"
        raise ServerError(ServerErrorCode.DATABASE_UNAVAILABLE, extra={"retry_after": 5}) from exc
    return {"status": "ready", "database": state.database.dialect}


@router.get("/server-key", response_model=ServerKey, responses=refusals(*READ))
def server_key(state: StateDep) -> ServerKey:
    """The key in use, the public halves of earlier ones (a receipt names its key_id), and the
    endorsements that chain each rotation's key to the one before (docs/server.md, "Rotating the
    receipt key")."""
    with state.database.read_session() as session:
        earlier = [EarlierKey(public_key=base64.b64encode(k.public_key).decode("ascii"), key_id=k.key_id,
                              retired_at=as_utc(k.retired_at))
                   for k in earlier_keys(session, current=state.signer.key_id)]
    endorsements = [KeyEndorsement(**e) for e in load_endorsements(state.settings.receipt_key_file)]
    return ServerKey(public_key=state.signer.public_key_b64, key_id=state.signer.key_id, previous=earlier,
                     endorsements=endorsements)
